/**
 * The production vault adapter against the emulator: the real SecretClient and credential over
 * HTTPS on 127.0.0.1, with kvdr's pipeline (rate limit, retries, call timeout) in front.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import type { TokenCredential } from '@azure/identity';

import { startEmulator, type Emulator } from '../../../emulator/index';
import { isEngineError, type EngineError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/log';
import { createDefaultCredential, openVault, type OpenVaultOptions } from '../../../src/core/vault/factory';
import type { VaultStore } from '../../../src/core/vault/port';
import { parseVaultReference } from '../../../src/core/vault/url';

const VAULTS = ['kv-main', 'kv-faults', 'kv-locked'];
/** Recognisable values that must never show up in an error message or a log line. */
const SEEDED_VALUES = ['kvdr-canary-value-4f1e', 'Server=db;Password=kvdr-canary-pw-91c2', '-----BEGIN PRIVATE KEY-----\r\nkvdr-canary-pem\r\n-----END PRIVATE KEY-----\r\n'];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isEngineError(error), `expected an EngineError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('vault adapter against the emulator', function () {
  this.timeout(120_000);

  let emulator: Emulator;
  let credential: TokenCredential;
  const logLines: string[] = [];
  const messages: string[] = [];
  const logger: Logger = {
    debug: (message) => logLines.push(message),
    info: (message) => logLines.push(message),
    warning: (message) => logLines.push(message),
    error: (message) => logLines.push(message),
    group: (_name, fn) => fn(),
  };

  function open(vault: string, options: Partial<OpenVaultOptions> = {}): VaultStore {
    return openVault(parseVaultReference(emulator.vaults[vault], true), { credential, tlsCa: emulator.ca, logger, ...options });
  }

  async function expectCode(promise: Promise<unknown>, code: string): Promise<EngineError> {
    const error = await failure(promise);
    messages.push(error.message);
    assert.equal(error.code, code, error.message);
    return error;
  }

  before(async () => {
    emulator = await startEmulator({ vaults: VAULTS, purgeProtection: ['kv-locked'] });
    credential = createDefaultCredential(emulator.env, { tlsCa: emulator.ca });
    emulator.admin.seed('kv-faults', Array.from({ length: 60 }, (_, index) => ({ name: `paged-${index}`, value: SEEDED_VALUES[0] })));
  });

  after(async () => {
    await emulator?.close();
  });

  afterEach(async () => {
    for (const vault of VAULTS) await emulator.admin.clearFaults(vault);
  });

  describe('operations', () => {
    it('sets and gets with every property', async () => {
      const store = open('kv-main');
      const written = await store.setSecret('conn-string', SEEDED_VALUES[1], {
        contentType: 'text/plain',
        tags: { team: 'payments', env: 'prod' },
        expiresOn: 1_900_000_000,
        notBefore: 1_700_000_000,
        enabled: true,
      });
      assert.match(written.version, /^[0-9a-f]{32}$/);

      const read = await store.getSecret('CONN-STRING');
      assert.equal(read.value, SEEDED_VALUES[1]);
      assert.equal(read.properties.name, 'conn-string');
      assert.equal(read.properties.version, written.version);
      assert.equal(read.properties.contentType, 'text/plain');
      assert.deepEqual(read.properties.tags, { team: 'payments', env: 'prod' });
      assert.equal(read.properties.expiresOn, 1_900_000_000);
      assert.equal(read.properties.notBefore, 1_700_000_000);
      assert.equal(read.properties.managed, false);
      assert.ok(read.properties.createdOn > 1_700_000_000);
    });

    it('keeps values byte-exact', async () => {
      const store = open('kv-main');
      const values = ['a%3Bb', 'x%0Ay', '50%off', 'k=1&v=2', SEEDED_VALUES[2], 'Grüße, 東京 🚀', 'x'.repeat(25_600)];
      for (const [index, value] of values.entries()) {
        await store.setSecret(`exact-${index}`, value, {});
        assert.equal((await store.getSecret(`exact-${index}`)).value, value, `value ${index}`);
      }
    });

    it('updates properties without a new version', async () => {
      const store = open('kv-main');
      const written = await store.setSecret('tagged', 'v1', { tags: { a: '1' } });
      const updated = await store.updateSecretProperties('tagged', written.version, { tags: { a: '2' }, enabled: false });
      assert.equal(updated.version, written.version);
      assert.deepEqual(updated.tags, { a: '2' });
      assert.equal(updated.enabled, false);
      assert.equal(emulator.admin.versionCount('kv-main', 'tagged'), 1);
      const versions = await collect(store.listVersions('tagged'));
      assert.deepEqual(versions.map((version) => version.version), [written.version]);
    });

    it('updates the current version given no version', async () => {
      const store = open('kv-main');
      await store.setSecret('current', 'v1', {});
      const second = await store.setSecret('current', 'v2', { contentType: 'a' });
      const updated = await store.updateSecretProperties('current', '', { contentType: 'b' });
      assert.equal(updated.version, second.version);
      assert.equal(updated.contentType, 'b');
      assert.equal(emulator.admin.versionCount('kv-main', 'current'), 2);
    });

    it('recovers a live secret as a no-op', async () => {
      const store = open('kv-main');
      const written = await store.setSecret('alive', 'v', {});
      const recovered = await store.recoverDeletedSecret('alive');
      assert.equal(recovered.version, written.version);
    });

    it('lists 60 secrets 25 per page', async () => {
      emulator.admin.resetStats('kv-faults');
      const store = open('kv-faults');
      const listed = await collect(store.listSecrets());
      assert.equal(listed.filter((record) => record.name.startsWith('paged-')).length, 60);
      assert.ok(listed.every((record) => record.version === ''));
      const emulatorStats = emulator.admin.stats('kv-faults');
      assert.equal(emulatorStats.byOperation.getSecrets, 3);
      // The first request of a new client also carries the authentication challenge.
      assert.equal(store.stats().requestsByOperation.listSecrets, emulatorStats.total);
    });

    it('soft-deletes, recovers and purges', async () => {
      const store = open('kv-main');
      await store.setSecret('to-delete', SEEDED_VALUES[0], {});
      const deleted = await store.deleteSecret('to-delete');
      assert.equal(deleted.name, 'to-delete');
      assert.ok((deleted.deletedOn ?? 0) > 0);

      const found = await store.getDeletedSecret('to-delete');
      assert.equal(found?.name, 'to-delete');
      assert.ok((await collect(store.listDeletedSecrets())).some((record) => record.name === 'to-delete'));
      await expectCode(store.setSecret('to-delete', 'new', {}), 'deleted-but-recoverable');

      const recovered = await store.recoverDeletedSecret('to-delete');
      assert.equal(recovered.name, 'to-delete');
      assert.equal((await store.getSecret('to-delete')).value, SEEDED_VALUES[0]);

      await store.deleteSecret('to-delete');
      await store.purgeDeletedSecret('to-delete');
      assert.equal(await store.getDeletedSecret('to-delete'), undefined);
    });

    it('retries the transient 409 after a purge', async () => {
      await emulator.admin.setFaults('kv-main', { transientConflict: { requests: 2 } });
      const store = open('kv-main');
      await store.setSecret('churn', 'one', {});
      await store.deleteSecret('churn');
      await store.purgeDeletedSecret('churn');
      await store.setSecret('churn', 'two', {});
      assert.equal((await store.getSecret('churn')).value, 'two');
      assert.ok(store.stats().retries >= 1, `retries ${store.stats().retries}`);
    });
  });

  describe('error classes from real responses', () => {
    it('not-found for a missing secret', async () => {
      const error = await expectCode(open('kv-main').getSecret('missing-secret'), 'not-found');
      assert.equal(error.statusCode, 404);
      assert.match(error.message, /"missing-secret"/);
    });

    it('not-found for versions of a missing secret', async () => {
      await expectCode(collect(open('kv-main').listVersions('missing-secret')), 'not-found');
    });

    it('disabled for a disabled secret', async () => {
      emulator.admin.seed('kv-main', [{ name: 'switched-off', value: SEEDED_VALUES[0], enabled: false }]);
      const error = await expectCode(open('kv-main').getSecret('switched-off'), 'disabled');
      assert.equal(error.serviceCode, 'Forbidden/SecretDisabled');
    });

    it('forbidden-by-rbac names the role', async () => {
      await emulator.admin.setFaults('kv-main', { rbac: { [emulator.clientId]: 'Key Vault Secrets User' } });
      const store = open('kv-main');
      await store.getSecret('conn-string');
      const error = await expectCode(store.setSecret('conn-string', 'x', {}), 'forbidden-by-rbac');
      assert.match(error.message, /Key Vault Secrets Officer/);
    });

    it('forbidden-by-firewall names the client address', async () => {
      await emulator.admin.setFaults('kv-main', { firewall: { clientIp: '203.0.113.9', allow: ['198.51.100.0/24'] } });
      const error = await expectCode(open('kv-main').getSecret('conn-string'), 'forbidden-by-firewall');
      assert.match(error.message, /203\.0\.113\.9/);
      assert.match(error.message, /inside the allowed network/);
    });

    it('forbidden-by-policy for certificates and purge protection', async () => {
      emulator.admin.seed('kv-locked', [{ name: 'tls-cert', value: SEEDED_VALUES[2], managed: true }]);
      const store = open('kv-locked');
      const managed = await expectCode(store.setSecret('tls-cert', 'x', {}), 'forbidden-by-policy');
      assert.match(managed.message, /certificate/);

      await store.setSecret('kept', 'v', {});
      await store.deleteSecret('kept');
      const purge = await expectCode(store.purgeDeletedSecret('kept'), 'forbidden-by-policy');
      assert.match(purge.message, /purge protection/);
    });

    it('unauthorized for a rejected token', async () => {
      const foreign: TokenCredential = { getToken: async () => ({ token: 'not-a-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const error = await expectCode(open('kv-main', { credential: foreign }).getSecret('conn-string'), 'unauthorized');
      assert.equal(error.statusCode, 401);
    });

    it('unauthorized for a credential the authority rejects', async () => {
      const wrong = createDefaultCredential({ ...emulator.env, AZURE_CLIENT_SECRET: 'wrong-secret' }, { tlsCa: emulator.ca });
      const error = await expectCode(open('kv-main', { credential: wrong }).getSecret('conn-string'), 'unauthorized');
      assert.match(error.message, /could not get a token/);
    });

    it('being-deleted when retries are off', async () => {
      await emulator.admin.setFaults('kv-main', { transientConflict: { requests: 5 } });
      const store = open('kv-main', { retry: { maxRetries: 0 } });
      await store.setSecret('going', 'v', {});
      await store.deleteSecret('going');
      const error = await expectCode(store.setSecret('going', 'again', {}), 'being-deleted');
      assert.equal(error.serviceCode, 'Conflict/ObjectIsBeingDeleted');
    });

    it('being-recovered when retries are off', async () => {
      const store = open('kv-main', { retry: { maxRetries: 0 } });
      await store.setSecret('returning', 'v', {});
      await store.deleteSecret('returning');
      await emulator.admin.setFaults('kv-main', { transientConflict: { requests: 3 } });
      await store.recoverDeletedSecret('returning');
      const error = await expectCode(store.setSecret('returning', 'v2', {}), 'being-recovered');
      assert.equal(error.serviceCode, 'Conflict/ObjectIsBeingRecovered');

      const patient = open('kv-main');
      await patient.setSecret('returning', 'v2', {});
      assert.equal((await patient.getSecret('returning')).value, 'v2');
      assert.ok(patient.stats().retries >= 1);
    });

    it('bad-request for an invalid name', async () => {
      const error = await expectCode(open('kv-main').setSecret('bad_name!', SEEDED_VALUES[0], {}), 'bad-request');
      // The cause is the SDK's RestError, whose inspection must not show the request body.
      assert.ok(!inspect(error, { depth: 10 }).includes(SEEDED_VALUES[0]));
    });

    it('throttled when retries run out', async () => {
      await emulator.admin.setFaults('kv-faults', { throttle: { every: 1, retryAfter: false } });
      const store = open('kv-faults', { retry: { maxRetries: 1, maxDelayInMs: 50 } });
      await expectCode(store.getSecret('paged-1'), 'throttled');
      assert.ok(store.stats().throttledResponses >= 2);
    });

    it('unavailable for 5xx when retries run out', async () => {
      await emulator.admin.setFaults('kv-faults', { failEvery: 1, failureStatus: 503 });
      const store = open('kv-faults', { retry: { maxRetries: 1, maxDelayInMs: 50 } });
      const error = await expectCode(store.getSecret('paged-1'), 'unavailable');
      assert.match(error.message, /HTTP 503/);
    });
  });

  describe('faults', () => {
    for (const retryAfter of [true, false]) {
      it(`rides out 429 every 10th request, Retry-After ${retryAfter}`, async () => {
        await emulator.admin.setFaults('kv-faults', { throttle: { every: 10, retryAfter } });
        const store = open('kv-faults', { retry: { maxDelayInMs: 500 } });
        for (let index = 0; index < 30; index += 1) await store.setSecret(`throttled-${retryAfter}-${index}`, SEEDED_VALUES[0], {});
        const stats = store.stats();
        assert.ok(stats.throttledResponses >= 3, `throttled ${stats.throttledResponses}`);
        assert.ok(stats.throttledWaitInMs > 0);
        for (let index = 0; index < 30; index += 1) {
          assert.equal(emulator.admin.versionCount('kv-faults', `throttled-${retryAfter}-${index}`), 1, `secret ${index}`);
        }
      });
    }

    it('rides out 10 % seeded 5xx', async () => {
      await emulator.admin.setFaults('kv-faults', { failureRate: 0.1, seed: 7 });
      const store = open('kv-faults', { retry: { maxDelayInMs: 200 } });
      for (let index = 0; index < 40; index += 1) await store.setSecret(`flaky-${index}`, SEEDED_VALUES[1], {});
      for (let index = 0; index < 40; index += 1) assert.equal((await store.getSecret(`flaky-${index}`)).value, SEEDED_VALUES[1]);
      assert.ok(store.stats().retries > 0, 'no request was retried');
    });

    it('rides out connection resets', async () => {
      await emulator.admin.setFaults('kv-faults', { resetEvery: 4 });
      const store = open('kv-faults', { retry: { maxDelayInMs: 200 } });
      for (let index = 0; index < 12; index += 1) assert.equal((await store.getSecret(`paged-${index}`)).value, SEEDED_VALUES[0]);
      assert.ok(store.stats().retries >= 3, `retries ${store.stats().retries}`);
    });

    it('fails fast on a closed port', async () => {
      await emulator.admin.setFaults('kv-faults', { outage: true });
      const store = open('kv-faults');
      const started = Date.now();
      const error = await expectCode(collect(store.listSecrets()), 'unavailable');
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
      assert.ok(error.message.includes(emulator.vaults['kv-faults']), error.message);
      assert.match(error.message, /connection refused/);
      assert.equal(store.stats().requestsByOperation.listSecrets, 3);
    });

    it('fails fast on an unresolvable name', async () => {
      const lookups: string[] = [];
      const lookup = ((hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null) => void) => {
        lookups.push(hostname);
        const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        process.nextTick(() => callback(error));
      }) as unknown as OpenVaultOptions['lookup'];
      const noToken: TokenCredential = {
        getToken: async () => {
          throw new Error('the credential must not be called before the vault answers');
        },
      };
      const store = openVault(parseVaultReference('kv-does-not-exist', false), { credential: noToken, lookup, logger });
      const error = await expectCode(store.getSecret('anything'), 'unavailable');
      assert.match(error.message, /does not resolve/);
      assert.match(error.message, /kv-does-not-exist\.vault\.azure\.net/);
      assert.deepEqual(lookups, ['kv-does-not-exist.vault.azure.net', 'kv-does-not-exist.vault.azure.net', 'kv-does-not-exist.vault.azure.net']);
    });

    it('times out a slow call', async () => {
      const store = open('kv-faults', { callTimeoutInMs: 300 });
      await store.getSecret('paged-2');
      await emulator.admin.setFaults('kv-faults', { latencyMs: 5000 });
      const error = await expectCode(store.getSecret('paged-2'), 'timeout');
      assert.match(error.message, /300 ms/);
      assert.equal(store.stats().retries, 1);
    });

    it('stops on the run deadline', async () => {
      await emulator.admin.setFaults('kv-faults', { throttle: { every: 1, retryAfter: 600 } });
      const controller = new AbortController();
      const store = open('kv-faults', { abortSignal: controller.signal });
      setTimeout(() => controller.abort(), 500);
      const started = Date.now();
      await expectCode(store.getSecret('paged-3'), 'aborted');
      assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    });

    it('runs one challenge for a cold burst', async () => {
      emulator.admin.resetStats('kv-main');
      const store = open('kv-main');
      await Promise.all(Array.from({ length: 20 }, () => store.getSecret('conn-string')));
      const emulatorStats = emulator.admin.stats('kv-main');
      assert.equal(emulatorStats.byOperation.challenge, 1);
      assert.equal(emulatorStats.byOperation.getSecret, 20);
      assert.equal(store.stats().requestsByOperation.getSecret, 21);
    });

    it('keeps within the rate limit', async () => {
      // The emulator throttles past 25 requests in any second. A budget of 10 per second admits at
      // most 11 in any second, leaving room for timers that fire late on a loaded machine.
      await emulator.admin.setFaults('kv-faults', { throttle: { limit: 25, windowSeconds: 1, retryAfter: true } });
      emulator.admin.resetStats('kv-faults');
      const store = open('kv-faults', { maxRequestsPerSecond: 10, retry: { maxRetries: 0 } });
      await Promise.all(Array.from({ length: 40 }, (_, index) => store.getSecret(`paged-${index}`)));
      const stats = store.stats();
      assert.equal(stats.throttledResponses, 0);
      assert.equal(stats.requestsByOperation.getSecret, emulator.admin.stats('kv-faults').total);
    });
  });

  after(() => {
    const text = [...messages, ...logLines].join('\n');
    for (const value of SEEDED_VALUES) assert.ok(!text.includes(value), 'a seeded value appeared in an error message or a log line');
    for (const line of ['x'.repeat(64)]) assert.ok(!text.includes(line), 'a value appeared in an error message or a log line');
  });
});
