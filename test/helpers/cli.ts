/**
 * Runs the kvdr CLI from source as a separate process with only the environment a test gives it.
 * That is how a user of `npm run emulator` runs it, so the exit codes are the ones a shell or CI
 * step gets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..');

/** The exit code and everything a finished CLI process wrote. */
export interface CliRun {
  /** The exit code, or `null` when a signal ended the process. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Reads the `env` block of an emulator's ready file: the variables that point kvdr at it. */
export function readReadyFileEnv(readyFile: string): Record<string, string> {
  return (JSON.parse(readFileSync(readyFile, 'utf8')) as { env: Record<string, string> }).env;
}

/**
 * Starts `src/cli.ts` with `args` and `env` plus PATH and HOME only. tsx is loaded with --require so
 * the CLI is this one process: the tsx launcher would run it in a child that SIGKILL never reaches.
 */
export function startCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', join(repoRoot, 'src', 'cli.ts'), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to its end, as {@link startCli} starts it, and collects stdout, stderr and the exit code. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = startCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
