import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runSyncCommand } from '../../../src/commands/sync';
import type { VaultReference } from '../../../src/core/vault/url';
import { MemoryVaultStore } from '../../helpers/memory-store';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';
import { TestClock } from './fixtures';

describe('kvdr sync report paths', () => {
  let directory: string;
  let stores: Map<string, MemoryVaultStore>;
  const openStore = (reference: VaultReference): MemoryVaultStore => {
    const store = stores.get(reference.id);
    if (store === undefined) throw new Error(`unexpected vault ${reference.id}`);
    return store;
  };
  const run = async (inputs: Inputs) => {
    const host = new RecordingHost(inputs);
    const code = await runSyncCommand(host, { openStore });
    return { host, code };
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-report-paths-'));
    const clock = new TestClock();
    stores = new Map(['kv-src', 'kv-a'].map((vaultId) => [vaultId, new MemoryVaultStore({ vaultId, clock: clock.read })]));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  for (const name of ['report', 'markdown', 'junit'] as const) {
    it(`rejects --${name} under a file`, async () => {
      const file = join(directory, 'not-a-folder');
      writeFileSync(file, '');
      const { host, code } = await run({ source: 'kv-src', target: 'kv-a', [name]: join(file, 'out.txt') });

      assert.equal(code, 1);
      assert.match(host.message ?? '', new RegExp(`--${name} ".+out\\.txt" is inside ".+not-a-folder", which is a file`));
      for (const store of stores.values()) assert.deepEqual(store.stats().requestsByOperation, {});
    });
  }
});
