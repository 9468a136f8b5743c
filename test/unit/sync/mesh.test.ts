import assert from 'node:assert/strict';

import { buildInventory, entryOrigin } from '../../../src/core/sync/inventory';
import { ORIGIN_TAG, parseOrigin } from '../../../src/core/sync/lineage';
import type { MemoryVaultStore } from '../../helpers/memory-store';
import { current, pair, policy, requests, summary, sync, TestClock, vaults } from './fixtures';

const mesh = (changes: Parameters<typeof policy>[0] = {}) => policy({ mode: 'mesh', ...changes });

describe('mesh sync planner', () => {
  let clock: TestClock;
  beforeEach(() => {
    clock = new TestClock();
  });

  it('creates missing replicas with the origin', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    b.seed('only-b', 'SEEDVALUE-b');

    const result = await sync([a, b, c], mesh());

    assert.equal(pair(result, 'only-b', 'kv-a').action.kind, 'create');
    assert.equal(pair(result, 'only-b', 'kv-c').action.kind, 'create');
    assert.equal(pair(result, 'only-b', 'kv-b').action.kind, 'in-sync');
    assert.equal(parseOrigin((await current(a, 'only-b'))?.tags[ORIGIN_TAG])?.vaultId, 'kv-b');
    assert.equal((await current(b, 'only-b'))?.tags[ORIGIN_TAG], undefined, 'the origin is not tagged');
  });

  it('mesh run twice creates no versions', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('x', 'SEEDVALUE-x');
    b.seed('y', 'SEEDVALUE-y', { tags: { t: '1' } });
    c.seed('z', 'SEEDVALUE-z', { enabled: false });
    await sync([a, b, c], mesh());
    const counts = ['x', 'y', 'z'].map((name) => [a, b, c].map((store) => store.versionCount(name)));

    const again = await sync([a, b, c], mesh());

    assert.equal(again.changesPresent, false);
    assert.deepEqual(['x', 'y', 'z'].map((name) => [a, b, c].map((store) => store.versionCount(name))), counts);
    assert.deepEqual(again.valuesRead, []);
  });

  it('propagates a write in a secondary without a conflict', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('s', 'SEEDVALUE-1');
    await sync([a, b, c], mesh());
    clock.advance();
    await b.setSecret('s', 'SEEDVALUE-2', {});

    const result = await sync([a, b, c], mesh({ onConflict: 'fail' }));

    assert.equal(pair(result, 's', 'kv-a').action.kind, 'update');
    assert.equal(pair(result, 's', 'kv-c').action.kind, 'update');
    assert.equal((await a.getSecret('s')).value, 'SEEDVALUE-2');
    assert.equal((await c.getSecret('s')).value, 'SEEDVALUE-2');
    assert.equal(requests(b, 'listVersions'), 1, 'the history decided it');
  });

  const policies = [
    { onConflict: 'newest-wins', winner: 'SEEDVALUE-b' },
    { onConflict: 'source-wins', winner: 'SEEDVALUE-a' },
    { onConflict: 'fail', winner: undefined },
  ] as const;
  for (const testCase of policies) {
    it(`detects concurrent writes under ${testCase.onConflict}`, async () => {
      const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
      a.seed('s', 'SEEDVALUE-1');
      await sync([a, b, c], mesh());
      a.seed('s', 'SEEDVALUE-a', { createdOn: clock.now + 10 });
      b.seed('s', 'SEEDVALUE-b', { createdOn: clock.now + 20 });

      const result = await sync([a, b, c], mesh({ onConflict: testCase.onConflict }));

      if (testCase.winner === undefined) {
        for (const vaultId of ['kv-a', 'kv-b', 'kv-c']) assert.equal(pair(result, 's', vaultId).outcome, 'conflict');
        assert.equal((await a.getSecret('s')).value, 'SEEDVALUE-a');
        assert.equal((await b.getSecret('s')).value, 'SEEDVALUE-b');
        return;
      }
      for (const store of [a, b, c]) assert.equal((await store.getSecret('s')).value, testCase.winner);
      const loser = testCase.winner === 'SEEDVALUE-a' ? 'kv-b' : 'kv-a';
      assert.equal(pair(result, 's', loser).action.resolvesConflict, true);
      assert.equal(pair(result, 's', loser).outcome, 'converged');
    });
  }

  it('skips a conflict outside the tag filter under fail', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('s', 'SEEDVALUE-1');
    a.seed('t', 'SEEDVALUE-t1', { tags: { env: 'prod' } });
    await sync([a, b, c], mesh());
    a.seed('s', 'SEEDVALUE-a', { createdOn: clock.now + 10 });
    b.seed('s', 'SEEDVALUE-b', { createdOn: clock.now + 20 });
    a.seed('t', 'SEEDVALUE-ta', { createdOn: clock.now + 10 });
    b.seed('t', 'SEEDVALUE-tb', { createdOn: clock.now + 20, tags: { env: 'prod' } });

    const result = await sync([a, b, c], mesh({ onConflict: 'fail', filter: { tags: ['env=prod'] } }));

    for (const vaultId of ['kv-a', 'kv-b', 'kv-c']) assert.equal(pair(result, 's', vaultId).outcome, 'skipped');
    assert.equal(pair(result, 's', 'kv-a').action.reason, 'excluded-by-tag');
    for (const vaultId of ['kv-a', 'kv-b', 'kv-c']) assert.equal(pair(result, 't', vaultId).outcome, 'conflict', 'one head matches the filter');
  });

  for (const deletes of ['none', 'soft-delete'] as const) {
    it(`does not re-create a secret deleted in its origin (deletes ${deletes})`, async () => {
      const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
      a.seed('s', 'SEEDVALUE-1');
      await sync([a, b, c], mesh());
      await a.deleteSecret('s');

      const result = await sync([a, b, c], mesh({ deletes }));

      assert.equal(pair(result, 's', 'kv-a').action.reason, 'deleted-in-origin');
      assert.ok(a.isDeleted('s'));
      for (const [store, vaultId] of [[b, 'kv-b'], [c, 'kv-c']] as const) {
        assert.equal(pair(result, 's', vaultId).action.kind, deletes === 'none' ? 'skip' : 'delete');
        assert.equal(store.isDeleted('s'), deletes === 'soft-delete');
      }
    });
  }

  it('re-creates a replica deleted outside its origin', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    a.seed('s', 'SEEDVALUE-1');
    await sync([a, b], mesh());
    await b.deleteSecret('s');

    const result = await sync([a, b], mesh());

    assert.equal(pair(result, 's', 'kv-b').action.kind, 'recover-then-update');
    assert.equal((await b.getSecret('s')).value, 'SEEDVALUE-1');
  });

  it('propagates a property edit in a replica by updated time', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('s', 'SEEDVALUE-1', { tags: { owner: 'x' } });
    await sync([a, b, c], mesh());
    clock.advance();
    await c.updateSecretProperties('s', '', { tags: { owner: 'y', [ORIGIN_TAG]: (await current(c, 's'))?.tags[ORIGIN_TAG] ?? '' } });

    const result = await sync([a, b, c], mesh());

    assert.equal(pair(result, 's', 'kv-a').action.kind, 'update-properties');
    assert.equal(pair(result, 's', 'kv-b').action.kind, 'update-properties');
    assert.equal((await current(a, 's'))?.tags.owner, 'y');
    assert.equal((await current(a, 's'))?.tags[ORIGIN_TAG], undefined, 'the origin keeps no lineage tag');
    assert.equal(a.versionCount('s'), 1);
  });

  it('mirrors a disable made in one vault', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    a.seed('s', 'SEEDVALUE-1');
    await sync([a, b], mesh());
    clock.advance();
    await b.updateSecretProperties('s', '', { enabled: false });

    await sync([a, b], mesh());

    assert.equal((await current(a, 's'))?.enabled, false);
    assert.equal(a.versionCount('s'), 1);
  });

  it('reconciles the others while the primary is down', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('s', 'SEEDVALUE-1');
    await sync([a, b, c], mesh());
    a.injectFailure({ code: 'unavailable', times: Infinity });
    clock.advance();
    await b.setSecret('s', 'SEEDVALUE-2', {});

    const result = await sync([a, b, c], mesh());

    assert.equal((await c.getSecret('s')).value, 'SEEDVALUE-2');
    assert.equal(pair(result, 's', 'kv-a').outcome, 'failed');
    a.clearFailures();
    const after = await sync([a, b, c], mesh({ onConflict: 'fail' }));
    assert.equal(pair(after, 's', 'kv-a').action.kind, 'update');
    assert.equal((await a.getSecret('s')).value, 'SEEDVALUE-2');
  });

  it('treats independent same-name secrets as a conflict', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    a.seed('Shared', 'SEEDVALUE-a', { createdOn: clock.now - 20 });
    b.seed('shared', 'SEEDVALUE-b', { createdOn: clock.now - 10 });

    const result = await sync([a, b], mesh());

    assert.equal(pair(result, 'shared', 'kv-a').action.resolvesConflict, true);
    assert.equal((await a.getSecret('shared')).value, 'SEEDVALUE-b');
  });

  it('keeps a conflict with a disabled winner', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('shared', 'SEEDVALUE-a', { createdOn: clock.now - 20, enabled: false });
    b.seed('shared', 'SEEDVALUE-b', { createdOn: clock.now - 10, enabled: false });

    const result = await sync([a, b, c], mesh());

    // The newer write in kv-b wins, but its value cannot be read, so kv-a keeps a write kv-b never saw.
    assert.equal(pair(result, 'shared', 'kv-a').outcome, 'conflict');
    assert.match(pair(result, 'shared', 'kv-a').action.reason ?? '', /disabled/);
    assert.equal(pair(result, 'shared', 'kv-b').outcome, 'converged');
    assert.equal(pair(result, 'shared', 'kv-c').outcome, 'skipped');
    assert.equal(a.versionCount('shared'), 1);
  });

  it('keeps an enabled losing write', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    a.seed('shared', 'SEEDVALUE-a', { createdOn: clock.now - 20 });
    b.seed('shared', 'SEEDVALUE-b', { createdOn: clock.now - 10, enabled: false });

    const result = await sync([a, b], mesh());

    assert.equal(pair(result, 'shared', 'kv-a').outcome, 'conflict');
    assert.equal((await current(a, 'shared'))?.enabled, true);
  });

  it('compares secrets with 15 tags by value hash', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, `${index}`]));
    a.seed('full', 'SEEDVALUE-full', { tags });
    await sync([a, b], mesh());

    const again = await sync([a, b], mesh());

    assert.equal(again.changesPresent, false);
    assert.equal(b.versionCount('full'), 1);
  });

  it('applies tag filters to 15-tag secrets', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, `${index}`]));
    a.seed('full', 'SEEDVALUE-full', { tags });
    a.seed('full-prod', 'SEEDVALUE-full-prod', { tags: { ...tags, t0: 'prod' } });

    const result = await sync([a, b], mesh({ filter: { tags: ['t0=prod'] } }));

    assert.equal(pair(result, 'full', 'kv-b').action.reason, 'excluded-by-tag');
    assert.equal(b.versionCount('full'), 0);
    assert.equal(b.versionCount('full-prod'), 1);
    assert.equal(result.valuesRead.includes('SEEDVALUE-full'), false, 'the excluded value was never read');
  });

  it('adds lineage once a 15-tag secret drops a tag', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, `${index}`]));
    const seeded = a.seed('full', 'SEEDVALUE-full', { tags });
    await sync([a, b], mesh({ onConflict: 'fail' }));

    const { t0: _dropped, ...fourteen } = tags;
    await a.updateSecretProperties('full', seeded.version, { tags: fourteen });
    const second = await sync([a, b], mesh({ onConflict: 'fail' }));
    assert.deepEqual(summary(second).filter((line) => !line.endsWith(' converged')), []);

    const third = await sync([a, b], mesh({ onConflict: 'fail' }));
    assert.deepEqual(summary(third), ['full@kv-a in-sync converged', 'full@kv-b in-sync converged']);
    assert.equal(third.changesPresent, false);
    assert.equal((await b.getSecret('full')).value, 'SEEDVALUE-full');
    assert.equal(a.versionCount('full'), 1);
  });

  it('skips certificate-backed names in every vault', async () => {
    const [a, b] = vaults(clock, 'kv-a', 'kv-b');
    a.seed('cert', 'SEEDVALUE-cert', { managed: true });
    const result = await sync([a, b], mesh());
    assert.equal(pair(result, 'cert', 'kv-b').action.reason, 'certificate-backed');
    assert.equal(b.versionCount('cert'), 0);
  });
});

describe('sync convergence', () => {
  /** Returns each secret's origin and user properties, the fields drift compares. */
  async function comparable(store: MemoryVaultStore): Promise<Map<string, string>> {
    const inventory = await buildInventory(store);
    const result = new Map<string, string>();
    for (const [key, entry] of inventory.entries) {
      const origin = entryOrigin(entry, store.vaultId);
      result.set(key, JSON.stringify([origin.vaultId, origin.createdOn, entry.enabled, entry.contentType ?? '', entry.expiresOn, entry.notBefore, entry.tags]));
    }
    return result;
  }

  for (const mode of ['one-way', 'mesh'] as const) {
    it(`leaves equal inventories after exit 0 (${mode})`, async () => {
      const clock = new TestClock();
      const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
      a.seed('x', 'SEEDVALUE-x', { tags: { env: 'prod' }, contentType: 'text/plain', expiresOn: 1_900_000_000 });
      a.seed('y', 'SEEDVALUE-y', { notBefore: 1_700_000_000 });
      if (mode === 'mesh') b.seed('z', 'SEEDVALUE-z', { tags: { team: 'b' } });
      clock.advance();

      const result = await sync([a, b, c], policy({ mode }));

      assert.ok(result.results.every((item) => item.outcome === 'converged'));
      const expected = await comparable(a);
      assert.deepEqual(await comparable(b), expected);
      assert.deepEqual(await comparable(c), expected);
    });
  }
});
