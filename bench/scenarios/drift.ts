/**
 * A drift check of 20,000 secrets across 3 vaults: the replicas are seeded in sync with the source
 * (same values, `kvdr-origin` tags naming the source's versions), then a few pairs are made to
 * drift. Measures the default check with a source, the mesh check and `--deep`: wall time, peak RSS
 * and requests by operation per vault.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { generateSecrets, REMOTE_VAULT_FAULTS, requestsByVault, resetRequests, setRemote, startBenchEmulator } from '../harness/emulator';
import { assertExitCode, runKvdrMeasured, type MeasuredRun } from '../harness/kvdr-process';
import type { BenchScenario, Metric } from '../harness/types';

const VAULTS = ['kv-drift-src', 'kv-drift-t1', 'kv-drift-t2'];
/** Secrets per vault at scale 1. */
const SECRET_COUNT = 20_000;
/** Pairs made to drift in each target: missing from the first, a tag changed in the second. */
const DRIFTED_PER_TARGET = 20;
const PAGE_SIZE = 25;
const LIST_OPERATIONS = new Set(['listSecrets', 'listVersions', 'listDeletedSecrets']);

interface VaultRequests {
  vaultId: string;
  requestsByOperation: Record<string, number>;
}

function vaultsOf(run: MeasuredRun): VaultRequests[] {
  return (run.report?.vaults ?? []) as VaultRequests[];
}

function nonListRequests(run: MeasuredRun): number {
  return vaultsOf(run).reduce(
    (sum, vault) => sum + Object.entries(vault.requestsByOperation).filter(([operation]) => !LIST_OPERATIONS.has(operation)).reduce((total, [, count]) => total + count, 0),
    0,
  );
}

function describeRequests(run: MeasuredRun): string {
  return vaultsOf(run)
    .map((vault) => `${vault.vaultId}: ${Object.entries(vault.requestsByOperation).map(([operation, count]) => `${operation} ${count}`).join(', ')}`)
    .join('; ');
}

function driftCountOf(run: MeasuredRun): number {
  return (run.report as { driftCount?: number } | undefined)?.driftCount ?? -1;
}

function rssInMb(run: MeasuredRun): number {
  return (run.peakRssInBytes ?? 0) / 1e6;
}

export const scenario: BenchScenario = {
  name: 'drift',
  title: 'Drift check of 20,000 secrets in 3 vaults',
  description:
    `kvdr drift compares a source with 2 replicas of 20,000 secrets each, ${DRIFTED_PER_TARGET} pairs drifted per replica, at Key Vault's throttle with ` +
    `${REMOTE_VAULT_FAULTS.latencyMs} ms latency and the default --max-rps: with --source, as a mesh, and with --deep. Requests by operation, wall time and peak RSS are recorded.`,
  order: 50,
  async run(context) {
    const { emulator, ready } = await startBenchEmulator(context, 'drift', VAULTS);
    const count = context.count(SECRET_COUNT);
    const urls = VAULTS.map((vault) => ready.vaults[vault]);
    const sourceId = new URL(urls[0]).host;
    const createdOn = Math.floor(Date.now() / 1000) - 86_400;

    context.log(`drift: seeding ${count} secrets in each of ${VAULTS.join(', ')}`);
    const secrets = generateSecrets(count);
    emulator.admin.seed(VAULTS[0], secrets.map((secret) => ({ ...secret, createdOn })));
    // A replica as kvdr sync writes it: the same value and properties, and lineage naming the source
    // version. Both replicas of a secret name the same version, as copies of one source version do.
    const versions = secrets.map(() => randomBytes(16).toString('hex'));
    const replica = (secret: (typeof secrets)[number], index: number) => ({
      ...secret,
      createdOn: createdOn + 60,
      tags: { ...secret.tags, 'kvdr-origin': `${sourceId}/${versions[index]}/${createdOn}` },
    });
    emulator.admin.seed(VAULTS[1], secrets.slice(0, count - DRIFTED_PER_TARGET).map(replica));
    emulator.admin.seed(
      VAULTS[2],
      secrets.map((secret, index) => {
        const copy = replica(secret, index);
        return index < DRIFTED_PER_TARGET ? { ...copy, tags: { ...copy.tags, env: 'staging' } } : copy;
      }),
    );
    await setRemote(emulator, VAULTS, true);

    const served = new Map<string, Record<string, Record<string, number>>>();
    const measure = async (label: string, args: string[]): Promise<MeasuredRun> => {
      resetRequests(emulator, VAULTS);
      context.log(`drift: ${label}`);
      const run = await runKvdrMeasured(['drift', ...args, '--timeout', '30m'], { env: ready.env, reportPath: join(context.workDirectory, `drift-${label.replace(/\W+/g, '-')}.json`) });
      assertExitCode(run, 2);
      served.set(label, requestsByVault(emulator, VAULTS));
      return run;
    };
    const withSource = ['--source', urls[0], '--vault', urls[1], '--vault', urls[2]];
    const oneWay = await measure('with a source', withSource);
    const mesh = await measure('as a mesh', urls.flatMap((url) => ['--vault', url]));
    const deep = await measure('with --deep', [...withSource, '--deep']);

    const expectedPages = Math.ceil(count / PAGE_SIZE);
    // The emulator counts pages served; kvdr's own count adds the request that receives the authentication challenge.
    const sourcePages = served.get('with a source')?.[VAULTS[0]]?.getSecrets ?? 0;
    const expectedDrift = 2 * DRIFTED_PER_TARGET;
    const metrics: Metric[] = [{ key: 'secrets', label: 'secrets in the source', value: count, unit: '' }];
    for (const [key, label, run] of [['source', 'with --source', oneWay], ['mesh', 'as a mesh', mesh], ['deep', 'with --source --deep', deep]] as const) {
      metrics.push(
        { key: `${key}WallTimeInMs`, label: `wall time, ${label}`, value: run.wallTimeInMs / 1000, unit: 's' },
        { key: `${key}PeakRssInMb`, label: `peak RSS, ${label}`, value: rssInMb(run), unit: 'MB' },
        { key: `${key}NonListRequests`, label: `requests other than list calls, ${label}`, value: nonListRequests(run), unit: 'requests' },
      );
    }
    return {
      metrics,
      checks: [
        { target: 'the default check makes list calls only (with --source)', measured: `${nonListRequests(oneWay)} other requests`, met: nonListRequests(oneWay) === 0 },
        { target: 'the default check makes list calls only (mesh)', measured: `${nonListRequests(mesh)} other requests`, met: nonListRequests(mesh) === 0 },
        { target: `ceil(N/25) = ${expectedPages} secret list pages served by the source`, measured: `${sourcePages} pages`, met: sourcePages === expectedPages },
        { target: `finds the ${expectedDrift} drifted pairs`, measured: `${driftCountOf(oneWay)} with --source, ${driftCountOf(deep)} with --deep`, met: driftCountOf(oneWay) === expectedDrift && driftCountOf(deep) === expectedDrift },
        { target: 'the mesh check finds drift only in the drifted secrets', measured: `${driftCountOf(mesh)} drifted pairs`, met: driftCountOf(mesh) > 0 && driftCountOf(mesh) <= 3 * 2 * DRIFTED_PER_TARGET },
      ],
      notes: [
        `Requests with --source, as kvdr counts them (one more list request per vault receives the authentication challenge): ${describeRequests(oneWay)}.`,
        `Requests as a mesh: ${describeRequests(mesh)}.`,
        `Requests with --deep: ${describeRequests(deep)}.`,
        'The replicas are seeded with lineage tags, as a sync would leave them, so the setup costs no requests. A list call returns 25 secrets, and a vault is listed page by page, so the default check waits mostly on latency, not on the throttle.',
        'Peak RSS includes garbage that V8 had not collected yet. Under --deep, every value read is also registered for masking for the rest of the run, and the CLI redacts every output line against that list.',
      ],
      details: { withSource: vaultsOf(oneWay), mesh: vaultsOf(mesh), deep: vaultsOf(deep), servedByEmulator: Object.fromEntries(served) },
    };
  },
};
