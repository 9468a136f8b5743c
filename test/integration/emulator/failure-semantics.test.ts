/**
 * Key Vault's documented failure semantics, as the real SDK gets them from the emulator: disabled
 * versions, deleted-but-recoverable names, transient conflicts after delete, recover and purge,
 * certificate-backed secrets and purge protection.
 */
import { strict as assert } from 'node:assert';
import type { SecretClient } from '@azure/keyvault-secrets';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createSecretClient } from '../../helpers/emulator';
import { SpecValidator, capturePolicy, validateCaptured, type CapturedResponse } from './support';

const VALUE = 'kvdr-semantics-value-51be';

interface ServiceError {
  statusCode?: number;
  code?: string;
  details?: { error?: { innerError?: { code?: string } } };
}

/** Reads the inner error code of a Key Vault error, as the SDK deserialized it. */
function innerCode(error: ServiceError): string | undefined {
  return error.details?.error?.innerError?.code;
}

function expectError(status: number, code: string, inner?: string): (error: ServiceError) => boolean {
  return (error) => {
    assert.equal(error.statusCode, status);
    assert.equal(error.code, code);
    assert.equal(innerCode(error), inner);
    return true;
  };
}

describe('emulator failure semantics', () => {
  let emulator: Emulator;
  let captured: CapturedResponse[];
  const validator = SpecValidator.load();

  before(async () => {
    emulator = await startEmulator({ vaults: ['kv-sem', 'kv-protected', 'kv-slow'], purgeProtection: ['kv-protected'] });
  });

  after(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    captured = [];
  });

  afterEach(() => {
    validateCaptured(validator, captured);
  });

  function client(vault: string): SecretClient {
    return createSecretClient(emulator, vault, {
      options: { additionalPolicies: [{ policy: capturePolicy(captured), position: 'perRetry' }], retryOptions: { maxRetries: 0 } },
    });
  }

  it('disabled version rejects get with SecretDisabled', async () => {
    const kv = client('kv-sem');
    const created = await kv.setSecret('sem-disabled', VALUE, { enabled: false });
    await assert.rejects(kv.getSecret('sem-disabled'), expectError(403, 'Forbidden', 'SecretDisabled'));
    await assert.rejects(kv.getSecret('sem-disabled', { version: created.properties.version }), expectError(403, 'Forbidden', 'SecretDisabled'));

    const listed: boolean[] = [];
    for await (const properties of kv.listPropertiesOfSecrets()) if (properties.name === 'sem-disabled') listed.push(properties.enabled!);
    assert.deepEqual(listed, [false], 'a disabled secret still lists');
  });

  it('set on a soft-deleted name is ObjectIsDeletedButRecoverable', async () => {
    const kv = client('kv-sem');
    await kv.setSecret('sem-deleted', VALUE);
    await (await kv.beginDeleteSecret('sem-deleted', { intervalInMs: 20 })).pollUntilDone();
    await assert.rejects(kv.setSecret('sem-deleted', `${VALUE}-2`), expectError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
    await assert.rejects(kv.setSecret('SEM-DELETED', `${VALUE}-2`), expectError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
    assert.equal(emulator.admin.versionCount('kv-sem', 'sem-deleted'), 1);
  });

  it('transient conflicts last a number of requests', async () => {
    await emulator.admin.setFaults('kv-sem', { transientConflict: { requests: 2 } });
    const kv = client('kv-sem');
    await kv.setSecret('sem-transient', VALUE);
    emulator.admin.resetStats('kv-sem');
    await kv.beginDeleteSecret('sem-transient', { intervalInMs: 20 }).then((poller) => poller.pollUntilDone());
    // The poller reads the deleted secret until it exists: two 404s while deleting, then found.
    assert.equal(emulator.admin.stats('kv-sem').byOperation.getDeletedSecret, 3);
    await assert.rejects(kv.setSecret('sem-transient', VALUE), expectError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
    await emulator.admin.clearFaults('kv-sem');
  });

  it('recover while being deleted is ObjectIsBeingDeleted', async () => {
    await emulator.admin.setFaults('kv-sem', { transientConflict: { requests: 4 } });
    const kv = client('kv-sem');
    await kv.setSecret('sem-being-deleted', VALUE);
    // beginDeleteSecret sends the delete and one read of the deleted secret (request 1 of 4).
    await kv.beginDeleteSecret('sem-being-deleted', { intervalInMs: 20 });
    // beginRecoverDeletedSecret reads the secret (request 2), then sends the recover (request 3).
    await assert.rejects(kv.beginRecoverDeletedSecret('sem-being-deleted', { intervalInMs: 20 }), expectError(409, 'Conflict', 'ObjectIsBeingDeleted'));
    await assert.rejects(kv.purgeDeletedSecret('sem-being-deleted'), expectError(409, 'Conflict', 'ObjectIsBeingDeleted'));
    assert.equal((await kv.getDeletedSecret('sem-being-deleted')).name, 'sem-being-deleted');

    // This time the recover is accepted and the poller reads the secret once (request 1 of 4).
    await kv.beginRecoverDeletedSecret('sem-being-deleted', { intervalInMs: 20 });
    await assert.rejects(kv.setSecret('sem-being-deleted', VALUE), expectError(409, 'Conflict', 'ObjectIsBeingRecovered'));
    await assert.rejects(kv.getSecret('sem-being-deleted'), expectError(404, 'SecretNotFound'));
    await assert.rejects(kv.getSecret('sem-being-deleted'), expectError(404, 'SecretNotFound'));
    assert.equal((await kv.getSecret('sem-being-deleted')).value, VALUE);
    await emulator.admin.clearFaults('kv-sem');
  });

  it('purge takes effect after the transient state', async () => {
    await emulator.admin.setFaults('kv-sem', { transientConflict: { requests: 1 } });
    const kv = client('kv-sem');
    await kv.setSecret('sem-purging', VALUE);
    await (await kv.beginDeleteSecret('sem-purging', { intervalInMs: 20 })).pollUntilDone();
    await kv.purgeDeletedSecret('sem-purging');
    await assert.rejects(kv.setSecret('sem-purging', VALUE), expectError(409, 'Conflict', 'ObjectIsBeingDeleted'));
    await kv.setSecret('sem-purging', `${VALUE}-after`);
    assert.equal((await kv.getSecret('sem-purging')).value, `${VALUE}-after`);
    await emulator.admin.clearFaults('kv-sem');
  });

  it('transient conflicts can last a duration', async () => {
    // Generous on purpose: the two sets below must reach the emulator within the duration.
    const durationInMs = 2000;
    await emulator.admin.setFaults('kv-slow', { transientConflict: { durationInMs } });
    const kv = client('kv-slow');
    await kv.setSecret('sem-timed', VALUE);
    const started = Date.now();
    await kv.beginDeleteSecret('sem-timed', { intervalInMs: 20 });
    await assert.rejects(kv.setSecret('sem-timed', VALUE), expectError(409, 'Conflict', 'ObjectIsBeingDeleted'));
    await assert.rejects(kv.setSecret('sem-timed', VALUE), expectError(409, 'Conflict', 'ObjectIsBeingDeleted'));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + durationInMs + 100 - Date.now())));
    await assert.rejects(kv.setSecret('sem-timed', VALUE), expectError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
  });

  it('emulator option sets transient conflicts for every vault', async () => {
    const other = await startEmulator({ vaults: ['kv-option'], transientConflict: { requests: 2 } });
    try {
      const kv = createSecretClient(other, 'kv-option', { options: { retryOptions: { maxRetries: 0 } } });
      await kv.setSecret('sem-option', VALUE);
      await kv.beginDeleteSecret('sem-option', { intervalInMs: 20 });
      await assert.rejects(kv.setSecret('sem-option', VALUE), expectError(409, 'Conflict', 'ObjectIsBeingDeleted'));
      await assert.rejects(kv.setSecret('sem-option', VALUE), expectError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
    } finally {
      await other.close();
    }
  });

  it('certificate-backed secrets read and list but reject writes', async () => {
    emulator.admin.seed('kv-sem', [{ name: 'sem-cert', value: 'MIIC-kvdr-cert', contentType: 'application/x-pkcs12', managed: true }]);
    const kv = client('kv-sem');
    const read = await kv.getSecret('sem-cert');
    assert.equal(read.properties.managed, true);
    assert.ok(read.properties.certificateKeyId?.includes('/keys/sem-cert/'), 'a certificate-backed secret has a kid');

    let listed = false;
    for await (const properties of kv.listPropertiesOfSecrets()) if (properties.name === 'sem-cert') listed = properties.managed === true;
    assert.ok(listed);

    await assert.rejects(kv.setSecret('sem-cert', VALUE), expectError(403, 'Forbidden', 'ForbiddenByPolicy'));
    await assert.rejects(kv.updateSecretProperties('sem-cert', read.properties.version!, { tags: { a: 'b' } }), expectError(403, 'Forbidden', 'ForbiddenByPolicy'));
    assert.equal(emulator.admin.versionCount('kv-sem', 'sem-cert'), 1);
  });

  it('purge protection forbids purge', async () => {
    const kv = client('kv-protected');
    const created = await kv.setSecret('sem-protected', VALUE);
    assert.equal(created.properties.recoveryLevel, 'Recoverable');
    await (await kv.beginDeleteSecret('sem-protected', { intervalInMs: 20 })).pollUntilDone();
    await assert.rejects(kv.purgeDeletedSecret('sem-protected'), expectError(403, 'Forbidden', 'ForbiddenByPolicy'));
    assert.equal((await kv.getDeletedSecret('sem-protected')).name, 'sem-protected');

    const unprotected = await client('kv-sem').setSecret('sem-unprotected', VALUE);
    assert.equal(unprotected.properties.recoveryLevel, 'Recoverable+Purgeable');
  });
});
