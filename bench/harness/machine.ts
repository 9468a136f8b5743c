/**
 * Facts about the machine a benchmark ran on, recorded with every result.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';

/** The machine and runtime of a benchmark run. */
export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryInGiB: number;
  os: string;
  nodeVersion: string;
  /** The 1-minute load average when the run started: other work on the machine slows every number. */
  loadAverageAtStart: number;
}

/** Reads the machine facts of this process's host. */
export function readMachineFacts(): MachineFacts {
  return {
    cpuModel: readCpuModel(),
    cores: cpus().length,
    memoryInGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    nodeVersion: process.version,
    loadAverageAtStart: Math.round(loadavg()[0] * 100) / 100,
  };
}

function readCpuModel(): string {
  const fromOs = cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1].trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
