/**
 * The emulator's ARM surface: GET and PATCH of a vault resource, checked against the official
 * resource-manager OpenAPI document, with the network settings enforced on the data plane and
 * shared with the admin API's firewall fault, and management-plane authorization per principal.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createCredential, createSecretClient } from '../../helpers/emulator';
import { rawRequest } from './support';

const VALUE = 'kvdr-arm-value-3c4d5e';
const VAULT = 'kv-arm';
const API = 'api-version=2025-05-01';
const MANAGEMENT_SCOPE = 'https://management.azure.com/.default';
const ARM_SPEC_DIR = 'specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2025-05-01';

type ArmDefinition = 'Vault' | 'VaultPatchParameters' | 'CloudError';

/**
 * Validates bodies against keyvault.json (2025-05-01), as published and in a closed copy in which
 * no object may carry a property the spec does not name.
 */
class ArmSpecValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(directory: string) {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const load = (file: string) => JSON.parse(readFileSync(resolve(directory, file), 'utf8')) as Record<string, unknown>;
    const common = load('common.json');
    const keyvault = load('keyvault.json');
    ajv.addSchema({ ...common, $id: 'common.json' });
    ajv.addSchema({ ...keyvault, $id: 'keyvault.json' });
    ajv.addSchema({ ...closeObjects(common), $id: 'closed/common.json' });
    ajv.addSchema({ ...closeObjects(keyvault), $id: 'closed/keyvault.json' });
    for (const name of ['Vault', 'VaultPatchParameters']) {
      this.validators.set(`open:${name}`, ajv.getSchema(`keyvault.json#/definitions/${name}`)!);
      this.validators.set(`closed:${name}`, ajv.getSchema(`closed/keyvault.json#/definitions/${name}`)!);
    }
    this.validators.set('open:CloudError', ajv.getSchema('common.json#/definitions/CloudError')!);
    this.validators.set('closed:CloudError', ajv.getSchema('closed/common.json#/definitions/CloudError')!);
  }

  /** Loads the validator, or returns `undefined` and prints that schema checks are skipped. */
  static load(): ArmSpecValidator | undefined {
    const repoRoot = resolve(__dirname, '..', '..', '..');
    const directory = [process.env.KVDR_SPECS_DIR, resolve(repoRoot, '..', 'shared', 'specs')]
      .filter((dir): dir is string => Boolean(dir))
      .map((dir) => resolve(dir, ARM_SPEC_DIR))
      .find((dir) => existsSync(resolve(dir, 'keyvault.json')));
    if (!directory) {
      console.log('    (ARM schema checks skipped: no specs folder at KVDR_SPECS_DIR or ../shared/specs)');
      return undefined;
    }
    return new ArmSpecValidator(directory);
  }

  validate(definition: ArmDefinition, body: unknown, context: string): void {
    for (const variant of ['open', 'closed']) {
      const validate = this.validators.get(`${variant}:${definition}`)!;
      assert.ok(validate(body), `${context}: body does not match ${definition} (${variant}): ${JSON.stringify(validate.errors)}\nbody: ${JSON.stringify(body)}`);
    }
  }
}

function closeObjects(spec: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(spec)) as { definitions: Record<string, Record<string, unknown>> };
  for (const definition of Object.values(copy.definitions)) {
    if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
  }
  return copy as unknown as Record<string, unknown>;
}

interface VaultBody {
  id: string;
  name: string;
  tags: Record<string, string>;
  properties: {
    vaultUri: string;
    publicNetworkAccess: string;
    networkAcls: { bypass: string; defaultAction: string; ipRules: Array<{ value: string }>; virtualNetworkRules: Array<{ id: string }> };
  };
}

describe('emulator ARM surface', () => {
  let emulator: Emulator;
  let client: HttpClient;
  const validator = ArmSpecValidator.load();
  const reader = { clientId: '3b0c6f1e-2a55-4c07-9d1e-5f2a7b8c9d01', clientSecret: 'kvdr-arm-reader-secret' };

  before(async () => {
    emulator = await startEmulator({ vaults: [VAULT, 'kv-arm-other'], purgeProtection: [VAULT] });
    emulator.admin.seed(VAULT, [{ name: 'arm-secret', value: VALUE }]);
    emulator.admin.registerClient(reader.clientId, reader.clientSecret);
    client = createDefaultHttpClient();
  });

  after(async () => {
    await emulator?.close();
  });

  afterEach(async () => {
    emulator.arm.setRoles(undefined);
    await emulator.admin.clearFaults(VAULT);
  });

  function armPipeline(credential: TokenCredential = createCredential(emulator)): Pipeline {
    const pipeline = createPipelineFromOptions({ tlsOptions: { ca: emulator.ca }, retryOptions: { maxRetries: 0 } });
    pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: MANAGEMENT_SCOPE }));
    return pipeline;
  }

  async function arm(method: 'GET' | 'PATCH', path: string, body?: unknown, credential?: TokenCredential): Promise<{ status: number; body: Record<string, unknown> }> {
    const request = createPipelineRequest({
      url: `${emulator.armUrl.replace(/\/$/, '')}${path}`,
      method,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (body !== undefined) validator?.validate('VaultPatchParameters', body, `PATCH ${path} request`);
    const response = await armPipeline(credential).sendRequest(client, request);
    const parsed = JSON.parse(response.bodyAsText ?? '{}') as Record<string, unknown>;
    validator?.validate(response.status < 400 ? 'Vault' : 'CloudError', parsed, `${method} ${path} ${response.status}`);
    return { status: response.status, body: parsed };
  }

  const vaultPath = () => `${emulator.resourceIds[VAULT]}?${API}`;

  async function readSecret(): Promise<string | undefined> {
    return (await createSecretClient(emulator, VAULT).getSecret('arm-secret')).value;
  }

  async function expectFirewallDenial(address: string): Promise<void> {
    await assert.rejects(readSecret(), (error: { statusCode?: number; message: string }) => {
      assert.equal(error.statusCode, 403);
      assert.ok(error.message.includes(`Client address: ${address}`), error.message);
      assert.ok(!error.message.includes(VALUE));
      return true;
    });
    const token = await createCredential(emulator).getToken('https://vault.azure.net/.default');
    const raw = await rawRequest(`${emulator.vaults[VAULT]}secrets/arm-secret?api-version=2025-07-01`, { ca: emulator.ca, headers: { authorization: `Bearer ${token!.token}` } });
    assert.equal(raw.json<{ error: { innererror: { code: string } } }>().error.innererror.code, 'ForbiddenByFirewall');
  }

  it('exposes the ARM endpoint and resource ids', () => {
    assert.match(emulator.armUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(emulator.env.KVDR_ARM_ENDPOINT, emulator.armUrl);
    assert.equal(emulator.resourceIds[VAULT], `/subscriptions/${emulator.arm.subscriptionId}/resourceGroups/${emulator.arm.resourceGroup}/providers/Microsoft.KeyVault/vaults/${VAULT}`);
    assert.deepEqual(Object.keys(emulator.resourceIds), [VAULT, 'kv-arm-other']);
  });

  it('GET returns the vault resource', async () => {
    const response = await arm('GET', vaultPath());
    assert.equal(response.status, 200);
    const vault = response.body as unknown as VaultBody;
    assert.equal(vault.id, emulator.resourceIds[VAULT]);
    assert.equal(vault.name, VAULT);
    assert.equal(vault.properties.vaultUri, emulator.vaults[VAULT]);
    assert.equal(vault.properties.publicNetworkAccess, 'Enabled');
    assert.deepEqual(vault.properties.networkAcls, { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] });
    assert.equal((response.body.properties as { enablePurgeProtection?: boolean }).enablePurgeProtection, true);
  });

  it('defaultAction Deny closes the data plane', async () => {
    assert.equal(await readSecret(), VALUE);
    const closed = await arm('PATCH', vaultPath(), { properties: { networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [] } } });
    assert.equal(closed.status, 200);
    assert.equal((closed.body as unknown as VaultBody).properties.networkAcls.defaultAction, 'Deny');
    await expectFirewallDenial('127.0.0.1');

    const allowed = await arm('PATCH', vaultPath(), { properties: { networkAcls: { ipRules: [{ value: '127.0.0.1' }] } } });
    assert.deepEqual((allowed.body as unknown as VaultBody).properties.networkAcls.ipRules, [{ value: '127.0.0.1' }]);
    assert.equal(await readSecret(), VALUE);

    await arm('PATCH', vaultPath(), { properties: { networkAcls: { defaultAction: 'Allow', ipRules: [] } } });
    assert.equal(await readSecret(), VALUE);
  });

  it('publicNetworkAccess Disabled overrides rules', async () => {
    await arm('PATCH', vaultPath(), { properties: { publicNetworkAccess: 'Disabled', networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '127.0.0.0/8' }] } } });
    await expectFirewallDenial('127.0.0.1');
    const reopened = await arm('PATCH', vaultPath(), { properties: { publicNetworkAccess: 'Enabled' } });
    assert.equal((reopened.body as unknown as VaultBody).properties.publicNetworkAccess, 'Enabled');
    assert.equal(await readSecret(), VALUE);
  });

  it('firewall fault and ARM share state', async () => {
    await emulator.admin.setFaults(VAULT, { firewall: { clientIp: '198.51.100.7', allow: ['203.0.113.0/24'] } });
    const seen = (await arm('GET', vaultPath())).body as unknown as VaultBody;
    assert.equal(seen.properties.networkAcls.defaultAction, 'Deny');
    assert.deepEqual(seen.properties.networkAcls.ipRules, [{ value: '203.0.113.0/24' }]);
    await expectFirewallDenial('198.51.100.7');

    await arm('PATCH', vaultPath(), { properties: { networkAcls: { ipRules: [{ value: '198.51.100.0/24' }] } } });
    assert.equal(await readSecret(), VALUE);
  });

  it('invalid PATCH names the value', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ properties: { networkAcls: { defaultAction: 'Block' } } }, /"Block".*Allow, Deny/],
      [{ properties: { networkAcls: { ipRules: [{ value: '300.1.1.1' }] } } }, /ipRules\[0\].*300\.1\.1\.1/],
      [{ properties: { publicNetworkAccess: 'Off' } }, /"Off".*Enabled, Disabled/],
      [{ properties: { networkAcl: {} } }, /Unknown field "properties\.networkAcl"/],
      [{ properties: { enableSoftDelete: false } }, /enableSoftDelete.*does not change/],
    ];
    for (const [body, message] of cases) {
      const request = createPipelineRequest({ url: `${emulator.armUrl.replace(/\/$/, '')}${vaultPath()}`, method: 'PATCH', body: JSON.stringify(body), headers: createHttpHeaders({ 'content-type': 'application/json' }) });
      const response = await armPipeline().sendRequest(client, request);
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = (JSON.parse(response.bodyAsText!) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'BadRequest');
      assert.match(error.message, message);
    }
    const unchanged = (await arm('GET', vaultPath())).body as unknown as VaultBody;
    assert.equal(unchanged.properties.networkAcls.defaultAction, 'Allow');
    assert.equal(unchanged.properties.publicNetworkAccess, 'Enabled');
  });

  it('PATCH stores tags and virtual network rules', async () => {
    const subnet = `/subscriptions/${emulator.arm.subscriptionId}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agents`;
    const response = await arm('PATCH', vaultPath(), { tags: { owner: 'platform' }, properties: { networkAcls: { virtualNetworkRules: [{ id: subnet }] } } });
    const vault = response.body as unknown as VaultBody;
    assert.deepEqual(vault.tags, { owner: 'platform' });
    assert.deepEqual(vault.properties.networkAcls.virtualNetworkRules, [{ id: subnet }]);
    assert.equal(await readSecret(), VALUE, 'virtual network rules do not close a vault whose default action is Allow');
  });

  it('reader gets 403 AuthorizationFailed on PATCH', async () => {
    emulator.arm.setRoles({ [emulator.clientId]: 'Contributor', [reader.clientId]: 'Reader' });
    const credential = createCredential(emulator, reader);
    assert.equal((await arm('GET', vaultPath(), undefined, credential)).status, 200);

    const denied = await arm('PATCH', vaultPath(), { properties: { publicNetworkAccess: 'Disabled' } }, credential);
    assert.equal(denied.status, 403);
    const error = denied.body.error as { code: string; message: string };
    assert.equal(error.code, 'AuthorizationFailed');
    assert.ok(error.message.includes(`'${reader.clientId}'`), error.message);
    assert.ok(error.message.includes("'Microsoft.KeyVault/vaults/write'"), error.message);
    assert.ok(error.message.includes(emulator.resourceIds[VAULT]), error.message);
    assert.equal(await readSecret(), VALUE, 'the rejected PATCH changed nothing');
  });

  it('permissions list the role actions', async () => {
    emulator.arm.setRoles({ [reader.clientId]: 'Reader' });
    const path = `${emulator.resourceIds[VAULT]}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`;
    const send = async (credential: TokenCredential) => {
      const response = await armPipeline(credential).sendRequest(client, createPipelineRequest({ url: `${emulator.armUrl.replace(/\/$/, '')}${path}`, method: 'GET' }));
      assert.equal(response.status, 200);
      return (JSON.parse(response.bodyAsText!) as { value: Array<{ actions: string[] }> }).value;
    };
    assert.deepEqual((await send(createCredential(emulator, reader)))[0].actions, ['*/read']);
    assert.deepEqual(await send(createCredential(emulator)), [], 'a principal without a role has no permissions');
  });

  it('rejects missing and wrong-audience tokens', async () => {
    const url = `${emulator.armUrl.replace(/\/$/, '')}${vaultPath()}`;
    const missing = await rawRequest(url, { ca: emulator.ca });
    assert.equal(missing.status, 401);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'AuthenticationFailed');
    assert.match(String(missing.headers['www-authenticate']), /^Bearer authorization_uri=/);

    const vaultToken = await createCredential(emulator).getToken('https://vault.azure.net/.default');
    const wrongAudience = await rawRequest(url, { ca: emulator.ca, headers: { authorization: `Bearer ${vaultToken!.token}` } });
    assert.equal(wrongAudience.status, 401);
    assert.equal(wrongAudience.json<{ error: { code: string } }>().error.code, 'InvalidAuthenticationTokenAudience');
  });

  it('answers unknown resources and versions', async () => {
    const base = emulator.resourceIds[VAULT];
    const cases: Array<[string, number, string]> = [
      [base.replace(VAULT, 'kv-missing') + `?${API}`, 404, 'ResourceNotFound'],
      [base.replace(emulator.arm.resourceGroup, 'other-group') + `?${API}`, 404, 'ResourceGroupNotFound'],
      [base.replace(emulator.arm.subscriptionId, '00000000-0000-0000-0000-000000000000') + `?${API}`, 404, 'SubscriptionNotFound'],
      [base, 400, 'MissingApiVersionParameter'],
      [`${base}?api-version=2015-01-01`, 400, 'InvalidApiVersionParameter'],
    ];
    for (const [path, status, code] of cases) {
      const response = await arm('GET', path);
      assert.equal(response.status, status, path);
      assert.equal((response.body.error as { code: string }).code, code, path);
    }
  });

  it('writes ARM fields to the ready file', async () => {
    const directory = mkdtempSync(resolve(tmpdir(), 'kvdr-arm-ready-'));
    const readyFile = resolve(directory, 'emulator.json');
    const withFile = await startEmulator({ vaults: ['kv-arm-ready'], readyFile, arm: { subscriptionId: '11111111-2222-4333-8444-555555555555', resourceGroup: 'rg-drill' } });
    try {
      const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { armUrl: string; resourceIds: Record<string, string>; env: Record<string, string> };
      assert.equal(ready.armUrl, withFile.armUrl);
      assert.equal(ready.env.KVDR_ARM_ENDPOINT, withFile.armUrl);
      assert.equal(ready.resourceIds['kv-arm-ready'], '/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-drill/providers/Microsoft.KeyVault/vaults/kv-arm-ready');
    } finally {
      await withFile.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('managed identity token opens ARM', async () => {
    const { identity } = emulator;
    const response = await rawRequest(`${emulator.armUrl.replace(/\/$/, '')}${vaultPath()}`, {
      ca: emulator.ca,
      headers: { authorization: `Bearer ${await managedIdentityToken(identity.identityEndpoint, identity.identityHeader)}` },
    });
    assert.equal(response.status, 200);
  });
});

/** Fetches a management token from the emulator's managed identity endpoint over plain HTTP. */
async function managedIdentityToken(endpoint: string, header: string): Promise<string> {
  const url = `${endpoint}?api-version=2019-08-01&resource=${encodeURIComponent('https://management.azure.com/')}`;
  return new Promise((resolvePromise, reject) => {
    httpRequest(url, { headers: { 'X-IDENTITY-HEADER': header }, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolvePromise((JSON.parse(body) as { access_token: string }).access_token));
    })
      .on('error', reject)
      .end();
  });
}
