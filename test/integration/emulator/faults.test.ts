/**
 * Fault injection per vault: latency, throttling, 5xx, connection resets, outage, read-only mode,
 * firewall and RBAC. Plain HTTPS calls keep request counts exact; the SDK checks show what a
 * client experiences.
 */
import { strict as assert } from 'node:assert';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createCredential, createSecretClient } from '../../helpers/emulator';
import { SpecValidator, rawRequest, type RawResponse } from './support';

const VALUE = 'kvdr-faults-value-c0ffee';
const API = 'api-version=2025-07-01';

describe('emulator faults', () => {
  let emulator: Emulator;
  let token: string;
  const validator = SpecValidator.load();

  before(async () => {
    emulator = await startEmulator({ vaults: ['kv-faults', 'kv-other'] });
    emulator.admin.seed('kv-faults', [{ name: 'fault-secret', value: VALUE }]);
    emulator.admin.seed('kv-other', [{ name: 'fault-secret', value: VALUE }]);
    token = (await createCredential(emulator).getToken('https://vault.azure.net/.default'))!.token;
  });

  after(async () => {
    await emulator.close();
  });

  afterEach(async () => {
    await emulator.admin.clearFaults('kv-faults');
  });

  /** GET the seeded secret with a valid token, or without one when `authenticated` is false. */
  function getSecret(authenticated = true, vault = 'kv-faults'): Promise<RawResponse> {
    return rawRequest(`${emulator.vaults[vault]}secrets/fault-secret?${API}`, {
      ca: emulator.ca,
      headers: authenticated ? { authorization: `Bearer ${token}` } : {},
    });
  }

  function setSecret(): Promise<RawResponse> {
    return rawRequest(`${emulator.vaults['kv-faults']}secrets/fault-secret?${API}`, {
      ca: emulator.ca,
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: `${VALUE}-2` }),
    });
  }

  function errorOf(response: RawResponse): { code: string; message: string; inner?: string } {
    const body = response.json<{ error: { code: string; message: string; innererror?: { code: string } } }>();
    validator?.validate('KeyVaultError', body, `${response.status} error`);
    return { code: body.error.code, message: body.error.message, inner: body.error.innererror?.code };
  }

  it('latency delays each response', async () => {
    await emulator.admin.setFaults('kv-faults', { latencyMs: 150 });
    const started = Date.now();
    const response = await getSecret();
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 140, 'the response came before the injected latency');
  });

  it('throttle window counts every request', async () => {
    await emulator.admin.setFaults('kv-faults', { throttle: { limit: 3, windowSeconds: 60, retryAfter: true } });
    assert.equal((await getSecret(false)).status, 401, 'a challenge counts as request 1');
    assert.equal((await getSecret()).status, 200);
    assert.equal((await getSecret()).status, 200);
    const throttled = await getSecret();
    assert.equal(throttled.status, 429);
    assert.equal(errorOf(throttled).code, 'Throttled');
    const retryAfter = Number(throttled.headers['retry-after']);
    assert.ok(retryAfter >= 1, `Retry-After ${retryAfter} is at least 1 s`);
    assert.ok(retryAfter <= 60, `Retry-After ${retryAfter} is within the window`);
    assert.equal(emulator.admin.stats('kv-faults').throttled, 1);
  });

  it('throttle every n-th request without Retry-After', async () => {
    await emulator.admin.setFaults('kv-faults', { throttle: { every: 3, retryAfter: false } });
    const statuses: number[] = [];
    const retryAfter: (string | string[] | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await getSecret();
      statuses.push(response.status);
      retryAfter.push(response.headers['retry-after']);
    }
    assert.deepEqual(statuses, [200, 200, 429, 200, 200, 429]);
    assert.deepEqual(retryAfter.filter(Boolean), []);
  });

  it('throttle every n-th request with Retry-After seconds', async () => {
    await emulator.admin.setFaults('kv-faults', { throttle: { every: 2, retryAfter: 2 } });
    assert.equal((await getSecret()).status, 200);
    const throttled = await getSecret();
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '2');
  });

  it('throttle window slides', async () => {
    // A 3 s window leaves a slow machine time for the first three requests to land inside it.
    await emulator.admin.setFaults('kv-faults', { throttle: { limit: 2, windowSeconds: 3 } });
    const started = Date.now();
    assert.equal((await getSecret()).status, 200);
    assert.equal((await getSecret()).status, 200);
    assert.equal((await getSecret()).status, 429);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 3100 - Date.now())));
    assert.equal((await getSecret()).status, 200);
  });

  it('limit of 4,000 counts exactly', async () => {
    // Key Vault's own limit is 4,000 per 10 s; a long window keeps the count exact on a slow machine.
    await emulator.admin.setFaults('kv-faults', { throttle: { limit: 4000, windowSeconds: 600 } });
    const vault = emulator.vaults['kv-faults'];
    const statuses: number[] = [];
    // Sends in batches over one keep-alive agent, so the 2-core machine is not flooded with handshakes.
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: emulator.ca });
    const { request } = await import('node:https');
    const send = () =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${vault}secrets/fault-secret?${API}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    for (let batch = 0; batch < 41; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: batch === 40 ? 5 : 100 }, send))));
    }
    agent.destroy();
    assert.equal(statuses.filter((status) => status === 200).length, 4000);
    assert.equal(statuses.filter((status) => status === 429).length, 5);
  }).timeout(120_000);

  it('failEvery answers every n-th request with a 5xx', async () => {
    await emulator.admin.setFaults('kv-faults', { failEvery: 2, failureStatus: 503 });
    const first = await getSecret();
    const second = await getSecret();
    assert.equal(first.status, 200);
    assert.equal(second.status, 503);
    assert.equal(errorOf(second).code, 'ServiceUnavailable');
  });

  it('seeded failure rate repeats exactly', async () => {
    const run = async (): Promise<number[]> => {
      await emulator.admin.setFaults('kv-faults', { failureRate: 0.3, seed: 7 });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await getSecret()).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(first, second);
    const failures = first.filter((status) => status === 500).length;
    assert.ok(failures > 0, `${failures} of 30 failed at rate 0.3`);
    assert.ok(failures < 30, `${failures} of 30 failed at rate 0.3`);
  });

  it('SDK retries through 5xx', async () => {
    await emulator.admin.setFaults('kv-faults', { failEvery: 2 });
    const client = createSecretClient(emulator, 'kv-faults', { options: { retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } } });
    assert.equal((await client.getSecret('fault-secret')).value, VALUE);
  });

  it('resetEvery resets the connection', async () => {
    await emulator.admin.setFaults('kv-faults', { resetEvery: 2 });
    assert.equal((await getSecret()).status, 200);
    await assert.rejects(getSecret(), (error: NodeJS.ErrnoException) => {
      assert.ok(['ECONNRESET', 'EPIPE'].includes(error.code ?? '') || /socket hang up/.test(error.message), error.message);
      return true;
    });
  });

  it('seeded reset rate resets some requests', async () => {
    await emulator.admin.setFaults('kv-faults', { resetRate: 0.5, seed: 3 });
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) outcomes.push(await getSecret().then((response) => String(response.status), () => 'reset'));
    assert.ok(outcomes.includes('reset'));
    assert.ok(outcomes.includes('200'));
  });

  it('outage refuses connections until cleared', async () => {
    await emulator.admin.setFaults('kv-faults', { outage: true });
    await assert.rejects(getSecret(), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
    assert.equal((await getSecret(true, 'kv-other')).status, 200, 'other vaults keep serving');
    await emulator.admin.clearFaults('kv-faults');
    assert.equal((await getSecret()).status, 200, 'the vault serves again on the same URL');
  });

  it('read-only vault serves reads and rejects writes', async () => {
    await emulator.admin.setFaults('kv-faults', { readOnly: true });
    assert.equal((await getSecret()).status, 200);
    const rejected = await setSecret();
    assert.equal(rejected.status, 403);
    assert.equal(errorOf(rejected).inner, 'ForbiddenByPolicy');
    assert.equal(emulator.admin.versionCount('kv-faults', 'fault-secret'), 1);
  });

  it('firewall rejects and names the client address', async () => {
    await emulator.admin.setFaults('kv-faults', { firewall: { clientIp: '198.51.100.4', allow: ['203.0.113.0/24'] } });
    const denied = await getSecret();
    assert.equal(denied.status, 403);
    const error = errorOf(denied);
    assert.equal(error.code, 'Forbidden');
    assert.equal(error.inner, 'ForbiddenByFirewall');
    assert.match(error.message, /Client address: 198\.51\.100\.4/);

    await emulator.admin.setFaults('kv-faults', { firewall: { clientIp: '203.0.113.9', allow: ['203.0.113.0/24'] } });
    assert.equal((await getSecret()).status, 200);
  });

  it('firewall applies after the challenge', async () => {
    await emulator.admin.setFaults('kv-faults', { firewall: { clientIp: '198.51.100.4', allow: [] } });
    assert.equal((await getSecret(false)).status, 401);
  });

  it('RBAC grants by role and denies others', async () => {
    const reader = { clientId: '7d1c9f0e-0000-4000-8000-00000000a001', clientSecret: 'reader-secret-for-tests' };
    const stranger = { clientId: '7d1c9f0e-0000-4000-8000-00000000a002', clientSecret: 'stranger-secret-for-tests' };
    emulator.admin.registerClient(reader.clientId, reader.clientSecret);
    emulator.admin.registerClient(stranger.clientId, stranger.clientSecret);
    await emulator.admin.setFaults('kv-faults', {
      rbac: { [emulator.clientId]: 'Key Vault Secrets Officer', [reader.clientId]: 'Key Vault Secrets User' },
    });

    const readerClient = createSecretClient(emulator, 'kv-faults', { credential: createCredential(emulator, reader) });
    assert.equal((await readerClient.getSecret('fault-secret')).value, VALUE);
    await assert.rejects(readerClient.setSecret('fault-secret', VALUE), (error: { statusCode?: number; details?: { error?: { innerError?: { code?: string }; message?: string } } }) => {
      assert.equal(error.statusCode, 403);
      assert.equal(error.details?.error?.innerError?.code, 'ForbiddenByRbac');
      assert.match(error.details?.error?.message ?? '', /secrets\/setSecret\/action/);
      return true;
    });

    const strangerClient = createSecretClient(emulator, 'kv-faults', { credential: createCredential(emulator, stranger) });
    await assert.rejects(strangerClient.getSecret('fault-secret'), (error: { statusCode?: number }) => error.statusCode === 403);

    const officer = createSecretClient(emulator, 'kv-faults');
    await officer.setSecret('fault-rbac-officer', VALUE);
    assert.equal(emulator.admin.versionCount('kv-faults', 'fault-rbac-officer'), 1);
  });

  it('Reader lists but cannot read values', async () => {
    const reader = { clientId: '7d1c9f0e-0000-4000-8000-00000000a003', clientSecret: 'metadata-reader-secret' };
    emulator.admin.registerClient(reader.clientId, reader.clientSecret);
    await emulator.admin.setFaults('kv-faults', { rbac: { [reader.clientId]: 'Key Vault Reader' } });
    const client = createSecretClient(emulator, 'kv-faults', { credential: createCredential(emulator, reader) });
    const names: string[] = [];
    for await (const properties of client.listPropertiesOfSecrets()) names.push(properties.name);
    assert.ok(names.includes('fault-secret'));
    await assert.rejects(client.getSecret('fault-secret'), (error: { statusCode?: number }) => error.statusCode === 403);
  });

  it('SDK waits out Retry-After', async () => {
    await emulator.admin.setFaults('kv-faults', { throttle: { every: 2, retryAfter: 1 } });
    emulator.admin.resetStats('kv-faults');
    const client = createSecretClient(emulator, 'kv-faults');
    // Request 1 is the challenge and request 2 is throttled, so the SDK must retry after 1 s.
    assert.equal((await client.getSecret('fault-secret')).value, VALUE);
    assert.equal(emulator.admin.stats('kv-faults').throttled, 1);
  });

  it('faults stay on their vault', async () => {
    await emulator.admin.setFaults('kv-faults', { failEvery: 1 });
    assert.equal((await getSecret()).status, 500);
    assert.equal((await getSecret(true, 'kv-other')).status, 200);
  });
});
