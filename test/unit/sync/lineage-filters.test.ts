import assert from 'node:assert/strict';

import { createSecretFilter } from '../../../src/core/sync/filters';
import { buildInventory } from '../../../src/core/sync/inventory';
import { formatOrigin, originOf, parseOrigin, tagsWithOrigin, userTags, ORIGIN_TAG } from '../../../src/core/sync/lineage';
import { supersedes } from '../../../src/core/sync/resolve';
import type { SecretRecord, VaultStore } from '../../../src/core/vault/port';

const VERSION = '9b1f0c2d9b1f0c2d9b1f0c2d9b1f0c2d';

describe('lineage tag', () => {
  it('formats and parses an origin', () => {
    const origin = { vaultId: '127.0.0.1:8443', version: VERSION, createdOn: 1_733_300_000 };
    assert.equal(formatOrigin(origin), `127.0.0.1:8443/${VERSION}/1733300000`);
    assert.deepEqual(parseOrigin(formatOrigin(origin)), origin);
  });

  for (const malformed of ['', 'kv/abc/1', `kv/${VERSION}`, `kv/${VERSION}/x`, `/${VERSION}/1`, `a/b/${VERSION}/1`]) {
    it(`rejects malformed origin "${malformed}"`, () => {
      assert.equal(parseOrigin(malformed), undefined);
    });
  }

  it('treats an untagged version as local', () => {
    const record = { tags: { env: 'prod' }, version: VERSION, createdOn: 5 };
    assert.deepEqual(originOf(record, 'kv-a'), { vaultId: 'kv-a', version: VERSION, createdOn: 5 });
  });

  it('ignores bookkeeping tags as user properties', () => {
    assert.deepEqual(userTags({ env: 'prod', [ORIGIN_TAG]: 'x', 'KVDR-other': 'y' }), { env: 'prod' });
  });

  it('leaves out lineage when 15 tags are used', () => {
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, 'v']));
    const origin = { vaultId: 'kv-a', version: VERSION, createdOn: 1 };
    assert.equal(tagsWithOrigin(tags, origin)[ORIGIN_TAG], undefined);
    assert.equal(tagsWithOrigin({ a: '1' }, origin)[ORIGIN_TAG], formatOrigin(origin));
  });

  it('orders versions of one vault by created time', () => {
    const older = { vaultId: 'kv-a', version: '', createdOn: 1 };
    const newer = { vaultId: 'kv-a', version: VERSION, createdOn: 2 };
    assert.equal(supersedes(newer, older, undefined), true);
    assert.equal(supersedes(older, newer, undefined), false);
    assert.equal(supersedes(newer, { vaultId: 'kv-b', version: '', createdOn: 1 }, undefined), undefined);
  });
});

describe('secret filter', () => {
  it('rejects a tag selector without "="', () => {
    assert.throws(() => createSecretFilter({ tags: ['env'] }), /Invalid tag selector "env"/);
  });

  it('excludes bookkeeping names whatever the globs', () => {
    const filter = createSecretFilter({ include: ['*'] });
    assert.equal(filter.exclusionOf({ name: 'KVDR-drill-state' }), 'bookkeeping');
    assert.equal(filter.exclusionOf({ name: 'app' }), undefined);
  });

  it('matches globs case-insensitively', () => {
    const filter = createSecretFilter({ include: ['App-*'], exclude: ['*-OLD'] });
    assert.equal(filter.exclusionOf({ name: 'app-db' }), undefined);
    assert.equal(filter.exclusionOf({ name: 'APP-db-old' }), 'excluded-by-name');
    assert.equal(filter.exclusionOf({ name: 'web' }), 'excluded-by-name');
  });
});

describe('inventory', () => {
  it('rejects names colliding after case folding', async () => {
    const record = (name: string): SecretRecord => ({ name, version: '', enabled: true, tags: {}, createdOn: 1, updatedOn: 1, managed: false });
    const store = {
      vaultUrl: 'https://kv-a.vault.azure.net/',
      vaultId: 'kv-a',
      async *listSecrets() {
        yield record('Api-Key');
        yield record('api-key');
      },
    } as unknown as VaultStore;
    await assert.rejects(buildInventory(store), (error: Error & { code?: string }) => error.code === 'invalid-input' && /"Api-Key" and "api-key"/.test(error.message));
  });
});
