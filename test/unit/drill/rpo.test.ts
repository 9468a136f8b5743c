import assert from 'node:assert/strict';

import { measureDataAtRisk, takeInventories } from '../../../src/core/drill/rpo';
import { meetsRpoTarget } from '../../../src/core/drill/steps';
import { createSecretFilter } from '../../../src/core/sync/filters';
import { formatOrigin } from '../../../src/core/sync/lineage';
import { MemoryVaultStore } from '../../helpers/memory-store';

describe('data at risk', () => {
  const now = Math.floor(Date.now() / 1000);

  function vaults(): { primary: MemoryVaultStore; survivor: MemoryVaultStore } {
    const primary = new MemoryVaultStore({ vaultId: 'kv-weu' });
    const survivor = new MemoryVaultStore({ vaultId: 'kv-neu' });
    return { primary, survivor };
  }

  function replicate(primary: MemoryVaultStore, survivor: MemoryVaultStore, name: string, createdOn: number): void {
    const record = primary.seed(name, 'v', { createdOn });
    survivor.seed(name, 'v', { createdOn: createdOn + 1, tags: { 'kvdr-origin': formatOrigin({ vaultId: 'kv-weu', version: record.version, createdOn }) } });
  }

  it('counts missing and stale secrets', async () => {
    const { primary, survivor } = vaults();
    replicate(primary, survivor, 'in-sync', now - 500);
    primary.seed('missing', 'v', { createdOn: now - 120 });
    replicate(primary, survivor, 'stale', now - 900);
    primary.seed('stale', 'v2', { createdOn: now - 30 });

    const [risk] = measureDataAtRisk(await takeInventories(primary, [survivor]), createSecretFilter());
    assert.equal(risk.vaultId, 'kv-neu');
    assert.equal(risk.count, 2);
    assert.deepEqual(risk.secrets, ['missing', 'stale']);
    assert.ok(risk.oldestAgeInMs >= 120_000, `oldest age ${risk.oldestAgeInMs}`);
    assert.ok(risk.oldestAgeInMs < 180_000, `oldest age ${risk.oldestAgeInMs}`);
  });

  it('ignores newer survivor writes', async () => {
    const { primary, survivor } = vaults();
    primary.seed('written-both', 'v', { createdOn: now - 60 });
    survivor.seed('written-both', 'w', { createdOn: now - 10 });
    const [risk] = measureDataAtRisk(await takeInventories(primary, [survivor]), createSecretFilter());
    assert.equal(risk.count, 0);
    assert.equal(risk.oldestAgeInMs, 0);
  });

  it('skips secrets deleted in their origin survivor', async () => {
    const { primary, survivor } = vaults();
    primary.seed('deleted-in-neu', 'v', { createdOn: now - 60, tags: { 'kvdr-origin': formatOrigin({ vaultId: 'kv-neu', version: 'a'.repeat(32), createdOn: now - 90 }) } });
    primary.seed('written-in-sec', 'v', { createdOn: now - 60, tags: { 'kvdr-origin': formatOrigin({ vaultId: 'kv-sec', version: 'b'.repeat(32), createdOn: now - 90 }) } });

    const [risk] = measureDataAtRisk(await takeInventories(primary, [survivor]), createSecretFilter());

    assert.deepEqual(risk.secrets, ['written-in-sec']);
  });

  it('skips disabled primary versions', async () => {
    const { primary, survivor } = vaults();
    primary.seed('disabled', 'v', { createdOn: now - 60, enabled: false });

    const [risk] = measureDataAtRisk(await takeInventories(primary, [survivor]), createSecretFilter());

    assert.equal(risk.count, 0);
  });

  it('skips bookkeeping and filtered secrets', async () => {
    const { primary, survivor } = vaults();
    primary.seed('kvdr-drill-state', '{}', { createdOn: now - 60 });
    primary.seed('other-app', 'v', { createdOn: now - 60 });
    primary.seed('app-key', 'v', { createdOn: now - 60 });
    const [risk] = measureDataAtRisk(await takeInventories(primary, [survivor]), createSecretFilter({ include: ['app-*'] }));
    assert.deepEqual(risk.secrets, ['app-key']);
  });

  it('meetsRpoTarget treats 0 as no loss', () => {
    assert.equal(meetsRpoTarget({ count: 0, oldestAgeInMs: 0 }, 0), true);
    assert.equal(meetsRpoTarget({ count: 1, oldestAgeInMs: 0 }, 0), false);
    assert.equal(meetsRpoTarget({ count: 1, oldestAgeInMs: 59_000 }, 60_000), true);
    assert.equal(meetsRpoTarget({ count: 1, oldestAgeInMs: 61_000 }, 60_000), false);
  });
});
