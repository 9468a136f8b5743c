/**
 * One region's stack: a Terraform root configuration run with its own data directory (and so its
 * own backend settings and state key). These functions are the API the deploy and drift commands
 * share: `initStack`, `planStack`, `showPlanJson`, `applyPlan` and `readOutputs`.
 */
import { EngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { summarizeDiagnostics } from './diagnostics';
import { parsePlanJson, type PlanJson } from './plan-summary';
import { runTerraform, type TerraformOutput } from './process';

/** Directories, environment and cancellation for running terraform on one stack. */
export interface StackContext {
  /** The Terraform root configuration directory. */
  terraformDir: string;
  /**
   * `TF_DATA_DIR` for this stack. Each region needs its own, because `terraform init` stores the
   * backend settings (and so the state key) in it.
   */
  dataDir: string;
  /** Base environment of the child, including the ARM_* credentials. */
  env: Record<string, string | undefined>;
  /** The terraform executable. Default: `terraform` on PATH. */
  terraformPath?: string;
  /** Cancels the running command; a `TimeoutError` reason is reported as a timeout. */
  abortSignal?: AbortSignal;
  /** Time between SIGINT and SIGKILL when a command is stopped. */
  killGraceInMs?: number;
  logger?: Logger;
}

/** Options for {@link initStack}. */
export interface InitStackOptions {
  /** `-backend-config` pairs, the state key included. Values reach terraform's argv, so prefer ARM_* env for credentials. */
  backendConfig?: Record<string, string>;
  /** False runs `init -backend=false`: providers and modules only, no state access. Default: true. */
  backend?: boolean;
}

/** Options for {@link planStack}. */
export interface PlanStackOptions {
  /** Path of the binary plan terraform writes. It can contain sensitive values. */
  planFile: string;
  /** `-var` values, such as `{ region: 'westeurope' }`. Not for secrets: they reach argv. */
  variables?: Record<string, string>;
  /** `-var-file` paths, relative to the terraform directory or absolute. */
  varFiles?: readonly string[];
  /** Plans with `-refresh-only`, for Terraform drift (`resource_drift`). */
  refreshOnly?: boolean;
}

/** Result of a plan command. Confirm changes from {@link showPlanJson}, never from the exit code alone. */
export interface PlanStackResult {
  /** From `-detailed-exitcode`: true when terraform exited 2. A refresh-only plan can exit 2 with nothing changed. */
  exitCodeSignalsChanges: boolean;
}

/** Non-sensitive outputs with their values, and the names of sensitive ones. */
export interface StackOutputs {
  values: Record<string, unknown>;
  sensitiveNames: string[];
}

/** Builds the environment of every terraform command: the caller's, plus the automation settings. */
function childEnv(context: StackContext): Record<string, string | undefined> {
  return {
    ...context.env,
    TF_DATA_DIR: context.dataDir,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    // The version check calls checkpoint.hashicorp.com; a deploy has no use for it.
    CHECKPOINT_DISABLE: '1',
  };
}

async function run(context: StackContext, args: string[]): Promise<TerraformOutput> {
  return runTerraform(args, {
    cwd: context.terraformDir,
    env: childEnv(context),
    terraformPath: context.terraformPath,
    abortSignal: context.abortSignal,
    killGraceInMs: context.killGraceInMs,
    logger: context.logger ?? silentLogger,
  });
}

function failure(command: string, output: TerraformOutput): EngineError {
  return new EngineError('internal', `terraform ${command} failed: ${summarizeDiagnostics(output.stdout, output.stderr, output.exitCode)}`);
}

/** Runs `terraform init -reconfigure` with the given backend settings, or `init -backend=false`. */
export async function initStack(context: StackContext, options: InitStackOptions = {}): Promise<void> {
  const args = ['init', '-input=false', '-no-color'];
  if (options.backend === false) args.push('-backend=false');
  else args.push('-reconfigure');
  for (const [key, value] of Object.entries(options.backendConfig ?? {})) args.push(`-backend-config=${key}=${value}`);
  const output = await run(context, args);
  if (output.exitCode !== 0) throw failure('init', output);
}

/** Runs `terraform plan -out` with `-detailed-exitcode`, so exit code 2 (changes) is not an error. */
export async function planStack(context: StackContext, options: PlanStackOptions): Promise<PlanStackResult> {
  const args = ['plan', '-input=false', '-no-color', '-json', '-detailed-exitcode', `-out=${options.planFile}`];
  if (options.refreshOnly) args.push('-refresh-only');
  for (const file of options.varFiles ?? []) args.push(`-var-file=${file}`);
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push('-var', `${name}=${value}`);
  const output = await run(context, args);
  if (output.exitCode !== 0 && output.exitCode !== 2) throw failure('plan', output);
  return { exitCodeSignalsChanges: output.exitCode === 2 };
}

/**
 * Runs `terraform show -json <planFile>` and parses it.
 *
 * @remarks The result contains attribute values, secrets included. Pass it to `summarizePlan` or
 * `fingerprintPlan`, and never log or store it.
 */
export async function showPlanJson(context: StackContext, planFile: string): Promise<PlanJson> {
  const output = await run(context, ['show', '-json', '-no-color', planFile]);
  if (output.exitCode !== 0) throw failure('show', output);
  return parsePlanJson(output.stdout);
}

/** Runs `terraform apply <planFile>`: exactly the saved plan, which terraform rejects when the state moved on. */
export async function applyPlan(context: StackContext, planFile: string): Promise<void> {
  const output = await run(context, ['apply', '-input=false', '-no-color', '-json', planFile]);
  if (output.exitCode !== 0) throw failure('apply', output);
}

/** Runs `terraform output -json`; values of sensitive outputs are dropped here and only their names kept. */
export async function readOutputs(context: StackContext): Promise<StackOutputs> {
  const output = await run(context, ['output', '-json', '-no-color']);
  if (output.exitCode !== 0) throw failure('output', output);
  let parsed: Record<string, { sensitive?: boolean; value?: unknown }>;
  try {
    parsed = JSON.parse(output.stdout) as Record<string, { sensitive?: boolean; value?: unknown }>;
  } catch (error) {
    throw new EngineError('internal', 'terraform output -json did not print valid JSON.', { cause: error });
  }
  const result: StackOutputs = { values: {}, sensitiveNames: [] };
  for (const [name, entry] of Object.entries(parsed)) {
    if (entry.sensitive) result.sensitiveNames.push(name);
    else result.values[name] = entry.value;
  }
  return result;
}
