/**
 * Runs the built kvdr CLI in a child process, the way a pipeline agent does, and measures its wall
 * time and peak resident set size (RSS).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import type { RunReport } from '../../src/core/report/model';
import { BENCH_VALUE_MARKER } from './emulator';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/**
 * GNU time reports the child's peak RSS (`%M`, in KiB) and CPU seconds (`%U` user, `%S` system)
 * from the kernel's own accounting of the process.
 */
const GNU_TIME = '/usr/bin/time';

/** The method that measured the peak RSS. */
export type RssMethod = 'gnu-time' | 'proc-vmhwm';

/** A finished kvdr run with its measurements. */
export interface MeasuredRun {
  exitCode: number;
  /** From spawning the process until it exited, Node's start-up included. */
  wallTimeInMs: number;
  /** Peak resident set size of the kvdr process, in bytes. */
  peakRssInBytes?: number;
  /** CPU time (user plus system) of the kvdr process, in milliseconds; measured with GNU time only. */
  cpuTimeInMs?: number;
  /** CPU time of this process during the run, in milliseconds: mostly the emulator serving kvdr. */
  benchProcessCpuTimeInMs: number;
  rssMethod: RssMethod;
  stdout: string;
  stderr: string;
  report?: RunReport;
}

/** Options of {@link runKvdrMeasured}. */
export interface RunKvdrMeasuredOptions {
  /** The ready file's `env`, laid over this process's environment. */
  env: Record<string, string>;
  /** The path kvdr writes its JSON report to. */
  reportPath: string;
  /** Called every second while kvdr runs, with the milliseconds since it started; for timelines. */
  onTick?: (elapsedInMs: number) => void;
}

/**
 * Runs `node bin/kvdr.js <args> --report <reportPath>`. The peak RSS comes from GNU time when
 * /usr/bin/time exists, and otherwise from polling the child's VmHWM (the kernel's high-water mark
 * of its RSS) in /proc every 20 ms, which can miss growth in the last 20 ms before exit.
 */
export async function runKvdrMeasured(args: readonly string[], options: RunKvdrMeasuredOptions): Promise<MeasuredRun> {
  rmSync(options.reportPath, { force: true });
  const timePath = `${options.reportPath}.rss`;
  rmSync(timePath, { force: true });
  const kvdrArgs = [join(ROOT, 'bin', 'kvdr.js'), ...args, '--report', options.reportPath];
  const rssMethod: RssMethod = existsSync(GNU_TIME) ? 'gnu-time' : 'proc-vmhwm';
  const [command, commandArgs] =
    rssMethod === 'gnu-time' ? [GNU_TIME, ['-f', '%M %U %S', '-o', timePath, process.execPath, ...kvdrArgs]] : [process.execPath, kvdrArgs];

  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  let polledPeak = 0;
  const poller =
    rssMethod === 'proc-vmhwm' && child.pid !== undefined
      ? setInterval(() => {
          polledPeak = Math.max(polledPeak, readVmHwmInBytes(child.pid!) ?? 0);
        }, 20)
      : undefined;

  const ticker = options.onTick === undefined ? undefined : setInterval(() => options.onTick?.(performance.now() - startedAt), 1000);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    clearInterval(poller);
    clearInterval(ticker);
  });
  const wallTimeInMs = performance.now() - startedAt;
  const benchCpu = process.cpuUsage(cpuAtStart);

  const timed = rssMethod === 'gnu-time' ? readGnuTime(timePath) : undefined;
  const peakRssInBytes = rssMethod === 'gnu-time' ? timed?.peakRssInBytes : polledPeak || undefined;
  const report = existsSync(options.reportPath) ? (JSON.parse(readFileSync(options.reportPath, 'utf8')) as RunReport) : undefined;
  const run: MeasuredRun = {
    exitCode,
    wallTimeInMs,
    peakRssInBytes,
    cpuTimeInMs: timed?.cpuTimeInMs,
    benchProcessCpuTimeInMs: (benchCpu.user + benchCpu.system) / 1000,
    rssMethod,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    report,
  };
  const reportText = existsSync(options.reportPath) ? readFileSync(options.reportPath, 'utf8') : '';
  if ([run.stdout, run.stderr, reportText].some((text) => text.includes(BENCH_VALUE_MARKER))) {
    throw new Error(`kvdr ${args[0]} printed or reported a secret value; the benchmark stops and shows no output.`);
  }
  return run;
}

/** Throws with kvdr's last lines of output when it exited with another code than `expected`. */
export function assertExitCode(run: MeasuredRun, expected: number): void {
  if (run.exitCode !== expected) {
    const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`kvdr exited ${run.exitCode}, expected ${expected}. Its last lines:\n${tail}`);
  }
}

/** Describes in one sentence how busy the CPUs were during a run, so a reader can tell CPU-bound from wait-bound. */
export function describeCpu(run: MeasuredRun): string {
  const wall = run.wallTimeInMs / 1000;
  const kvdr = run.cpuTimeInMs === undefined ? 'an unmeasured amount of' : `${(run.cpuTimeInMs / 1000).toFixed(1)} s`;
  const emulator = (run.benchProcessCpuTimeInMs / 1000).toFixed(1);
  return `In ${wall.toFixed(1)} s of wall time, kvdr used ${kvdr} CPU and the emulator ${emulator} s, on ${cpus().length} cores shared with whatever else ran.`;
}

function readGnuTime(path: string): { peakRssInBytes?: number; cpuTimeInMs?: number } | undefined {
  if (!existsSync(path)) return undefined;
  // GNU time writes a "Command exited with non-zero status" line first when the exit code is not 0.
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  rmSync(path, { force: true });
  const [kibibytes, userSeconds, systemSeconds] = (lines.at(-1) ?? '').split(' ').map(Number);
  return {
    peakRssInBytes: Number.isFinite(kibibytes) && kibibytes > 0 ? kibibytes * 1024 : undefined,
    cpuTimeInMs: Number.isFinite(userSeconds) && Number.isFinite(systemSeconds) ? (userSeconds + systemSeconds) * 1000 : undefined,
  };
}

function readVmHwmInBytes(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
