/**
 * Creates the azurerm backend's storage when asked (`--create-state-storage`): resource group,
 * geo-redundant storage account, blob versioning and soft delete, and the container. Each step
 * reads first and creates only what is missing, through ARM with the deploy's own credential, so a
 * re-run changes nothing and an existing account's settings are never overwritten.
 */
import type { TokenCredential } from '@azure/identity';
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  createDefaultHttpClient,
  type HttpClient,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { EngineError, invalidInput, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';

const RESOURCE_GROUP_API = '2021-04-01';
const STORAGE_API = '2023-05-01';

/** SKUs that keep a copy in the paired region, so a regional outage leaves the state readable. */
export const GEO_REDUNDANT_SKUS: ReadonlySet<string> = new Set(['Standard_GRS', 'Standard_RAGRS', 'Standard_GZRS', 'Standard_RAGZRS']);

/** The storage to create, read from the azurerm `--backend-config` settings and `--state-storage-location`. */
export interface StateStorageSpec {
  subscriptionId: string;
  resourceGroupName: string;
  storageAccountName: string;
  containerName: string;
  /** Azure location of the resource group and account, such as `northeurope`. */
  location: string;
  /** Default: `Standard_RAGZRS` (zone- and geo-redundant, readable in the paired region). */
  skuName?: string;
}

/** Options for {@link ensureStateStorage}. */
export interface EnsureStateStorageOptions {
  credential: TokenCredential;
  /** ARM endpoint. Default: `https://management.azure.com` (the public cloud). */
  armEndpoint?: string;
  /** HTTP client; tests pass a fake one. Default: core-rest-pipeline's client. */
  httpClient?: HttpClient;
  abortSignal?: AbortSignal;
  /** Wait between reads while the account is being created. Default: 5 s. */
  pollIntervalInMs?: number;
  /** Maximum wait for the account to be created. Default: 10 min. */
  provisioningTimeoutInMs?: number;
  logger?: Logger;
}

/** Reads the storage spec from azurerm backend settings, or throws naming the missing setting. */
export function stateStorageSpecFromBackend(backendConfig: Record<string, string>, location: string | undefined): StateStorageSpec {
  const required = ['subscription_id', 'resource_group_name', 'storage_account_name', 'container_name'] as const;
  for (const key of required) {
    if (!backendConfig[key]) throw invalidInput(`--create-state-storage needs --backend-config ${key}=... to know what to create.`);
    if (backendConfig[key].includes('{region}')) {
      throw invalidInput(`--create-state-storage creates one storage account, so --backend-config ${key} cannot contain {region}.`);
    }
  }
  if (!location) throw invalidInput('--create-state-storage needs --state-storage-location, such as northeurope: a region other than the vaults\' one.');
  if (!/^[a-z0-9]{3,24}$/.test(backendConfig.storage_account_name)) {
    throw invalidInput(`Invalid storage_account_name "${backendConfig.storage_account_name}": use 3-24 lower-case letters and digits.`);
  }
  return {
    subscriptionId: backendConfig.subscription_id,
    resourceGroupName: backendConfig.resource_group_name,
    storageAccountName: backendConfig.storage_account_name,
    containerName: backendConfig.container_name,
    location,
  };
}

/**
 * Rejects state storage that would fail together with a vault region: an account in one of the
 * deployed regions must use a geo-redundant SKU.
 */
export function validateStateStorageLocation(spec: StateStorageSpec, regions: readonly string[]): void {
  const sku = spec.skuName ?? 'Standard_RAGZRS';
  const sameRegion = regions.some((region) => region.toLowerCase() === spec.location.toLowerCase());
  if (sameRegion && !GEO_REDUNDANT_SKUS.has(sku)) {
    throw invalidInput(
      `State storage in ${spec.location}, a region being deployed, with ${sku} would be lost with that region. Choose another --state-storage-location or a geo-redundant SKU (${[...GEO_REDUNDANT_SKUS].join(', ')}).`,
    );
  }
}

/** Creates whatever of the state storage is missing and leaves existing parts as they are. */
export async function ensureStateStorage(spec: StateStorageSpec, options: EnsureStateStorageOptions): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const armEndpoint = (options.armEndpoint ?? 'https://management.azure.com').replace(/\/+$/, '');
  const pipeline = createPipelineFromOptions({});
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: `${armEndpoint}/.default` }));
  const httpClient = options.httpClient ?? createDefaultHttpClient();

  const send = async (method: 'GET' | 'PUT', path: string, apiVersion: string, body?: unknown): Promise<PipelineResponse> => {
    const request = createPipelineRequest({
      url: `${armEndpoint}${path}?api-version=${apiVersion}`,
      method,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      abortSignal: options.abortSignal,
    });
    return pipeline.sendRequest(httpClient, request);
  };
  const expectOk = (response: PipelineResponse, what: string): void => {
    if (response.status >= 200 && response.status < 300) return;
    const code = errorCodeOf(response.status);
    const serviceCode = readErrorCode(response.bodyAsText);
    throw new EngineError(code, `Creating the state storage failed at ${what}: HTTP ${response.status}${serviceCode ? ` (${serviceCode})` : ''}. The deploy identity needs Contributor on the resource group or subscription.`, {
      statusCode: response.status,
      serviceCode,
      requestId: response.headers.get('x-ms-request-id'),
    });
  };

  const group = `/subscriptions/${encodeURIComponent(spec.subscriptionId)}/resourcegroups/${encodeURIComponent(spec.resourceGroupName)}`;
  const account = `${group}/providers/Microsoft.Storage/storageAccounts/${spec.storageAccountName}`;

  if ((await send('GET', group, RESOURCE_GROUP_API)).status === 404) {
    logger.info(`Creating resource group ${spec.resourceGroupName} in ${spec.location}`);
    expectOk(await send('PUT', group, RESOURCE_GROUP_API, { location: spec.location }), `resource group ${spec.resourceGroupName}`);
  }

  if ((await send('GET', account, STORAGE_API)).status === 404) {
    logger.info(`Creating storage account ${spec.storageAccountName} (${spec.skuName ?? 'Standard_RAGZRS'}) in ${spec.location}`);
    const created = await send('PUT', account, STORAGE_API, {
      location: spec.location,
      kind: 'StorageV2',
      sku: { name: spec.skuName ?? 'Standard_RAGZRS' },
      properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false, supportsHttpsTrafficOnly: true },
    });
    expectOk(created, `storage account ${spec.storageAccountName}`);
    await waitForAccount(send, account, options, spec.storageAccountName);

    // Versioning and soft delete let an operator restore a state file that a bad run overwrote or deleted.
    const blobService = await send('PUT', `${account}/blobServices/default`, STORAGE_API, {
      properties: { isVersioningEnabled: true, deleteRetentionPolicy: { enabled: true, days: 30 }, containerDeleteRetentionPolicy: { enabled: true, days: 30 } },
    });
    expectOk(blobService, 'blob versioning and soft delete');
  }

  const container = `${account}/blobServices/default/containers/${spec.containerName}`;
  if ((await send('GET', container, STORAGE_API)).status === 404) {
    logger.info(`Creating container ${spec.containerName}`);
    expectOk(await send('PUT', container, STORAGE_API, { properties: { publicAccess: 'None' } }), `container ${spec.containerName}`);
  }
}

async function waitForAccount(
  send: (method: 'GET', path: string, apiVersion: string) => Promise<PipelineResponse>,
  account: string,
  options: EnsureStateStorageOptions,
  name: string,
): Promise<void> {
  const pollIntervalInMs = options.pollIntervalInMs ?? 5000;
  const deadline = Date.now() + (options.provisioningTimeoutInMs ?? 600_000);
  for (;;) {
    const response = await send('GET', account, STORAGE_API);
    const state = response.status === 200 ? readProvisioningState(response.bodyAsText) : undefined;
    if (state === 'Succeeded') return;
    if (state === 'Failed') throw new EngineError('internal', `Storage account ${name} failed to provision. Check the activity log of its resource group.`);
    if (Date.now() > deadline) throw new EngineError('timeout', `Storage account ${name} was not ready after waiting; run the deploy again to continue.`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalInMs));
    if (options.abortSignal?.aborted) throw new EngineError('aborted', 'Creating the state storage was cancelled.');
  }
}

function errorCodeOf(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden-by-rbac';
  if (status >= 500) return 'unavailable';
  return 'bad-request';
}

function readProvisioningState(body: string | null | undefined): string | undefined {
  try {
    return (JSON.parse(body ?? '{}') as { properties?: { provisioningState?: string } }).properties?.provisioningState;
  } catch {
    return undefined;
  }
}

function readErrorCode(body: string | null | undefined): string | undefined {
  try {
    return (JSON.parse(body ?? '{}') as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
