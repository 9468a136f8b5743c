/**
 * The HTTP admin API mirrors the in-process one: faults, request counts, seeding, version counts
 * and clients, with errors that name the invalid field.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createSecretClient } from '../../helpers/emulator';
import { rawRequest, type RawResponse } from './support';

const VALUE = 'kvdr-admin-value-4e5f';

describe('emulator admin API', () => {
  let emulator: Emulator;

  before(async () => {
    emulator = await startEmulator({ vaults: ['kv-admin', 'kv-admin-2'] });
  });

  after(async () => {
    await emulator.close();
  });

  function admin(method: string, path: string, body?: unknown): Promise<RawResponse> {
    return rawRequest(`${emulator.adminUrl}${path}`, {
      ca: emulator.ca,
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  it('lists vaults', async () => {
    const response = await admin('GET', 'vaults');
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), emulator.vaults);
  });

  it('seeds in bulk past a throttle', async () => {
    assert.equal((await admin('PUT', 'vaults/kv-admin/faults', { throttle: { every: 1 } })).status, 200);
    const secrets = Array.from({ length: 500 }, (_, i) => ({ name: `bulk-${i}`, value: `${VALUE}-${i}`, tags: { n: String(i) } }));
    const seeded = await admin('POST', 'vaults/kv-admin/seed', secrets);
    assert.equal(seeded.status, 200);
    assert.deepEqual(seeded.json(), { seeded: 500 });
    assert.equal(emulator.admin.versionCount('kv-admin', 'bulk-499'), 1);
    assert.equal(emulator.admin.stats('kv-admin').total, 0, 'seeding is not a vault request');
    assert.equal((await admin('DELETE', 'vaults/kv-admin/faults')).status, 204);
  });

  it('seed places versions in the past', async () => {
    await admin('POST', 'vaults/kv-admin/seed', [
      { name: 'old-secret', value: `${VALUE}-old`, createdOn: 1_600_000_000, expiresOn: 1_900_000_000, enabled: false, contentType: 'text/plain' },
    ]);
    const client = createSecretClient(emulator, 'kv-admin');
    const versions = [];
    for await (const properties of client.listPropertiesOfSecretVersions('old-secret')) versions.push(properties);
    assert.equal(versions[0].createdOn?.getTime(), 1_600_000_000_000);
    assert.equal(versions[0].expiresOn?.getTime(), 1_900_000_000_000);
    assert.equal(versions[0].enabled, false);
  });

  it('invalid seed writes nothing', async () => {
    const response = await admin('POST', 'vaults/kv-admin/seed', [
      { name: 'seed-ok', value: VALUE },
      { name: 'seed_bad', value: VALUE },
    ]);
    assert.equal(response.status, 400);
    assert.match(response.json<{ error: { message: string } }>().error.message, /seed_bad/);
    assert.equal(emulator.admin.versionCount('kv-admin', 'seed-ok'), 0);
  });

  it('stats count per operation and reset', async () => {
    await admin('DELETE', 'vaults/kv-admin-2/stats');
    const client = createSecretClient(emulator, 'kv-admin-2');
    await client.setSecret('counted', VALUE);
    await client.getSecret('counted');
    await client.getSecret('counted');
    const stats = (await admin('GET', 'vaults/kv-admin-2/stats')).json<{ total: number; byOperation: Record<string, number> }>();
    assert.deepEqual(stats.byOperation, { challenge: 1, setSecret: 1, getSecret: 2 });
    assert.equal(stats.total, 4);
    assert.equal((await admin('DELETE', 'vaults/kv-admin-2/stats')).status, 204);
    assert.equal((await admin('GET', 'vaults/kv-admin-2/stats')).json<{ total: number }>().total, 0);
  });

  it('version count over HTTP', async () => {
    emulator.admin.seed('kv-admin-2', [{ name: 'two-versions', value: '1' }, { name: 'two-versions', value: '2' }]);
    const response = await admin('GET', 'vaults/kv-admin-2/secrets/two-versions/version-count');
    assert.deepEqual(response.json(), { count: 2 });
  });

  it('faults round-trip and clear', async () => {
    const faults = { latencyMs: 5, throttle: { limit: 4000, windowSeconds: 10, retryAfter: true }, failureRate: 0.1, seed: 7 };
    assert.deepEqual((await admin('PUT', 'vaults/kv-admin-2/faults', faults)).json(), faults);
    assert.deepEqual((await admin('GET', 'vaults/kv-admin-2/faults')).json(), faults);
    await admin('DELETE', 'vaults/kv-admin-2/faults');
    assert.deepEqual((await admin('GET', 'vaults/kv-admin-2/faults')).json(), {});
  });

  const invalidFaults: { title: string; faults: unknown; field: RegExp }[] = [
    { title: 'unknown field', faults: { latency: 5 }, field: /Unknown fault "latency"/ },
    { title: 'rate above 1', faults: { failureRate: 2 }, field: /failureRate/ },
    { title: 'throttle without limit', faults: { throttle: { retryAfter: true } }, field: /throttle/ },
    { title: 'bad client address', faults: { firewall: { clientIp: 'host' } }, field: /firewall\.clientIp/ },
    { title: 'unknown role', faults: { rbac: { abc: 'Owner' } }, field: /Unknown role "Owner"/ },
  ];
  for (const testCase of invalidFaults) {
    it(`rejects faults with ${testCase.title}`, async () => {
      const response = await admin('PUT', 'vaults/kv-admin-2/faults', testCase.faults);
      assert.equal(response.status, 400);
      assert.match(response.json<{ error: { message: string } }>().error.message, testCase.field);
    });
  }

  it('unknown vault is 404', async () => {
    const response = await admin('GET', 'vaults/kv-nope/stats');
    assert.equal(response.status, 404);
    assert.match(response.json<{ error: { message: string } }>().error.message, /kv-nope.*kv-admin/);
  });

  it('registers another client', async () => {
    const response = await admin('POST', 'clients', { clientId: 'admin-client-1', clientSecret: 'admin-client-secret' });
    assert.equal(response.status, 204);
    const token = await rawRequest(`${emulator.authorityHost}${emulator.tenantId}/oauth2/v2.0/token`, {
      ca: emulator.ca,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'admin-client-1',
        client_secret: 'admin-client-secret',
        scope: 'https://vault.azure.net/.default',
      }).toString(),
    });
    assert.equal(token.status, 200);
    assert.equal(token.json<{ token_type: string }>().token_type, 'Bearer');
  });
});
