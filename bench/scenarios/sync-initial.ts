/**
 * Initial sync of 5,000 secrets to 2 targets at `--max-rps 400`, against the throttle-bound
 * minimum: the requests the busiest vault must receive, divided by 400 per second.
 */
import { join } from 'node:path';

import { REMOTE_VAULT_FAULTS, requestsByVault, resetRequests, secretName, setRemote } from '../harness/emulator';
import { assertExitCode, describeCpu, runKvdrMeasured } from '../harness/kvdr-process';
import { MAX_RPS, SOURCE, SYNC_VAULTS, SYNCED_KEY, TARGETS, sharedEstate, syncArgs } from '../harness/sync-estate';
import { formatTimeline, RequestTimeline, summarizeTimeline } from '../harness/timeline';
import type { BenchScenario, Metric } from '../harness/types';

/** Key Vault returns 25 secrets per list page. */
const PAGE_SIZE = 25;
/** The target: at most 1.2 times the throttle bound. */
const MAX_RATIO = 1.2;

export const scenario: BenchScenario = {
  name: 'initial',
  title: 'Initial sync to 2 targets',
  description:
    `kvdr sync copies 5,000 secrets from an emulated vault to 2 empty ones with --max-rps ${MAX_RPS}, every vault at Key Vault's ` +
    `throttle (${REMOTE_VAULT_FAULTS.throttle?.limit} requests in any ${REMOTE_VAULT_FAULTS.throttle?.windowSeconds} s) with ${REMOTE_VAULT_FAULTS.latencyMs} ms latency per request.`,
  order: 10,
  async run(context) {
    const estate = await sharedEstate(context);
    const { emulator, ready } = estate.bench;
    for (const target of TARGETS) {
      if (emulator.admin.versionCount(target, secretName(0)) !== 0) throw new Error(`${target} is not empty; the initial sync must start from empty targets.`);
    }
    await setRemote(emulator, SYNC_VAULTS, true);
    resetRequests(emulator, SYNC_VAULTS);

    context.log(`initial: kvdr sync of ${estate.count} secrets to ${TARGETS.length} targets`);
    const timeline = new RequestTimeline(emulator, SOURCE);
    const run = await runKvdrMeasured(syncArgs(estate), {
      env: ready.env,
      reportPath: join(context.workDirectory, 'initial.json'),
      onTick: (elapsedInMs) => timeline.tick(elapsedInMs),
    });
    assertExitCode(run, 0);
    context.provide(SYNCED_KEY, estate);

    // Every source secret is listed (one request per page) and read once; every target is listed
    // once (empty) and receives one write per secret.
    const sourceMinimum = Math.ceil(estate.count / PAGE_SIZE) + estate.count;
    const targetMinimum = 1 + estate.count;
    const busiestMinimum = Math.max(sourceMinimum, targetMinimum);
    const boundInMs = (busiestMinimum / MAX_RPS) * 1000;
    const ratio = run.wallTimeInMs / boundInMs;

    const requests = requestsByVault(emulator, SYNC_VAULTS);
    const totals = Object.fromEntries(SYNC_VAULTS.map((vault) => [vault, emulator.admin.stats(vault).total]));
    const throttled = SYNC_VAULTS.reduce((sum, vault) => sum + emulator.admin.stats(vault).throttled, 0);
    const busiest = SYNC_VAULTS.reduce((best, vault) => (totals[vault] > totals[best] ? vault : best), SOURCE);
    const engineInMs = run.report?.durationInMs ?? run.wallTimeInMs;

    const metrics: Metric[] = [
      { key: 'secrets', label: 'secrets copied to each target', value: estate.count, unit: '' },
      { key: 'wallTimeInMs', label: 'wall time of the kvdr process', value: run.wallTimeInMs / 1000, unit: 's' },
      { key: 'engineTimeInMs', label: 'time kvdr reports for the run (after start-up)', value: engineInMs / 1000, unit: 's' },
      { key: 'boundInMs', label: `throttle bound: ${busiestMinimum} requests to the busiest vault / ${MAX_RPS} per s`, value: boundInMs / 1000, unit: 's' },
      { key: 'busiestRequests', label: `requests ${busiest} received (the busiest), challenges and retries included`, value: totals[busiest], unit: '' },
      { key: 'throttledResponses', label: '429 responses from the emulator, all vaults', value: throttled, unit: '' },
      { key: 'peakRssInMb', label: 'peak RSS of the kvdr process', value: (run.peakRssInBytes ?? 0) / 1e6, unit: 'MB' },
      { key: 'kvdrCpuTimeInMs', label: 'CPU time of the kvdr process (user + system)', value: (run.cpuTimeInMs ?? 0) / 1000, unit: 's' },
      { key: 'emulatorCpuTimeInMs', label: 'CPU time of the benchmark process running the emulator', value: run.benchProcessCpuTimeInMs / 1000, unit: 's' },
    ];
    const notes = [
      `Node start-up and loading the CLI took ${((run.wallTimeInMs - engineInMs) / 1000).toFixed(1)} s of the wall time.`,
      describeCpu(run),
      `The busiest vault received ${totals[busiest] - busiestMinimum} request(s) beyond the minimum (authentication challenges, retries, extra list calls).`,
    ];
    const phases = summarizeTimeline(timeline.seconds, MAX_RPS);
    notes.push(
      `The source's ${Math.ceil(estate.count / PAGE_SIZE)} list pages, requested one after another, were served by second ${phases.listingEndedAtSecond}; ` +
        `meanwhile it served ${phases.otherRateWhileListing.toFixed(0)} value reads per second. After the listing it served ` +
        `${phases.rateAfterListing.toFixed(0)} requests per second on average, and first reached 90 % of ${MAX_RPS} in second ${phases.reachedNinetyPercentAtSecond ?? 'never'}.`,
      `Requests the source served in each second: ${formatTimeline(timeline.seconds)}.`,
    );
    if (ratio > MAX_RATIO) {
      notes.push(
        `Missed: the run took ${ratio.toFixed(2)} x the bound. The bound assumes the source serves ${MAX_RPS} requests in every second of the run; ` +
          'the timeline above shows the seconds in which it did not.',
      );
    }
    return {
      metrics,
      checks: [{ target: `initial sync <= ${MAX_RATIO} x the throttle bound`, measured: `${ratio.toFixed(2)} x (${(run.wallTimeInMs / 1000).toFixed(1)} s against ${(boundInMs / 1000).toFixed(1)} s)`, met: ratio <= MAX_RATIO }],
      notes,
      details: { requestsByVault: requests, totalsByVault: totals, kvdrVaults: run.report?.vaults, sourceTimeline: timeline.seconds },
    };
  },
};
