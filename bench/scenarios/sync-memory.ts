/**
 * Peak RSS of the kvdr process syncing 20,000 secrets across 3 vaults: a one-way initial sync to 2
 * targets, then a mesh run over all three once they hold every secret.
 */
import { join } from 'node:path';

import { generateSecrets, REMOTE_VAULT_FAULTS, setRemote, startBenchEmulator } from '../harness/emulator';
import { assertExitCode, describeCpu, runKvdrMeasured, type MeasuredRun } from '../harness/kvdr-process';
import type { BenchScenario } from '../harness/types';

const VAULTS = ['kv-bench-m1', 'kv-bench-m2', 'kv-bench-m3'];
/** Secrets in the source at scale 1. */
const SECRET_COUNT = 20_000;
/** The target: peak RSS at most 150 MB (150,000,000 bytes). */
const MAX_RSS_IN_BYTES = 150e6;
const MAX_RPS = 400;

export const scenario: BenchScenario = {
  name: 'memory',
  title: 'Peak RSS with 20,000 secrets in 3 vaults',
  description:
    `kvdr sync copies 20,000 secrets from one vault to 2 others with --max-rps ${MAX_RPS}, then runs a mesh over the 3 vaults, which then ` +
    `hold 20,000 secrets each, at Key Vault's throttle with ${REMOTE_VAULT_FAULTS.latencyMs} ms latency. The peak RSS of each kvdr process is measured.`,
  order: 40,
  async run(context) {
    const { emulator, ready } = await startBenchEmulator(context, 'memory', VAULTS);
    const count = context.count(SECRET_COUNT);
    context.log(`memory: seeding ${count} secrets in ${VAULTS[0]}`);
    emulator.admin.seed(VAULTS[0], generateSecrets(count));
    await setRemote(emulator, VAULTS, true);

    const urls = VAULTS.map((vault) => ready.vaults[vault]);
    const limits = ['--max-rps', String(MAX_RPS), '--timeout', '30m'];
    context.log(`memory: one-way sync of ${count} secrets to 2 targets`);
    const oneWay = await runKvdrMeasured(['sync', '--source', urls[0], '--target', urls[1], '--target', urls[2], ...limits], {
      env: ready.env,
      reportPath: join(context.workDirectory, 'memory-one-way.json'),
    });
    assertExitCode(oneWay, 0);
    context.log('memory: mesh over the 3 vaults');
    const mesh = await runKvdrMeasured(['sync', '--mode', 'mesh', ...urls.flatMap((url) => ['--vault', url]), ...limits], {
      env: ready.env,
      reportPath: join(context.workDirectory, 'memory-mesh.json'),
    });
    assertExitCode(mesh, 0);

    const peak = Math.max(oneWay.peakRssInBytes ?? 0, mesh.peakRssInBytes ?? 0);
    const method = oneWay.rssMethod === 'gnu-time' ? "GNU time's maximum resident set size (%M)" : "the highest VmHWM polled from /proc every 20 ms";
    return {
      metrics: [
        { key: 'secrets', label: 'secrets per vault at the end', value: count, unit: '' },
        { key: 'oneWayPeakRssInMb', label: 'peak RSS, one-way initial sync to 2 targets', value: mb(oneWay), unit: 'MB' },
        { key: 'oneWayWallTimeInMs', label: 'wall time, one-way initial sync', value: oneWay.wallTimeInMs / 1000, unit: 's' },
        { key: 'meshPeakRssInMb', label: 'peak RSS, mesh over 3 vaults in sync', value: mb(mesh), unit: 'MB' },
        { key: 'meshWallTimeInMs', label: 'wall time, mesh over 3 vaults in sync', value: mesh.wallTimeInMs / 1000, unit: 's' },
      ],
      checks: [{ target: 'peak RSS <= 150 MB', measured: `${(peak / 1e6).toFixed(1)} MB`, met: peak > 0 && peak <= MAX_RSS_IN_BYTES }],
      notes: [
        `RSS is ${method} of the node process running bin/kvdr.js; 1 MB is 1,000,000 bytes.`,
        `One-way: ${describeCpu(oneWay)}`,
        `Mesh: ${describeCpu(mesh)}`,
      ],
      details: { oneWayVaults: oneWay.report?.vaults, meshVaults: mesh.report?.vaults },
    };
  },
};

function mb(run: MeasuredRun): number {
  return (run.peakRssInBytes ?? 0) / 1e6;
}
