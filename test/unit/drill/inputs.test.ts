import assert from 'node:assert/strict';

import { readDrillInputs } from '../../../src/commands/drill';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';

const RESOURCE_ID = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-app-weu';

function read(inputs: Inputs) {
  return readDrillInputs(new RecordingHost(inputs), {});
}

describe('drill inputs', () => {
  it('reads defaults for logical mode', () => {
    const inputs = read({ primary: 'kv-app-weu', secondary: ['kv-app-neu', 'kv-app-sec'] });
    assert.equal(inputs.mode, 'logical');
    assert.deepEqual(inputs.secondaries.map((vault) => vault.id), ['kv-app-neu', 'kv-app-sec']);
    assert.equal(inputs.rtoTargetInMs, 300_000);
    assert.equal(inputs.rpoTargetInMs, 0);
    assert.equal(inputs.lockExpiryInMs, 120_000);
    assert.equal(inputs.primaryResourceId, undefined);
  });

  it('reads network mode with consent', () => {
    const inputs = read({ primary: 'kv-app-weu', secondary: 'kv-app-neu', mode: 'network', allowDisruption: 'true', primaryResourceId: RESOURCE_ID, rtoTarget: '90s', rpoTarget: '15m' });
    assert.equal(inputs.mode, 'network');
    assert.equal(inputs.primaryResourceId, RESOURCE_ID);
    assert.equal(inputs.rtoTargetInMs, 90_000);
    assert.equal(inputs.rpoTargetInMs, 900_000);
  });

  const rejected: Array<[string, Inputs, RegExp]> = [
    ['missing primary', { secondary: 'kv-app-neu' }, /Missing --primary/],
    ['missing secondary', { primary: 'kv-app-weu' }, /Missing --secondary/],
    ['primary listed as secondary', { primary: 'kv-app-weu', secondary: ['kv-app-neu', 'kv-app-weu'] }, /more than once/],
    ['network without consent', { primary: 'kv-app-weu', secondary: 'kv-app-neu', mode: 'network', primaryResourceId: RESOURCE_ID }, /--allow-disruption/],
    ['network without resource id', { primary: 'kv-app-weu', secondary: 'kv-app-neu', mode: 'network', allowDisruption: 'true' }, /--primary-resource-id/],
    ['bad resource id', { primary: 'kv-app-weu', secondary: 'kv-app-neu', primaryResourceId: 'kv-app-weu' }, /Invalid --primary-resource-id "kv-app-weu"/],
    ['unknown mode', { primary: 'kv-app-weu', secondary: 'kv-app-neu', mode: 'chaos' }, /Invalid --mode "chaos": use one of logical, network/],
    ['bad RTO target', { primary: 'kv-app-weu', secondary: 'kv-app-neu', rtoTarget: 'soon' }, /--rto-target: "soon"/],
    ['zero RTO target', { primary: 'kv-app-weu', secondary: 'kv-app-neu', rtoTarget: '0s' }, /Invalid --rto-target of 0s/],
    ['short lock expiry', { primary: 'kv-app-weu', secondary: 'kv-app-neu', lockExpiry: '1s' }, /--lock-expiry/],
    ['custom host without consent', { primary: 'https://127.0.0.1:8443/', secondary: 'kv-app-neu' }, /KVDR_ALLOW_CUSTOM_HOSTS/],
  ];
  for (const [name, inputs, message] of rejected) {
    it(`rejects ${name}`, () => {
      assert.throws(() => read(inputs), message);
    });
  }
});
