/**
 * Discovery of the Azure Pipelines tasks and GitHub Actions in the repository, and of the command
 * each one runs, read from its entry point (`runAzurePipelinesTask(<spec>)` or `runGitHubAction(<spec>)`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { CommandSpec } from '../../src/commands/spec';

export const repoRoot = resolve(__dirname, '..', '..');

/** A task's or action's folder and the command its entry point runs. */
export interface FrontEnd {
  kind: 'task' | 'action';
  /** Folder name: the task name (`KeyVaultSync`) or the action name (`sync`). */
  name: string;
  directory: string;
  spec: CommandSpec;
}

/** One input as task.json declares it. */
export interface TaskInput {
  name: string;
  type: string;
  label: string;
  defaultValue?: string;
  required?: boolean;
  helpMarkDown?: string;
  groupName?: string;
  visibleRule?: string;
  options?: Record<string, string>;
}

export interface TaskManifest {
  id: string;
  name: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs: TaskInput[];
  groups?: { name: string }[];
  outputVariables?: { name: string; description: string }[];
  execution: Record<string, { target: string }>;
}

export interface ActionManifest {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const ENTRY_CALL = /run(?:AzurePipelinesTask|GitHubAction)\((\w+)\)/;
const IMPORT_OF = (name: string) => new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'([^']+)'`);

function specOfEntry(entryFile: string): CommandSpec {
  const text = readFileSync(entryFile, 'utf8');
  const call = ENTRY_CALL.exec(text);
  if (!call) throw new Error(`${entryFile} must call runAzurePipelinesTask(<spec>) or runGitHubAction(<spec>).`);
  const from = IMPORT_OF(call[1]).exec(text);
  if (!from) throw new Error(`${entryFile} must import ${call[1]} by name.`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(resolve(entryFile, '..', from[1])) as Record<string, CommandSpec>;
  const spec = module[call[1]];
  if (!spec) throw new Error(`${from[1]} does not export ${call[1]}.`);
  return spec;
}

/** Lists every task folder with an index.ts and every action folder with a main.ts. */
export function listFrontEnds(): FrontEnd[] {
  const result: FrontEnd[] = [];
  for (const [kind, folder, entry] of [['task', 'tasks', 'index.ts'], ['action', 'actions', 'main.ts']] as const) {
    const base = join(repoRoot, folder);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const entryFile = join(base, name, entry);
      if (!existsSync(entryFile)) continue;
      result.push({ kind, name, directory: join(base, name), spec: specOfEntry(entryFile) });
    }
  }
  return result;
}

export function readTaskManifest(directory: string): TaskManifest {
  return JSON.parse(readFileSync(join(directory, 'task.json'), 'utf8')) as TaskManifest;
}

export function readActionManifest(directory: string): ActionManifest {
  return parse(readFileSync(join(directory, 'action.yml'), 'utf8')) as ActionManifest;
}
