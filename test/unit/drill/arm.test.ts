import assert from 'node:assert/strict';

import { actionMatches, parseVaultResourceId, resolveArmEndpoint } from '../../../src/core/access/arm';

describe('ARM client helpers', () => {
  it('actionMatches follows ARM wildcards', () => {
    const cases: Array<[string, boolean]> = [
      ['*', true],
      ['Microsoft.KeyVault/*', true],
      ['microsoft.keyvault/vaults/write', true],
      ['*/read', false],
      ['Microsoft.KeyVault/vaults/read', false],
      ['Microsoft.Storage/*', false],
    ];
    for (const [pattern, expected] of cases) assert.equal(actionMatches(pattern, 'Microsoft.KeyVault/vaults/write'), expected, pattern);
  });

  it('resolveArmEndpoint defaults to the public cloud', () => {
    assert.deepEqual(resolveArmEndpoint({}, false), { endpoint: 'https://management.azure.com/', scope: 'https://management.azure.com/.default' });
    assert.deepEqual(resolveArmEndpoint({ KVDR_ARM_ENDPOINT: 'https://management.usgovcloudapi.net' }, false), {
      endpoint: 'https://management.usgovcloudapi.net/',
      scope: 'https://management.usgovcloudapi.net/.default',
    });
  });

  it('resolveArmEndpoint rejects custom hosts unless allowed', () => {
    assert.throws(() => resolveArmEndpoint({ KVDR_ARM_ENDPOINT: 'https://127.0.0.1:8443/' }, false), /KVDR_ALLOW_CUSTOM_HOSTS/);
    assert.throws(() => resolveArmEndpoint({ KVDR_ARM_ENDPOINT: 'http://127.0.0.1:8443/' }, true), /https only/);
    assert.deepEqual(resolveArmEndpoint({ KVDR_ARM_ENDPOINT: 'https://127.0.0.1:8443/' }, true), {
      endpoint: 'https://127.0.0.1:8443/',
      scope: 'https://management.azure.com/.default',
    });
  });

  it('parseVaultResourceId accepts vault ids only', () => {
    const id = '/subscriptions/0000/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app-weu';
    assert.equal(parseVaultResourceId(`${id}/`, '--primary-resource-id'), id);
    assert.throws(() => parseVaultResourceId('/subscriptions/0000/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/st', '--primary-resource-id'), /--primary-resource-id.*az keyvault show/);
    assert.throws(() => parseVaultResourceId('kv-app-weu', '--primary-resource-id'), /Invalid --primary-resource-id "kv-app-weu"/);
  });
});
