/**
 * State storage creation against a fake ARM HTTP client: no request leaves the process.
 */
import assert from 'node:assert/strict';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { isEngineError } from '../../../src/core/errors';
import {
  ensureStateStorage,
  stateStorageSpecFromBackend,
  validateStateStorageLocation,
  type StateStorageSpec,
} from '../../../src/core/terraform/state-storage';

const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const spec: StateStorageSpec = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  resourceGroupName: 'rg-tfstate',
  storageAccountName: 'sttfstatekvdr',
  containerName: 'tfstate',
  location: 'swedencentral',
};

/** A fake ARM: resources exist once PUT, and the account reports Succeeded after one read. */
class FakeArm implements HttpClient {
  readonly requests: string[] = [];
  readonly existing = new Set<string>();
  readonly bodies = new Map<string, unknown>();

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const path = new URL(request.url).pathname;
    this.requests.push(`${request.method} ${path}`);
    assert.equal(request.headers.get('authorization'), 'Bearer test-token');
    if (request.method === 'PUT') {
      this.existing.add(path);
      this.bodies.set(path, JSON.parse(String(request.body)));
      return this.respond(request, 200, {});
    }
    if (!this.existing.has(path)) return this.respond(request, 404, { error: { code: 'ResourceNotFound' } });
    return this.respond(request, 200, { properties: { provisioningState: 'Succeeded' } });
  }

  private respond(request: PipelineRequest, status: number, body: unknown): PipelineResponse {
    return { request, status, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText: JSON.stringify(body) };
  }
}

describe('terraform state storage', () => {
  it('creates what is missing', async () => {
    const arm = new FakeArm();
    await ensureStateStorage(spec, { credential, httpClient: arm, pollIntervalInMs: 1 });
    const puts = arm.requests.filter((request) => request.startsWith('PUT'));
    assert.equal(puts.length, 4);
    assert.match(puts[0], /\/resourcegroups\/rg-tfstate$/);
    assert.match(puts[1], /\/storageAccounts\/sttfstatekvdr$/);
    assert.match(puts[2], /\/blobServices\/default$/);
    assert.match(puts[3], /\/containers\/tfstate$/);
  });

  it('creates geo-redundant storage', async () => {
    const arm = new FakeArm();
    await ensureStateStorage(spec, { credential, httpClient: arm, pollIntervalInMs: 1 });
    const account = [...arm.bodies.entries()].find(([path]) => path.endsWith('/storageAccounts/sttfstatekvdr'))![1] as { sku: { name: string }; properties: Record<string, unknown> };
    assert.equal(account.sku.name, 'Standard_RAGZRS');
    assert.equal(account.properties.allowBlobPublicAccess, false);
    assert.equal(account.properties.minimumTlsVersion, 'TLS1_2');
  });

  it('changes nothing on a second run', async () => {
    const arm = new FakeArm();
    await ensureStateStorage(spec, { credential, httpClient: arm, pollIntervalInMs: 1 });
    arm.requests.length = 0;
    await ensureStateStorage(spec, { credential, httpClient: arm, pollIntervalInMs: 1 });
    assert.deepEqual(arm.requests.filter((request) => request.startsWith('PUT')), []);
  });

  it('reads the spec from backend settings', () => {
    const backend = { subscription_id: spec.subscriptionId, resource_group_name: 'rg-tfstate', storage_account_name: 'sttfstatekvdr', container_name: 'tfstate' };
    assert.deepEqual(stateStorageSpecFromBackend(backend, 'swedencentral'), spec);
  });

  it('names a missing backend setting', () => {
    assert.throws(
      () => stateStorageSpecFromBackend({ resource_group_name: 'rg' }, 'swedencentral'),
      (error: unknown) => isEngineError(error) && /--backend-config subscription_id=/.test(error.message),
    );
  });

  it('rejects locally redundant storage in a vault region', () => {
    assert.throws(
      () => validateStateStorageLocation({ ...spec, location: 'westeurope', skuName: 'Standard_LRS' }, ['westeurope', 'northeurope']),
      /would be lost with that region/,
    );
    validateStateStorageLocation({ ...spec, location: 'westeurope' }, ['westeurope']);
  });
});
