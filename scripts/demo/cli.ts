/**
 * Runs the built kvdr CLI (`node bin/kvdr.js`) as a child process with the emulator's environment,
 * the same code path a user gets, and collects its output and JSON report.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { RunReport } from '../../src/core/report/model';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** The output, exit code and report of one kvdr run. */
export interface KvdrRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The `--report` file, or `undefined` when kvdr wrote none (bad input, fatal error). */
  report?: RunReport;
  /** The report file's text, for the check that no secret value appears in any output. */
  reportText: string;
  durationInMs: number;
}

/** Options of {@link runKvdr}. */
export interface RunKvdrOptions {
  /** The ready file's `env`, laid over this process's environment. */
  env: Record<string, string>;
  /** The path of the JSON report, which is read and then removed. */
  reportPath: string;
  /** Kills the child after this long; default 120 s. */
  timeoutInMs?: number;
}

/** Runs `kvdr <args> --report <reportPath>` and waits for it to exit. */
export async function runKvdr(args: readonly string[], options: RunKvdrOptions): Promise<KvdrRun> {
  rmSync(options.reportPath, { force: true });
  const startedAt = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'kvdr.js'), ...args, '--report', options.reportPath], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutInMs ?? 120_000);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => clearTimeout(timer));

  let reportText = '';
  if (existsSync(options.reportPath)) {
    reportText = readFileSync(options.reportPath, 'utf8');
    rmSync(options.reportPath, { force: true });
  }
  return {
    exitCode,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    report: reportText === '' ? undefined : (JSON.parse(reportText) as RunReport),
    reportText,
    durationInMs: performance.now() - startedAt,
  };
}
