/**
 * Runs the terraform CLI as a child process. Arguments never pass through a shell, and output is
 * captured rather than printed, because terraform's output can contain values a plan marks
 * sensitive. The child is stopped when the caller aborts or the deadline passes.
 */
import { spawn } from 'node:child_process';
import { EngineError } from '../errors';
import { silentLogger, type Logger } from '../log';

/** Options for {@link runTerraform}. */
export interface RunTerraformOptions {
  /** Working directory: the Terraform root configuration. */
  cwd: string;
  /** The whole environment of the child. Default: this process's environment. */
  env?: Record<string, string | undefined>;
  /** The terraform executable: a path, or a name looked up on PATH. Default: `terraform`. */
  terraformPath?: string;
  /**
   * Stops the child when aborted: SIGINT first so terraform can release its state lock, then
   * SIGKILL. An abort whose reason is a `TimeoutError` (as from `AbortSignal.timeout`) is reported
   * as a timeout.
   */
  abortSignal?: AbortSignal;
  /** Deadline for this one command, measured from its start. Default: none. */
  timeoutInMs?: number;
  /** Time between SIGINT and SIGKILL after an abort or deadline. Default: 20 s. */
  killGraceInMs?: number;
  /** Upper bound on captured stdout; `terraform show -json` of a large plan needs many megabytes. Default: 256 MiB. */
  maxOutputBytes?: number;
  logger?: Logger;
}

/** Exit code and captured output of a finished terraform command. Both streams may contain sensitive values, so never log them whole. */
export interface TerraformOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const DEFAULT_KILL_GRACE_IN_MS = 20_000;
const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Only the tail of stderr is kept: diagnostics are at the end, and progress lines are not needed. */
const MAX_STDERR_BYTES = 1024 * 1024;

/** Installation hint shared by the missing-terraform and version errors. */
export const INSTALL_HINT =
  'Install Terraform 1.5 or newer (https://developer.hashicorp.com/terraform/install; on Azure Pipelines the TerraformInstaller task, on GitHub hashicorp/setup-terraform), or pass --terraform-path.';

/** True for the reason `AbortSignal.timeout` gives, a DOMException named TimeoutError, or any error of that name. */
function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/**
 * Runs `terraform <args>` and resolves with its exit code and captured output, whatever the exit code.
 *
 * @remarks Rejects with an EngineError: `not-found` when the executable is missing, `aborted` when
 * `abortSignal` fires, `timeout` when `timeoutInMs` passes. `args` are logged only at debug level,
 * so callers must not put credentials in them.
 */
export function runTerraform(args: readonly string[], options: RunTerraformOptions): Promise<TerraformOutput> {
  const terraformPath = options.terraformPath ?? 'terraform';
  const logger = options.logger ?? silentLogger;
  const killGraceInMs = options.killGraceInMs ?? DEFAULT_KILL_GRACE_IN_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  if (options.abortSignal?.aborted) {
    const timedOut = isTimeoutReason(options.abortSignal.reason);
    const why = timedOut ? 'the deadline had passed' : 'the run was cancelled';
    return Promise.reject(new EngineError(timedOut ? 'timeout' : 'aborted', `terraform ${args[0] ?? ''} was not started because ${why}.`));
  }
  logger.debug(`Running terraform ${args[0] ?? ''} in ${options.cwd}`);

  return new Promise((resolve, reject) => {
    const child = spawn(terraformPath, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      // On POSIX the child leads its own process group, so a stop reaches terraform's provider
      // plugins too, as Ctrl-C in a terminal would. A surviving plugin would keep the pipes open.
      detached: process.platform !== 'win32',
    });
    const signal = (name: NodeJS.Signals): void => {
      try {
        if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, name);
        else child.kill(name);
      } catch {
        // The group has already exited.
      }
    };

    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stdoutOverflow = false;
    let stderrTail = Buffer.alloc(0);
    let stopReason: 'aborted' | 'timeout' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let finished = false;

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxOutputBytes) stdoutOverflow = true;
      else stdoutChunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const joined = Buffer.concat([stderrTail, chunk]);
      stderrTail = joined.length > MAX_STDERR_BYTES ? joined.subarray(joined.length - MAX_STDERR_BYTES) : joined;
    });

    const stop = (reason: 'aborted' | 'timeout'): void => {
      if (stopReason || finished) return;
      stopReason = reason;
      logger.warning(`Stopping terraform ${args[0] ?? ''}: ${reason === 'timeout' ? 'the deadline passed' : 'the run was cancelled'}.`);
      signal('SIGINT');
      killTimer = setTimeout(() => signal('SIGKILL'), killGraceInMs);
    };
    const onAbort = (): void => stop(isTimeoutReason(options.abortSignal?.reason) ? 'timeout' : 'aborted');
    options.abortSignal?.addEventListener('abort', onAbort, { once: true });
    const deadline = options.timeoutInMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutInMs);

    const cleanUp = (): void => {
      options.abortSignal?.removeEventListener('abort', onAbort);
      if (deadline) clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanUp();
      if (error.code === 'ENOENT') {
        reject(new EngineError('not-found', `terraform was not found (looked for "${terraformPath}"). ${INSTALL_HINT}`, { cause: error }));
      } else {
        reject(new EngineError('internal', `Could not start terraform ("${terraformPath}"): ${error.message}`, { cause: error }));
      }
    });

    child.on('close', (code, exitSignal) => {
      finished = true;
      cleanUp();
      const command = `terraform ${args[0] ?? ''}`;
      if (stopReason === 'timeout') {
        reject(new EngineError('timeout', `${command} did not finish before its deadline and was stopped. Raise --timeout, or check why terraform hangs.`));
        return;
      }
      if (stopReason === 'aborted') {
        reject(new EngineError('aborted', `${command} was stopped because the run was cancelled.`));
        return;
      }
      if (stdoutOverflow) {
        reject(new EngineError('internal', `${command} wrote more than ${maxOutputBytes} bytes on stdout; raise maxOutputBytes.`));
        return;
      }
      resolve({
        exitCode: code ?? (exitSignal ? 128 : 1),
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: stderrTail.toString('utf8'),
      });
    });
  });
}
