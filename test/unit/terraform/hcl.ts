/**
 * Test helpers that read Terraform configurations with @cdktf/hcl2json (HCL to Terraform's JSON
 * syntax, expressions kept as `${...}` strings) and run small probe configurations with the real
 * terraform binary when it is installed.
 */
import { parse } from '@cdktf/hcl2json';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const templatesDir = join(repoRoot, 'templates', 'terraform');

/** A block body as hcl2json returns it: attributes, and nested blocks as arrays. */
export type Body = Record<string, unknown>;

/** All files of one configuration directory merged: block type, then labels, then the bodies. */
export interface Configuration {
  files: Record<string, Body>;
  variable: Record<string, Body>;
  output: Record<string, Body>;
  module: Record<string, Body>;
  resource: Record<string, Record<string, Body>>;
  data: Record<string, Record<string, Body>>;
  locals: Body;
  provider: Record<string, Body>;
  terraform: Body[];
}

/** Parses every `.tf` file of a directory (not its subdirectories) and merges the blocks. */
export async function loadConfiguration(directory: string): Promise<Configuration> {
  const configuration: Configuration = { files: {}, variable: {}, output: {}, module: {}, resource: {}, data: {}, locals: {}, provider: {}, terraform: [] };
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.tf')).sort()) {
    const parsed = (await parse(file, readFileSync(join(directory, file), 'utf8'))) as Body;
    configuration.files[file] = parsed;
    for (const [name, bodies] of Object.entries((parsed.variable ?? {}) as Record<string, Body[]>)) configuration.variable[name] = bodies[0];
    for (const [name, bodies] of Object.entries((parsed.output ?? {}) as Record<string, Body[]>)) configuration.output[name] = bodies[0];
    for (const [name, bodies] of Object.entries((parsed.module ?? {}) as Record<string, Body[]>)) configuration.module[name] = bodies[0];
    for (const [name, bodies] of Object.entries((parsed.provider ?? {}) as Record<string, Body[]>)) configuration.provider[name] = bodies[0];
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries((parsed[kind] ?? {}) as Record<string, Record<string, Body[]>>)) {
        configuration[kind][type] ??= {};
        for (const [name, bodies] of Object.entries(byName)) configuration[kind][type][name] = bodies[0];
      }
    }
    for (const locals of (parsed.locals ?? []) as Body[]) Object.assign(configuration.locals, locals);
    configuration.terraform.push(...((parsed.terraform ?? []) as Body[]));
  }
  return configuration;
}

/** Parses one `.tfvars` file into its values (expressions stay `${...}` strings). */
export async function loadTfvars(file: string): Promise<Body> {
  return (await parse(file, readFileSync(file, 'utf8'))) as Body;
}

/** Returns the first nested block of a body, such as `features` of a provider. */
export function block(body: Body, name: string): Body {
  const value = body[name];
  if (!Array.isArray(value) || value.length === 0) throw new Error(`block "${name}" is missing`);
  return value[0] as Body;
}

/** True when any object in `value`, at any depth, has the key. */
export function containsKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((item) => containsKey(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([name, child]) => name === key || containsKey(child, key));
  }
  return false;
}

/** Finds terraform on PATH; returns undefined when it is not installed. */
export function findTerraform(): string | undefined {
  const result = spawnSync('terraform', ['version', '-json'], { env: terraformEnv(), encoding: 'utf8' });
  return result.status === 0 ? 'terraform' : undefined;
}

/** Environment for test runs of terraform: no update check, no CLI configuration from the machine. */
export function terraformEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_CLI_CONFIG_FILE: '/dev/null' };
}

/** Result of a probe run: terraform's exit code, its error text and the outputs it computed. */
export interface ProbeResult {
  status: number;
  stderr: string;
  outputs: Record<string, unknown>;
}

/**
 * Evaluates expressions of a configuration with terraform, without its providers: copies the
 * variables file, adds the given locals and outputs in JSON syntax, and applies (nothing is
 * created, because the probe has no resources).
 */
export function runProbe(options: { variablesFile: string; locals?: Body; outputs: Record<string, string>; args: string[] }): ProbeResult {
  const directory = mkdtempSync(join(tmpdir(), 'kvdr-tf-probe-'));
  try {
    copyFileSync(options.variablesFile, join(directory, 'variables.tf'));
    // Terraform's JSON syntax rejects empty `locals` and `output` objects, so they are left out.
    const probe: Body = {};
    if (options.locals && Object.keys(options.locals).length > 0) probe.locals = options.locals;
    if (Object.keys(options.outputs).length > 0) {
      probe.output = Object.fromEntries(Object.entries(options.outputs).map(([name, expression]) => [name, { value: expression }]));
    }
    writeFileSync(join(directory, 'probe.tf.json'), JSON.stringify(probe, null, 2));
    const run = (args: string[]) => spawnSync('terraform', args, { cwd: directory, env: terraformEnv(), encoding: 'utf8' });
    const init = run(['init', '-input=false', '-no-color']);
    if (init.status !== 0) return { status: init.status ?? 1, stderr: init.stderr, outputs: {} };
    const apply = run(['apply', '-input=false', '-no-color', '-auto-approve', ...options.args]);
    if (apply.status !== 0) return { status: apply.status ?? 1, stderr: apply.stderr, outputs: {} };
    const output = run(['output', '-json']);
    const parsed = JSON.parse(output.stdout) as Record<string, { value: unknown }>;
    return { status: 0, stderr: '', outputs: Object.fromEntries(Object.entries(parsed).map(([name, entry]) => [name, entry.value])) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
