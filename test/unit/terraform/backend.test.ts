import assert from 'node:assert/strict';
import {
  backendConfigForRegion,
  normalizeStateKeyPrefix,
  parseBackendConfig,
  sensitiveBackendValues,
  validateRegions,
  validateStateIsolation,
} from '../../../src/core/terraform/backend';
import { isEngineError } from '../../../src/core/errors';

const rejectsWith = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (error: unknown) => isEngineError(error) && error.code === 'invalid-input' && message.test(error.message));

describe('terraform backend settings', () => {
  it('gives each region its state key', () => {
    const config = backendConfigForRegion('westeurope', { backendConfig: { storage_account_name: 'sttf' }, stateKeyPrefix: 'kvdr/prod' });
    assert.deepEqual(config, { storage_account_name: 'sttf', key: 'kvdr/prod/westeurope.tfstate' });
  });

  it('replaces the region placeholder', () => {
    const config = backendConfigForRegion('northeurope', { backendConfig: { path: 'state/{region}.tfstate', container_name: 'tf-{region}' } });
    assert.deepEqual(config, { path: 'state/northeurope.tfstate', container_name: 'tf-northeurope' });
  });

  it('parses key=value with = in the value', () => {
    assert.deepEqual(parseBackendConfig(['sas_token=sv=2024&sig=abc=', 'use_azuread_auth=true']), { sas_token: 'sv=2024&sig=abc=', use_azuread_auth: 'true' });
  });

  it('rejects an entry without =', () => {
    rejectsWith(() => parseBackendConfig(['storage_account_name']), /Invalid --backend-config "storage_account_name"/);
  });

  it('rejects a repeated setting', () => {
    rejectsWith(() => parseBackendConfig(['key=a', 'key=b']), /given twice/);
  });

  it('does not echo a rejected value', () => {
    assert.throws(
      () => parseBackendConfig(['Bad-Key=kvdr-test-secret-backend']),
      (error: Error) => !error.message.includes('kvdr-test-secret-backend'),
    );
  });

  it('requires per-region state', () => {
    rejectsWith(() => validateStateIsolation({ backendConfig: { storage_account_name: 'sttf' } }), /Every region needs its own state/);
  });

  it('rejects a prefix with an explicit key', () => {
    rejectsWith(() => validateStateIsolation({ backendConfig: { key: 'x.tfstate' }, stateKeyPrefix: 'kvdr' }), /either --state-key-prefix or --backend-config key/);
  });

  it('normalizes the state key prefix', () => {
    assert.equal(normalizeStateKeyPrefix('kvdr/prod/'), 'kvdr/prod');
    rejectsWith(() => normalizeStateKeyPrefix('kvdr//prod'), /Invalid --state-key-prefix/);
    rejectsWith(() => normalizeStateKeyPrefix('../prod'), /Invalid --state-key-prefix/);
  });

  it('validates region names', () => {
    validateRegions(['westeurope', 'eastus2']);
    rejectsWith(() => validateRegions([]), /No region given/);
    rejectsWith(() => validateRegions(['west europe']), /Invalid region "west europe"/);
    rejectsWith(() => validateRegions(['../etc']), /Invalid region/);
    rejectsWith(() => validateRegions(['westeurope', 'WestEurope']), /given twice/);
  });

  it('lists credential values for masking', () => {
    assert.deepEqual(sensitiveBackendValues({ access_key: 'k1', storage_account_name: 'sttf', sas_token: 't1' }), ['k1', 't1']);
  });
});
