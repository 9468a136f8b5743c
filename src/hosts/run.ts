/**
 * The runner every task and action entry point calls: build the host, run the command, and turn
 * whatever it throws into a failed result with the error's message.
 */
import { describeError, isEngineError } from '../core/errors';
import type { Host, RunResult } from '../commands/host';
import { ExitCode, flagOf, type CommandSpec } from '../commands/spec';
import { limitHeapGrowth } from './heap';

/** A host that remembers the result the command set, so the runner can fill one in. */
export type RecordingHost = Host & {
  result: RunResult | undefined;
  /** Rewrites the CLI flags a command names in a result message as this front end's input names. */
  describeInputs?: (message: string) => string;
};

/** Maps an exit code to the result shown when the command set none. */
export function resultOfExitCode(code: ExitCode): RunResult {
  if (code === ExitCode.Success) return 'succeeded';
  if (code === ExitCode.Partial) return 'partial';
  return 'failed';
}

/**
 * Rewrites the CLI flags that commands name in their messages (`--on-conflict`) as the input names
 * a task or action declares (`onConflict`), so a pipeline user sees the name they wrote in YAML.
 */
export function nameInputs(message: string, spec: CommandSpec): string {
  let result = message;
  for (const option of spec.options) {
    const flag = flagOf(option.name).replace(/-/g, '\\-');
    result = result.replace(new RegExp(`${flag}(?![\\w-])`, 'g'), `input ${option.name}`);
  }
  return result;
}

/**
 * Runs a command in a host. Returns the process exit code for the platform: 1 when the run failed
 * and 0 otherwise, because both platforms show a partial run through the result the host set and
 * a non-zero exit would fail the step outright.
 */
export async function runCommand(spec: CommandSpec, host: RecordingHost): Promise<number> {
  let code: ExitCode;
  if (host.kind !== 'cli') host.describeInputs = (message) => nameInputs(message, spec);
  try {
    code = await spec.run(host);
  } catch (error) {
    if (!isEngineError(error)) host.log.debug(error instanceof Error ? String(error.stack) : String(error));
    host.setResult('failed', describeError(error));
    return 1;
  }
  if (host.result === undefined) {
    const result = resultOfExitCode(code);
    host.setResult(result, `kvdr ${spec.name} ${result === 'succeeded' ? 'succeeded' : result === 'partial' ? 'finished with failures or conflicts' : 'failed'}.`);
  }
  return host.result === 'failed' ? 1 : 0;
}

/**
 * Builds a host and runs the command in it, setting `process.exitCode`. Each platform's host module
 * wraps this for its entry points, so a bundle carries only its own platform library.
 */
export async function runInHost(spec: CommandSpec, createHost: () => Promise<RecordingHost>): Promise<void> {
  limitHeapGrowth();
  let host: RecordingHost;
  try {
    host = await createHost();
  } catch (error) {
    // Without a host there is no platform channel left; stderr still reaches the job log.
    process.stderr.write(`kvdr ${spec.name}: could not start: ${describeError(error)}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    process.exitCode = await runCommand(spec, host);
  } catch (error) {
    // Reporting the result itself failed, for example because GITHUB_OUTPUT names a missing file.
    process.stderr.write(`kvdr ${spec.name}: could not report the result: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
