import assert from 'node:assert/strict';

import type { VaultNetworkSettings, VaultResourceInfo } from '../../../src/core/access/arm';
import { listRunClaims, recoverRuns, runDrill, type NetworkControl, type RunDrillOptions } from '../../../src/core/drill';
import { EngineError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/log';
import { createSecretFilter } from '../../../src/core/sync/filters';
import { MemoryVaultStore } from '../../helpers/memory-store';

const RESOURCE_ID = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-weu';
const ORIGINAL: VaultNetworkSettings = {
  publicNetworkAccess: 'Enabled',
  networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny', ipRules: ['203.0.113.0/24'], virtualNetworkRules: [] },
};

/** ARM in memory: closing the primary makes every call to it fail as Key Vault's firewall does. */
class FakeNetwork implements NetworkControl {
  settings: VaultNetworkSettings = structuredClone(ORIGINAL);
  /** Restores (writes that open the vault) that fail before one succeeds. */
  failingRestores = 0;
  privateEndpointConnections = 0;
  canWrite = true;

  constructor(private readonly primary: MemoryVaultStore) {}

  async getVault(resourceId: string): Promise<VaultResourceInfo> {
    return { resourceId, vaultUri: this.primary.vaultUrl, networkSettings: structuredClone(this.settings), privateEndpointConnections: this.privateEndpointConnections };
  }

  async setNetworkSettings(_resourceId: string, settings: VaultNetworkSettings, abortSignal?: AbortSignal): Promise<VaultNetworkSettings> {
    // Like the real ARM client, a call whose abort signal has fired fails.
    abortSignal?.throwIfAborted();
    if (settings.publicNetworkAccess === 'Enabled' && this.failingRestores > 0) {
      this.failingRestores -= 1;
      throw new EngineError('unavailable', 'ARM returned 503.');
    }
    this.settings = structuredClone(settings);
    this.primary.clearFailures();
    if (settings.publicNetworkAccess === 'Disabled') this.primary.injectFailure({ code: 'forbidden-by-firewall', times: Infinity });
    return structuredClone(settings);
  }

  async canWriteVault(): Promise<boolean> {
    return this.canWrite;
  }
}

function setup(): { primary: MemoryVaultStore; neu: MemoryVaultStore; sea: MemoryVaultStore; network: FakeNetwork; options: RunDrillOptions } {
  const primary = new MemoryVaultStore({ vaultId: 'kv-weu' });
  const neu = new MemoryVaultStore({ vaultId: 'kv-neu' });
  const sea = new MemoryVaultStore({ vaultId: 'kv-sea', purgeProtection: true });
  const network = new FakeNetwork(primary);
  const options: RunDrillOptions = {
    primary,
    secondaries: [neu, sea],
    mode: 'network',
    primaryResourceId: RESOURCE_ID,
    network,
    rtoTargetInMs: 60_000,
    rpoTargetInMs: 0,
    filter: createSecretFilter(),
    jobId: 'job-1',
    lockSettleInMs: 0,
    probeIntervalInMs: 10,
    propagationTimeoutInMs: 2_000,
  };
  return { primary, neu, sea, network, options };
}

/** Creates a logger that keeps every line, by level. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    group: (_name, fn) => fn(),
  };
  return { logger, lines };
}

describe('runDrill with in-memory vaults', () => {
  it('logs the network restore after a cancel', async () => {
    const { network, options } = setup();
    const cancel = new AbortController();
    const { logger, lines } = recordingLogger();

    const result = await runDrill({
      ...options,
      abortSignal: cancel.signal,
      logger,
      // Ctrl+C right after the primary was closed.
      onStepFinished: (name) => {
        if (name === 'loss') cancel.abort(new Error('Received SIGINT.'));
      },
    });

    assert.deepEqual(network.settings, ORIGINAL);
    assert.equal(result.network?.restored, true);
    assert.equal(result.steps.find((step) => step.name === 'failback')?.status, 'failed');
    // The failback step's error names the aborted ARM call, so the log must also report the restore.
    const restoreLines = lines.filter((line) => line.startsWith('info: ') && line.includes('Restored the network settings of kv-weu'));
    assert.equal(restoreLines.length, 1, lines.join('\n'));
  });

  it('network mode restores at failback', async () => {
    const { network, neu, options } = setup();
    const result = await runDrill(options);
    assert.deepEqual(result.steps.map((step) => `${step.name} ${step.status}`), ['preflight passed', 'loss passed', 'canary passed', 'failover-reads passed', 'failback passed', 'cleanup passed']);
    assert.equal(result.passed, true);
    assert.deepEqual(network.settings, ORIGINAL);
    assert.equal(result.network?.restoredBy, 'failback');
    assert.deepEqual(result.network?.original, ORIGINAL);
    const claims = await listRunClaims(neu);
    assert.deepEqual(claims.map((claim) => [claim.runId, claim.status]), [[result.runId, 'finished']]);
  });

  it('restores in finally after a failed failback', async () => {
    const { network, options } = setup();
    network.failingRestores = 1;
    const result = await runDrill(options);
    assert.equal(result.steps.find((step) => step.name === 'failback')?.status, 'failed');
    assert.equal(result.network?.restored, true);
    assert.equal(result.network?.restoredBy, 'finally');
    assert.deepEqual(network.settings, ORIGINAL);
    assert.equal(result.passed, false);
  });

  it('leaves the lock to a post-job restore', async () => {
    const { network, neu, primary, sea, options } = setup();
    // Failback, the retry before cleanup and the retry in finally all fail.
    network.failingRestores = 3;
    const result = await runDrill(options);
    assert.equal(result.network?.restored, false);
    assert.match(result.network?.restoreError ?? '', /ARM returned 503/);
    assert.equal(network.settings.publicNetworkAccess, 'Disabled');
    assert.deepEqual((await listRunClaims(neu)).map((claim) => claim.status), ['running']);

    const recovered = await recoverRuns({
      stores: [primary, neu, sea],
      network,
      select: (claim) => claim.status === 'running' && claim.jobId === 'job-1',
      propagationTimeoutInMs: 1_000,
      probeIntervalInMs: 10,
    });
    assert.deepEqual(recovered.runs.map((run) => [run.runId, run.error]), [[result.runId, undefined]]);
    assert.deepEqual(network.settings, ORIGINAL);
    assert.deepEqual((await listRunClaims(neu)).map((claim) => claim.status), ['restored']);
    assert.deepEqual((await listRunClaims(primary)).map((claim) => [claim.role, claim.status]), [['lock', 'restored']]);
    assert.deepEqual((await listRunClaims(sea)).map((claim) => [claim.role, claim.status]), [['lock', 'restored']]);
  });

  it('stops at preflight for private endpoints', async () => {
    const { network, options } = setup();
    network.privateEndpointConnections = 1;
    const result = await runDrill(options);
    assert.equal(result.steps[0].status, 'failed');
    assert.match(result.steps[0].error ?? '', /private endpoint.*--mode logical.*Chaos Studio/);
    assert.deepEqual(result.steps.slice(1).map((step) => step.status), ['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    assert.equal(result.network?.closed, false);
    assert.deepEqual(network.settings, ORIGINAL);
  });

  it('refuses a second drill while locked', async () => {
    const { options } = setup();
    let second: Promise<unknown> | undefined;
    const first = await runDrill({ ...options, onLockAcquired: () => (second = runDrill({ ...options, jobId: 'job-2' })) });
    assert.equal(first.passed, true);
    await assert.rejects(second!, /Another drill is in progress: drill \S+ \(job job-1\) holds the lock/);
  });

  it('refuses a drill sharing other vaults', async () => {
    const { primary, neu, sea, options } = setup();
    const logical: RunDrillOptions = { ...options, mode: 'logical', rpoTargetInMs: 3_600_000 };
    let second: Promise<unknown> | undefined;
    const first = await runDrill({ ...logical, onLockAcquired: () => (second = runDrill({ ...logical, primary: sea, secondaries: [primary], jobId: 'job-2' })) });
    assert.equal(first.passed, true);
    await assert.rejects(second!, /Another drill is in progress: drill \S+ \(job job-1\) holds the lock in \S*kv-(sea|weu)/);

    assert.deepEqual((await listRunClaims(neu)).map((claim) => [claim.role, claim.status]), [['state', 'finished']]);
    for (const store of [primary, sea]) {
      const claims = (await listRunClaims(store)).map((claim) => `${claim.runId === first.runId ? 'first' : 'second'} ${claim.role} ${claim.status}`).sort();
      assert.deepEqual(claims, ['first lock finished'], store.vaultId);
    }
  });

  it('withdraws its claim when stopped while locking', async () => {
    const { neu, options } = setup();
    const controller = new AbortController();
    const stopping = setTimeout(() => controller.abort(), 50);

    await assert.rejects(runDrill({ ...options, lockSettleInMs: 5_000, abortSignal: controller.signal }));
    clearTimeout(stopping);

    const statuses = (await listRunClaims(neu)).map((claim) => claim.status);
    assert.deepEqual(statuses, ['withdrawn']);
    const next = await runDrill({ ...options, jobId: 'job-2' });
    assert.equal(next.passed, true);
  });

  it('never runs two racing drills', async () => {
    const { neu, options } = setup();
    const results = await Promise.allSettled([runDrill(options), runDrill({ ...options, jobId: 'job-2' })]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    assert.ok(fulfilled.length <= 1, 'both drills ran');
    for (const rejection of rejected) assert.match(String(rejection.reason), /Another drill is in progress/);
    const statuses = (await listRunClaims(neu)).map((claim) => claim.status).sort();
    assert.deepEqual(statuses, fulfilled.length === 1 ? ['finished', 'withdrawn'] : ['withdrawn', 'withdrawn']);
  });
});
