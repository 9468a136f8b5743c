/**
 * A re-sync when everything is already in sync: kvdr must decide from list calls alone, so it
 * reads no value and sends ⌈N/25⌉ list requests per vault.
 */
import { join } from 'node:path';

import { requestsByVault, resetRequests, setRemote } from '../harness/emulator';
import { assertExitCode, describeCpu, runKvdrMeasured } from '../harness/kvdr-process';
import { SYNC_VAULTS, syncArgs, syncedEstate } from '../harness/sync-estate';
import type { BenchScenario, Metric, TargetCheck } from '../harness/types';

/** Key Vault returns 25 secrets per list page. */
const PAGE_SIZE = 25;

export const scenario: BenchScenario = {
  name: 'noop',
  title: 'No-op re-sync',
  description: 'The same kvdr sync again after the initial one, at the same throttle and latency: requests by operation and time.',
  order: 20,
  async run(context) {
    const estate = await syncedEstate(context);
    const { emulator, ready } = estate.bench;
    await setRemote(emulator, SYNC_VAULTS, true);
    resetRequests(emulator, SYNC_VAULTS);

    context.log('noop: kvdr sync again, with every target in sync');
    const run = await runKvdrMeasured(syncArgs(estate), { env: ready.env, reportPath: join(context.workDirectory, 'noop.json') });
    assertExitCode(run, 0);

    const requests = requestsByVault(emulator, SYNC_VAULTS);
    const expectedPages = Math.ceil(estate.count / PAGE_SIZE);
    const valueReads = SYNC_VAULTS.reduce((sum, vault) => sum + (requests[vault].getSecret ?? 0), 0);
    const writes = SYNC_VAULTS.reduce((sum, vault) => sum + (requests[vault].setSecret ?? 0) + (requests[vault].updateSecret ?? 0), 0);
    const pages = SYNC_VAULTS.map((vault) => requests[vault].getSecrets ?? 0);

    const metrics: Metric[] = [
      { key: 'wallTimeInMs', label: 'wall time of the kvdr process', value: run.wallTimeInMs / 1000, unit: 's' },
      { key: 'engineTimeInMs', label: 'time kvdr reports for the run (after start-up)', value: (run.report?.durationInMs ?? 0) / 1000, unit: 's' },
      { key: 'valueReads', label: 'value reads (getSecret), all vaults', value: valueReads, unit: '' },
      { key: 'writes', label: 'writes (setSecret, updateSecret), all vaults', value: writes, unit: '' },
    ];
    SYNC_VAULTS.forEach((vault) => {
      const operations = Object.entries(requests[vault]).map(([operation, count]) => `${count} ${operation}`).join(', ');
      metrics.push({ key: `listRequests.${vault}`, label: `list requests to ${vault} (all requests: ${operations})`, value: requests[vault].getSecrets ?? 0, unit: '' });
    });
    const checks: TargetCheck[] = [
      { target: 'no-op: zero value reads', measured: `${valueReads} value reads`, met: valueReads === 0 },
      {
        target: `no-op: ⌈N/25⌉ = ${expectedPages} list requests per vault`,
        measured: `${pages.join(', ')} (${SYNC_VAULTS.join(', ')})`,
        met: pages.every((count) => count === expectedPages),
      },
    ];
    const notes: string[] = [describeCpu(run)];
    if (writes > 0) notes.push(`The re-run wrote ${writes} time(s); a no-op must write nothing.`);
    if (!checks[1].met) notes.push('A vault received another number of list requests than its pages: see the requests by operation above.');
    return { metrics, checks, notes, details: { requestsByVault: requests } };
  },
};
