import assert from 'node:assert/strict';

import type { VaultNetworkSettings, VaultResourceInfo } from '../../../src/core/access/arm';
import { runDrill, type NetworkControl } from '../../../src/core/drill';
import type { Logger } from '../../../src/core/log';
import { createSecretFilter } from '../../../src/core/sync/filters';
import { MemoryVaultStore } from '../../helpers/memory-store';

const RESOURCE_ID = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-weu';
const ORIGINAL: VaultNetworkSettings = {
  publicNetworkAccess: 'Enabled',
  networkAcls: { bypass: 'None', defaultAction: 'Deny', ipRules: ['203.0.113.0/24'], virtualNetworkRules: [] },
};

/** ARM in memory that, like the real client, rejects a call whose abort signal has fired. */
class AbortingNetwork implements NetworkControl {
  settings: VaultNetworkSettings = structuredClone(ORIGINAL);

  constructor(private readonly primary: MemoryVaultStore) {}

  async getVault(resourceId: string): Promise<VaultResourceInfo> {
    return { resourceId, vaultUri: this.primary.vaultUrl, networkSettings: structuredClone(this.settings), privateEndpointConnections: 0 };
  }

  async setNetworkSettings(_resourceId: string, settings: VaultNetworkSettings, abortSignal?: AbortSignal): Promise<VaultNetworkSettings> {
    abortSignal?.throwIfAborted();
    this.settings = structuredClone(settings);
    this.primary.clearFailures();
    if (settings.publicNetworkAccess === 'Disabled') this.primary.injectFailure({ code: 'forbidden-by-firewall', times: Infinity });
    return structuredClone(settings);
  }

  async canWriteVault(): Promise<boolean> {
    return true;
  }
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

describe('drill stopped after the loss step', () => {
  it('logs the network restore', async () => {
    const primary = new MemoryVaultStore({ vaultId: 'kv-weu' });
    const network = new AbortingNetwork(primary);
    const cancel = new AbortController();
    const { logger, lines } = recordingLogger();

    const result = await runDrill({
      primary,
      secondaries: [new MemoryVaultStore({ vaultId: 'kv-neu' })],
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
});
