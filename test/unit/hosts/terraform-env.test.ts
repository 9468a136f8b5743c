import assert from 'node:assert/strict';
import { gitHubTerraformEnv, serviceConnectionTerraformEnv } from '../../../src/hosts/credentials/terraform-env';
import type { ServiceConnectionSource } from '../../../src/hosts/credentials/service-connection';

function source(scheme: string, auth: Record<string, string>, data: Record<string, string> = {}): ServiceConnectionSource {
  return { scheme: () => scheme, authParameter: (_id, key) => auth[key], dataParameter: (_id, key) => data[key] };
}

describe('Terraform environment', () => {
  it('uses OIDC for workload identity federation', () => {
    const masked: string[] = [];
    const env = serviceConnectionTerraformEnv({
      connectionId: 'conn-1',
      source: source('WorkloadIdentityFederation', { serviceprincipalid: 'client-1', tenantid: 'tenant-1' }, { subscriptionId: 'sub-1' }),
      env: { SYSTEM_OIDCREQUESTURI: 'https://127.0.0.1:1/oidc' },
      systemAccessToken: 'SEEDTOKEN-job',
      setSecret: (value) => masked.push(value),
    });
    assert.equal(env.ARM_USE_OIDC, 'true');
    assert.equal(env.ARM_CLIENT_ID, 'client-1');
    assert.equal(env.ARM_TENANT_ID, 'tenant-1');
    assert.equal(env.ARM_SUBSCRIPTION_ID, 'sub-1');
    assert.equal(env.ARM_OIDC_REQUEST_URL, 'https://127.0.0.1:1/oidc');
    assert.equal(env.ARM_OIDC_REQUEST_TOKEN, 'SEEDTOKEN-job');
    assert.equal(env.ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, 'conn-1');
    assert.deepEqual(masked, ['SEEDTOKEN-job']);
  });

  it('passes a service principal secret', () => {
    const env = serviceConnectionTerraformEnv({
      connectionId: 'conn-1',
      source: source('ServicePrincipal', { serviceprincipalid: 'client-1', tenantid: 'tenant-1', authenticationType: 'spnKey', serviceprincipalkey: 'SEEDSECRET-1' }),
      env: {},
      systemAccessToken: undefined,
      setSecret: () => undefined,
    });
    assert.equal(env.ARM_CLIENT_SECRET, 'SEEDSECRET-1');
    assert.equal(env.ARM_USE_OIDC, undefined);
  });

  it('rejects a certificate connection', () => {
    assert.throws(
      () => serviceConnectionTerraformEnv({ connectionId: 'conn-1', source: source('ServicePrincipal', { authenticationType: 'spnCertificate' }), env: {}, systemAccessToken: undefined, setSecret: () => undefined }),
      /cannot use the certificate of service connection "conn-1"/,
    );
  });

  it('maps GitHub auth modes', () => {
    const oidc = gitHubTerraformEnv({ authMode: 'oidc', clientId: 'c', tenantId: 't', env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://127.0.0.1/', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'r' } });
    assert.equal(oidc.ARM_USE_OIDC, 'true');
    assert.equal(oidc.ARM_OIDC_REQUEST_TOKEN, 'r');
    assert.equal(gitHubTerraformEnv({ authMode: 'azure-cli', env: {} }).ARM_USE_CLI, 'true');
    const environment = gitHubTerraformEnv({ authMode: 'environment', env: { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_CLIENT_SECRET: 's' } });
    assert.deepEqual(environment, { ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_CLIENT_SECRET: 's' });
  });
});
