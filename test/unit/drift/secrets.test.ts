/**
 * Secret drift on in-memory vaults: cases the emulator tests do not reach, such as secrets with 15
 * tags, delete policies, lookups that fail, and the promise that drift after a sync is empty.
 */
import assert from 'node:assert/strict';

import { checkSecretDrift, type CheckSecretDriftOptions } from '../../../src/core/drift/secrets';
import type { SecretDriftFinding } from '../../../src/core/drift/model';
import { createSecretFilter } from '../../../src/core/sync/filters';
import type { MemoryVaultStore } from '../../helpers/memory-store';
import { policy, sync, TestClock, vaults } from '../sync/fixtures';

function lines(findings: readonly SecretDriftFinding[]): string[] {
  return findings.map((finding) => `${finding.name}@${finding.vaultId} ${finding.state} ${finding.outcome}`).sort();
}

function check(stores: MemoryVaultStore[], options: Partial<CheckSecretDriftOptions> = {}) {
  const valuesRead: string[] = [];
  return checkSecretDrift({ stores, hasSource: true, filter: createSecretFilter(), onValueRead: (value) => valuesRead.push(value), ...options }).then((result) => ({ ...result, valuesRead }));
}

const FIFTEEN_TAGS = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`tag${index}`, String(index)]));

describe('secret drift', () => {
  let clock: TestClock;

  beforeEach(() => {
    clock = new TestClock();
  });

  it('finds nothing after a one-way sync', async () => {
    const [source, a, b] = vaults(clock, 'kv-src', 'kv-a', 'kv-b');
    source.seed('db', 'SEEDVALUE-db', { tags: { team: 'x' }, contentType: 'text/plain', expiresOn: 1_900_000_000 });
    source.seed('full', 'SEEDVALUE-full', { tags: FIFTEEN_TAGS });
    source.seed('off', 'SEEDVALUE-off', { enabled: false });
    a.seed('target-only', 'SEEDVALUE-t');
    clock.advance();
    assert.equal((await sync([source, a, b], policy())).results.every((item) => item.outcome !== 'failed' && item.outcome !== 'conflict'), true);
    clock.advance();

    const result = await check([source, a, b], { deep: true });

    assert.deepEqual(result.findings.filter((finding) => finding.outcome === 'drift'), []);
    assert.equal(result.unreachable.size, 0);
    assert.deepEqual(lines(result.findings.filter((finding) => finding.outcome !== 'in-sync')), [
      'off@kv-a unverifiable reported',
      'off@kv-b unverifiable reported',
      'target-only@kv-a extra reported',
    ]);
  });

  it('finds nothing after a mesh sync', async () => {
    const [a, b, c] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    a.seed('one', 'SEEDVALUE-1');
    clock.advance();
    b.seed('two', 'SEEDVALUE-2', { tags: { n: '2' } });
    clock.advance();
    await sync([a, b, c], policy({ mode: 'mesh' }));
    clock.advance();

    const result = await check([a, b, c], { hasSource: false });

    assert.deepEqual(lines(result.findings).filter((line) => !line.endsWith('in-sync in-sync')), []);
  });

  it('compares secrets with 15 tags by hash', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.seed('full', 'SEEDVALUE-full', { tags: FIFTEEN_TAGS });
    clock.advance();
    await sync([source, target], policy());
    clock.advance();
    target.seed('full', 'SEEDVALUE-edited', { tags: FIFTEEN_TAGS });

    const result = await check([source, target]);

    assert.deepEqual(lines(result.findings), ['full@kv-a value-differs drift']);
    assert.equal(result.valuesRead.length, 2, 'one read per vault');
  });

  it('counts replicas of deleted secrets under soft-delete', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.seed('gone', 'SEEDVALUE-gone');
    clock.advance();
    await sync([source, target], policy());
    await source.deleteSecret('gone');

    const retained = await check([source, target]);
    const deleted = await check([source, target], { deletes: 'soft-delete' });

    assert.deepEqual(lines(retained.findings), ['gone@kv-a extra reported']);
    assert.deepEqual(lines(deleted.findings), ['gone@kv-a extra drift']);
  });

  it('counts target-only secrets under prune', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    target.seed('local', 'SEEDVALUE-local');

    const result = await check([source, target], { prune: true });

    assert.deepEqual(lines(result.findings), ['local@kv-a extra drift']);
  });

  it('reads no value by default', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.seed('one', 'SEEDVALUE-1');
    source.seed('two', 'SEEDVALUE-2');
    clock.advance();
    await sync([source, target], policy());
    clock.advance();
    source.seed('two', 'SEEDVALUE-2b');
    const before = [source, target].map((store) => ({ ...store.stats().requestsByOperation }));

    const result = await check([source, target]);

    assert.deepEqual(lines(result.findings), ['one@kv-a in-sync in-sync', 'two@kv-a stale drift']);
    assert.deepEqual(result.valuesRead, []);
    [source, target].forEach((store, index) => {
      const after = store.stats().requestsByOperation;
      const changed = Object.keys(after).filter((operation) => after[operation] !== (before[index][operation] ?? 0));
      assert.deepEqual(changed.filter((operation) => !operation.startsWith('list')), [], `${store.vaultId} received only list calls`);
    });
  });

  it('reports a disabled replica unverifiable under deep', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    const written = source.seed('off-later', 'SEEDVALUE-off-later');
    clock.advance();
    await sync([source, target], policy());
    await source.updateSecretProperties('off-later', written.version, { enabled: false });
    clock.advance();
    await sync([source, target], policy());

    const shallow = await check([source, target]);
    const deep = await check([source, target], { deep: true });

    assert.deepEqual(lines(shallow.findings), ['off-later@kv-a in-sync in-sync']);
    assert.deepEqual(lines(deep.findings), ['off-later@kv-a unverifiable reported']);
    assert.deepEqual(deep.valuesRead, []);
  });

  it('names no policy in a diverged reason', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.seed('shared', 'SEEDVALUE-shared');
    clock.advance();
    await sync([source, target], policy());
    clock.advance();
    target.seed('shared', 'SEEDVALUE-local');

    const result = await check([source, target]);

    assert.deepEqual(lines(result.findings), ['shared@kv-a diverged drift']);
    assert.equal(result.findings[0].reason, 'The target holds a write the source never saw. Decide which write wins, then run kvdr sync with --on-conflict.');
  });

  it('skips disabled replicas under deep', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.seed('off', 'SEEDVALUE-off', { enabled: false });
    source.seed('on', 'SEEDVALUE-on');
    clock.advance();
    await sync([source, target], policy());

    const result = await check([source, target], { deep: true });

    assert.deepEqual(lines(result.findings), ['off@kv-a unverifiable reported', 'on@kv-a in-sync in-sync']);
    assert.equal(result.valuesRead.length, 2, 'the enabled secret in both vaults');
  });

  it('marks a vault whose lookup fails', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.seed('new', 'SEEDVALUE-new');
    target.injectFailure({ code: 'forbidden-by-rbac', operation: 'listDeletedSecrets', times: Infinity });

    const result = await check([source, target]);

    assert.deepEqual([...result.unreachable.keys()], ['kv-a']);
    assert.equal(result.unreachable.get('kv-a')?.code, 'forbidden-by-rbac');
  });

  it('rejects an unreachable source', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-a');
    source.injectFailure({ code: 'unavailable', operation: 'listSecrets', times: Infinity });

    await assert.rejects(check([source, target]), (error: Error & { code?: string }) => error.code === 'unavailable');
  });
});
