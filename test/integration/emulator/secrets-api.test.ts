/**
 * Conformance of the emulator's secrets API: the real SecretClient and ClientSecretCredential
 * against it, with every raw response body checked against the official secrets.json.
 */
import { strict as assert } from 'node:assert';
import type { SecretClient } from '@azure/keyvault-secrets';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createCredential, createSecretClient } from '../../helpers/emulator';
import { SpecValidator, capturePolicy, rawRequest, validateCaptured, type CapturedResponse } from './support';

const VALUE = 'kvdr-test-value-7f3a9c';

describe('emulator secrets API', () => {
  let emulator: Emulator;
  let client: SecretClient;
  let captured: CapturedResponse[];
  const validator = SpecValidator.load();

  before(async () => {
    emulator = await startEmulator({ vaults: ['kv-api', 'kv-pages'] });
  });

  after(async () => {
    await emulator.close();
    if (validator) console.log(`    (${validator.checked} response bodies matched secrets.json)`);
  });

  beforeEach(() => {
    captured = [];
    client = createSecretClient(emulator, 'kv-api', {
      options: { additionalPolicies: [{ policy: capturePolicy(captured), position: 'perRetry' }] },
    });
  });

  afterEach(() => {
    validateCaptured(validator, captured);
  });

  it('set and get latest and by version', async () => {
    const first = await client.setSecret('api-set-get', `${VALUE}-1`, { contentType: 'text/plain', tags: { team: 'a' } });
    const second = await client.setSecret('api-set-get', `${VALUE}-2`);

    assert.match(first.properties.version!, /^[0-9a-f]{32}$/);
    assert.notEqual(first.properties.version, second.properties.version);
    assert.equal((await client.getSecret('api-set-get')).value, `${VALUE}-2`);
    const byVersion = await client.getSecret('api-set-get', { version: first.properties.version });
    assert.equal(byVersion.value, `${VALUE}-1`);
    assert.equal(byVersion.properties.contentType, 'text/plain');
    assert.deepEqual(byVersion.properties.tags, { team: 'a' });
    assert.equal(byVersion.properties.vaultUrl, emulator.vaults['kv-api'].replace(/\/$/, ''));
  });

  it('times are whole Unix seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    await client.setSecret('api-times', VALUE, { expiresOn: new Date(2_000_000_000_000), notBefore: new Date(1_700_000_000_000) });
    const raw = captured.find((response) => response.method === 'PUT' && response.status === 200)!;
    const attributes = (JSON.parse(raw.body!) as { attributes: Record<string, number> }).attributes;
    assert.ok(Number.isInteger(attributes.created));
    assert.ok(attributes.created >= before - 1, `created ${attributes.created} is not before the request`);
    assert.ok(attributes.created <= before + 60, `created ${attributes.created} is close to now`);
    assert.equal(attributes.exp, 2_000_000_000);
    assert.equal(attributes.nbf, 1_700_000_000);
  });

  it('names are case-insensitive and keep the first spelling', async () => {
    await client.setSecret('Api-Case', VALUE);
    const again = await client.setSecret('API-CASE', `${VALUE}-2`);
    assert.equal(again.name, 'Api-Case');
    assert.equal((await client.getSecret('api-case')).name, 'Api-Case');
    assert.equal(emulator.admin.versionCount('kv-api', 'aPI-case'), 2);
  });

  it('update properties without a new version', async () => {
    const created = await client.setSecret('api-update', VALUE, { tags: { a: '1' } });
    const updated = await client.updateSecretProperties('api-update', created.properties.version!, {
      tags: { b: '2' },
      contentType: 'application/json',
      enabled: true,
    });
    assert.deepEqual(updated.tags, { b: '2' });
    assert.equal(updated.contentType, 'application/json');
    assert.equal(updated.version, created.properties.version);
    assert.equal(emulator.admin.versionCount('kv-api', 'api-update'), 1);
    const patch = captured.find((response) => response.method === 'PATCH')!;
    assert.equal((JSON.parse(patch.body!) as { value?: string }).value, undefined, 'update must not return the value');
  });

  it('list pages over 60 secrets', async () => {
    emulator.admin.seed(
      'kv-pages',
      Array.from({ length: 60 }, (_, i) => ({ name: `page-${String(i).padStart(2, '0')}`, value: `${VALUE}-${i}` })),
    );
    const pagedClient = createSecretClient(emulator, 'kv-pages', {
      options: { additionalPolicies: [{ policy: capturePolicy(captured), position: 'perRetry' }] },
    });
    emulator.admin.resetStats('kv-pages');

    const names: string[] = [];
    for await (const properties of pagedClient.listPropertiesOfSecrets()) names.push(properties.name);
    assert.equal(names.length, 60);
    assert.equal(new Set(names).size, 60);
    assert.equal(emulator.admin.stats('kv-pages').byOperation.getSecrets, 3, 'default page size is 25: 25 + 25 + 10');

    const pages: number[] = [];
    for await (const page of pagedClient.listPropertiesOfSecrets().byPage({ maxPageSize: 7 })) pages.push(page.length);
    assert.deepEqual(pages, [7, 7, 7, 7, 7, 7, 7, 7, 4]);

    const firstPage = captured.find((response) => response.status === 200 && new URL(response.url).pathname === '/secrets')!;
    const nextLink = (JSON.parse(firstPage.body!) as { nextLink: string }).nextLink;
    assert.ok(nextLink.startsWith(emulator.vaults['kv-pages']), `nextLink is absolute: ${nextLink}`);
    assert.match(nextLink, /api-version=2025-07-01/);
  }).timeout(120_000);

  it('versions and deleted lists page too', async () => {
    emulator.admin.seed('kv-pages', Array.from({ length: 30 }, (_, i) => ({ name: 'many-versions', value: `${VALUE}-${i}` })));
    const pagedClient = createSecretClient(emulator, 'kv-pages', {
      options: { additionalPolicies: [{ policy: capturePolicy(captured), position: 'perRetry' }] },
    });
    emulator.admin.resetStats('kv-pages');
    let versions = 0;
    for await (const _ of pagedClient.listPropertiesOfSecretVersions('many-versions')) versions += 1;
    assert.equal(versions, 30);
    assert.equal(emulator.admin.stats('kv-pages').byOperation.getSecretVersions, 2, '25 + 5');

    for (let i = 0; i < 27; i++) await pagedClient.beginDeleteSecret(`page-${String(i).padStart(2, '0')}`, { intervalInMs: 10 }).then((poller) => poller.pollUntilDone());
    emulator.admin.resetStats('kv-pages');
    let deleted = 0;
    for await (const _ of pagedClient.listDeletedSecrets()) deleted += 1;
    assert.equal(deleted, 27);
    assert.equal(emulator.admin.stats('kv-pages').byOperation.getDeletedSecrets, 2, '25 + 2');
  }).timeout(120_000);

  it('oversized body is a BadParameter', async () => {
    const token = await createCredential(emulator).getToken('https://vault.azure.net/.default');
    const response = await rawRequest(`${emulator.vaults['kv-api']}secrets/api-huge?api-version=2025-07-01`, {
      ca: emulator.ca,
      method: 'PUT',
      headers: { authorization: `Bearer ${token!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'x'.repeat(5 * 1024 * 1024) }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'BadParameter');
  });

  it('maxresults above 25 is rejected', async () => {
    const token = await createCredential(emulator).getToken('https://vault.azure.net/.default');
    const response = await rawRequest(`${emulator.vaults['kv-api']}secrets?api-version=2025-07-01&maxresults=26`, {
      ca: emulator.ca,
      headers: { authorization: `Bearer ${token!.token}` },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'BadParameter');
    validator?.validate('KeyVaultError', response.json(), 'maxresults 26');
  });

  it('list versions', async () => {
    await client.setSecret('api-versions', `${VALUE}-1`);
    await client.setSecret('api-versions', `${VALUE}-2`);
    await client.setSecret('api-versions', `${VALUE}-3`);
    const versions: string[] = [];
    for await (const properties of client.listPropertiesOfSecretVersions('api-versions')) versions.push(properties.version!);
    assert.equal(versions.length, 3);
    versions.forEach((version) => assert.match(version, /^[0-9a-f]{32}$/));
  });

  it('soft delete, get and list deleted, recover', async () => {
    await client.setSecret('api-delete', VALUE, { tags: { keep: 'yes' } });
    const poller = await client.beginDeleteSecret('api-delete', { intervalInMs: 20 });
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, 'api-delete');
    assert.ok(deleted.properties.recoveryId?.endsWith('/deletedsecrets/api-delete'));
    assert.ok(deleted.properties.deletedOn instanceof Date);
    assert.ok(deleted.properties.scheduledPurgeDate! > deleted.properties.deletedOn!);

    await assert.rejects(client.getSecret('api-delete'), (error: { statusCode?: number }) => error.statusCode === 404);
    assert.equal((await client.getDeletedSecret('api-delete')).name, 'api-delete');
    const deletedNames: string[] = [];
    for await (const item of client.listDeletedSecrets()) deletedNames.push(item.name);
    assert.ok(deletedNames.includes('api-delete'));

    const recovered = await (await client.beginRecoverDeletedSecret('api-delete', { intervalInMs: 20 })).pollUntilDone();
    assert.equal(recovered.name, 'api-delete');
    const after = await client.getSecret('api-delete');
    assert.equal(after.value, VALUE);
    assert.deepEqual(after.properties.tags, { keep: 'yes' });
  });

  it('purge removes a deleted secret', async () => {
    await client.setSecret('api-purge', VALUE);
    await (await client.beginDeleteSecret('api-purge', { intervalInMs: 20 })).pollUntilDone();
    await client.purgeDeletedSecret('api-purge');
    await assert.rejects(client.getDeletedSecret('api-purge'), (error: { statusCode?: number }) => error.statusCode === 404);
    assert.equal(emulator.admin.versionCount('kv-api', 'api-purge'), 0);
    await client.setSecret('api-purge', `${VALUE}-new`);
    assert.equal((await client.getSecret('api-purge')).value, `${VALUE}-new`);
  });

  it('backup and restore keep every version', async () => {
    await client.setSecret('api-backup', `${VALUE}-1`, { tags: { a: 'b' } });
    await client.setSecret('api-backup', `${VALUE}-2`);
    const blob = await client.backupSecret('api-backup');
    assert.ok(blob, 'backup returned a blob');
    assert.ok(blob.length > 0, 'the backup blob is not empty');
    assert.ok(!Buffer.from(blob).toString('utf8').includes(VALUE), 'the backup blob must not show the value');

    await assert.rejects(client.restoreSecretBackup(blob), (error: { statusCode?: number }) => error.statusCode === 409);
    await (await client.beginDeleteSecret('api-backup', { intervalInMs: 20 })).pollUntilDone();
    await client.purgeDeletedSecret('api-backup');
    const restored = await client.restoreSecretBackup(blob);
    assert.equal(restored.name, 'api-backup');
    assert.equal(emulator.admin.versionCount('kv-api', 'api-backup'), 2);
    assert.equal((await client.getSecret('api-backup')).value, `${VALUE}-2`);
  });

  it('restore rejects a foreign blob', async () => {
    await assert.rejects(client.restoreSecretBackup(new Uint8Array([1, 2, 3, 4])), (error: { statusCode?: number; code?: string }) => {
      return error.statusCode === 400 && error.code === 'BadParameter';
    });
  });

  describe('validation', () => {
    const cases: { title: string; name: string; value: string; options?: Parameters<SecretClient['setSecret']>[2] }[] = [
      { title: 'name with underscore', name: 'bad_name', value: VALUE },
      { title: 'name of 128 characters', name: 'n'.repeat(128), value: VALUE },
      { title: 'value over 25,600 bytes', name: 'big-value', value: 'x'.repeat(25_601) },
      { title: '16 tags', name: 'many-tags', value: VALUE, options: { tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v'])) } },
      { title: 'contentType of 256 characters', name: 'long-type', value: VALUE, options: { contentType: 'c'.repeat(256) } },
    ];
    for (const testCase of cases) {
      it(`rejects ${testCase.title}`, async () => {
        await assert.rejects(client.setSecret(testCase.name, testCase.value, testCase.options), (error: { statusCode?: number; code?: string }) => {
          assert.equal(error.statusCode, 400);
          assert.equal(error.code, 'BadParameter');
          return true;
        });
        assert.equal(emulator.admin.versionCount('kv-api', testCase.name), 0);
      });
    }

    it('accepts the limits exactly', async () => {
      await client.setSecret('n'.repeat(127), 'x'.repeat(25_600), {
        tags: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, 'v'])),
        contentType: 'c'.repeat(255),
      });
      assert.equal(emulator.admin.versionCount('kv-api', 'n'.repeat(127)), 1);
    });

    it('rejects a version that is not 32 hex characters', async () => {
      await client.setSecret('api-bad-version', VALUE);
      await assert.rejects(client.getSecret('api-bad-version', { version: 'not-a-version' }), (error: { statusCode?: number }) => error.statusCode === 400);
      await assert.rejects(client.getSecret('api-bad-version', { version: 'a'.repeat(32) }), (error: { statusCode?: number; code?: string }) => {
        return error.statusCode === 404 && error.code === 'SecretNotFound';
      });
    });
  });

  it('error bodies never contain a value', async () => {
    await client.setSecret('api-no-leak', VALUE);
    await client.updateSecretProperties('api-no-leak', (await client.getSecret('api-no-leak')).properties.version!, { enabled: false });
    await assert.rejects(client.getSecret('api-no-leak'));
    await assert.rejects(client.setSecret('bad_name', VALUE));
    const errors = captured.filter((response) => response.status >= 400);
    assert.ok(errors.length >= 2);
    for (const response of errors) assert.ok(!response.body?.includes(VALUE), `${response.status} body contains the value`);
  });
});
