import assert from 'node:assert/strict';

import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';

import { isEngineError } from '../../../src/core/errors';
import { createDefaultCredential, openVault } from '../../../src/core/vault/factory';
import { parseVaultReference } from '../../../src/core/vault/url';

const noToken = {
  getToken: async () => {
    throw new Error('no token in unit tests');
  },
};

describe('createDefaultCredential', () => {
  it('builds a client secret credential from env', () => {
    const credential = createDefaultCredential({
      AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000001',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000002',
      AZURE_CLIENT_SECRET: 'unit-test-secret',
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:1/',
      KVDR_ALLOW_CUSTOM_HOSTS: '1',
    });
    assert.ok(credential instanceof ClientSecretCredential);
  });

  it('falls back to DefaultAzureCredential', () => {
    // Construction sends no request; nothing here calls getToken.
    assert.ok(createDefaultCredential({}) instanceof DefaultAzureCredential);
  });
});

describe('openVault', () => {
  const reference = parseVaultReference('kv-app-weu', false);

  it('rejects a rate that is not positive', () => {
    for (const maxRequestsPerSecond of [0, -5, Number.NaN]) {
      assert.throws(
        () => openVault(reference, { credential: noToken, maxRequestsPerSecond }),
        (error: unknown) => isEngineError(error) && error.code === 'invalid-input' && /--max-rps/.test(error.message),
      );
    }
  });

  it('rejects a call timeout that is not positive', () => {
    assert.throws(
      () => openVault(reference, { credential: noToken, callTimeoutInMs: 0 }),
      (error: unknown) => isEngineError(error) && error.code === 'invalid-input' && /--call-timeout/.test(error.message),
    );
  });

  it('rejects invalid retry settings', () => {
    for (const retry of [{ maxRetries: -1 }, { maxRetries: 1.5 }, { maxDelayInMs: 0 }]) {
      assert.throws(
        () => openVault(reference, { credential: noToken, retry }),
        (error: unknown) => isEngineError(error) && error.code === 'invalid-input',
        JSON.stringify(retry),
      );
    }
  });

  it('names the vault', () => {
    const store = openVault(reference, { credential: noToken });
    assert.equal(store.vaultUrl, 'https://kv-app-weu.vault.azure.net/');
    assert.equal(store.vaultId, 'kv-app-weu');
    assert.deepEqual(store.stats(), { requestsByOperation: {}, throttledResponses: 0, throttledWaitInMs: 0, retries: 0 });
  });
});
