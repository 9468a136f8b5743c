import assert from 'node:assert/strict';

import { isEngineError } from '../../../src/core/errors';
import type { SecretRecord } from '../../../src/core/vault/port';
import { MemoryVaultStore } from '../../helpers/memory-store';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isEngineError(error) && error.code === code);
}

describe('MemoryVaultStore', () => {
  let now: number;
  let store: MemoryVaultStore;

  beforeEach(() => {
    now = 1_733_300_000;
    store = new MemoryVaultStore({ vaultId: 'kv-app-weu', clock: () => now });
  });

  it('keeps the first spelling of a name', async () => {
    await store.setSecret('Db-Password', 'one', {});
    await store.setSecret('db-password', 'two', {});
    const listed = await collect(store.listSecrets());
    assert.equal(listed.length, 1);
    assert.equal(listed[0].name, 'Db-Password');
    assert.equal(store.versionCount('DB-PASSWORD'), 2);
    assert.equal((await store.getSecret('db-PASSWORD')).value, 'two');
  });

  it('lists without versions, gets with them', async () => {
    const written = await store.setSecret('a', 'value-a', { tags: { team: 'x' }, contentType: 'text/plain' });
    assert.match(written.version, /^[0-9a-f]{32}$/);
    const [listed] = await collect(store.listSecrets());
    assert.equal(listed.version, '');
    assert.deepEqual(listed.tags, { team: 'x' });
    assert.equal(listed.contentType, 'text/plain');
    assert.equal(listed.createdOn, now);
    const versions = await collect(store.listVersions('a'));
    assert.deepEqual(versions.map((item) => item.version), [written.version]);
    await rejectsWithCode(collect(store.listVersions('unknown')), 'not-found');
  });

  it('counts one list request per page', async () => {
    for (let index = 0; index < 60; index += 1) store.seed(`s${index}`, 'v');
    const listed = await collect(store.listSecrets());
    assert.equal(listed.length, 60);
    assert.equal(store.stats().requestsByOperation.listSecrets, 3);

    const empty = new MemoryVaultStore();
    await collect(empty.listSecrets());
    assert.equal(empty.stats().requestsByOperation.listSecrets, 1);
  });

  it('updates properties without a new version', async () => {
    const written = await store.setSecret('a', 'v', { tags: { k: '1' } });
    now += 10;
    const updated = await store.updateSecretProperties('a', written.version, { enabled: false, tags: { k: '2' } });
    assert.equal(updated.version, written.version);
    assert.equal(updated.enabled, false);
    assert.deepEqual(updated.tags, { k: '2' });
    assert.equal(updated.updatedOn, now);
    assert.equal(updated.createdOn, now - 10);
    assert.equal(store.versionCount('a'), 1);
  });

  it('rejects a get of a disabled version', async () => {
    store.seed('off', 'v', { enabled: false });
    await rejectsWithCode(store.getSecret('off'), 'disabled');
  });

  it('soft-deletes, recovers and purges', async () => {
    store.seed('a', 'v');
    const deleted = await store.deleteSecret('a');
    assert.equal(deleted.deletedOn, now);
    assert.deepEqual(await collect(store.listSecrets()), []);
    assert.equal((await collect(store.listDeletedSecrets())).length, 1);
    await rejectsWithCode(store.getSecret('a'), 'not-found');
    await rejectsWithCode(store.setSecret('A', 'w', {}), 'deleted-but-recoverable');

    const recovered = await store.recoverDeletedSecret('a');
    assert.equal(recovered.name, 'a');
    assert.equal((await store.getSecret('a')).value, 'v');

    await store.deleteSecret('a');
    await store.purgeDeletedSecret('a');
    assert.equal(await store.getDeletedSecret('a'), undefined);
    assert.equal(store.versionCount('a'), 0);
  });

  it('recovers a live secret as a no-op', async () => {
    store.seed('a', 'v');
    const recovered = await store.recoverDeletedSecret('a');
    assert.equal(recovered.name, 'a');
    assert.equal(store.versionCount('a'), 1);
    await rejectsWithCode(store.recoverDeletedSecret('never-existed'), 'not-found');
  });

  it('rejects purge under purge protection', async () => {
    const protectedStore = new MemoryVaultStore({ purgeProtection: true });
    protectedStore.seed('a', 'v');
    await protectedStore.deleteSecret('a');
    await rejectsWithCode(protectedStore.purgeDeletedSecret('a'), 'forbidden-by-policy');
  });

  it('rejects writes to certificate-backed secrets', async () => {
    store.seed('cert', 'pem', { managed: true });
    const [listed] = await collect(store.listSecrets());
    assert.equal(listed.managed, true);
    await rejectsWithCode(store.setSecret('cert', 'x', {}), 'forbidden-by-policy');
    await rejectsWithCode(store.updateSecretProperties('cert', '', { enabled: false }), 'forbidden-by-policy');
  });

  it("enforces Key Vault's limits", async () => {
    await rejectsWithCode(store.setSecret('bad_name', 'v', {}), 'bad-request');
    await rejectsWithCode(store.setSecret('big', 'x'.repeat(25_601), {}), 'bad-request');
    const tags = Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`t${index}`, 'v']));
    await rejectsWithCode(store.setSecret('tags', 'v', { tags }), 'bad-request');
    await store.setSecret('exact', 'x'.repeat(25_600), {});
  });

  it('injects failures by operation and name', async () => {
    store.seed('a', 'v');
    store.injectFailure({ code: 'throttled', operation: 'getSecret', secretName: 'A', times: 2 });
    await rejectsWithCode(store.getSecret('a'), 'throttled');
    await rejectsWithCode(store.getSecret('a'), 'throttled');
    assert.equal((await store.getSecret('a')).value, 'v');
    assert.equal(store.stats().requestsByOperation.getSecret, 3);
  });

  it('keeps values out of error messages', async () => {
    store.seed('a', 'hunter2-value', { enabled: false });
    const error = await store.getSecret('a').catch((caught: unknown) => caught);
    assert.ok(isEngineError(error));
    assert.ok(!error.message.includes('hunter2-value'));
    assert.match(error.message, /kv-app-weu/);
    assert.match(error.message, /"a"/);
  });

  it('stops on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await rejectsWithCode(store.setSecret('a', 'v', {}, { abortSignal: controller.signal }), 'aborted');
  });

  it('returns copies that callers cannot change', async () => {
    store.seed('a', 'v', { tags: { k: '1' } });
    const [listed]: SecretRecord[] = await collect(store.listSecrets());
    listed.tags.k = 'changed';
    const [again] = await collect(store.listSecrets());
    assert.equal(again.tags.k, '1');
  });
});
