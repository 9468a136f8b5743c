/**
 * A small Azure Resource Manager client for one thing: a vault's network settings
 * (`publicNetworkAccess` and `networkAcls`) and whether the caller may change them. The DR drill's
 * network mode uses it to close the primary's public endpoint and to put it back.
 */
import { Agent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';

import type { TokenCredential } from '@azure/identity';
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  createDefaultHttpClient,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';

import { EngineError, invalidInput, type ErrorCode } from '../errors';

/** ARM endpoints of the public and sovereign clouds. */
export const ARM_HOSTS = ['management.azure.com', 'management.usgovcloudapi.net', 'management.chinacloudapi.cn'] as const;

/** The Key Vault resource provider's api-version kvdr sends. */
export const VAULT_API_VERSION = '2023-07-01';
/** The api-version of `Microsoft.Authorization/permissions`. */
export const PERMISSIONS_API_VERSION = '2022-04-01';
/** The ARM action that changes a vault's properties, network settings included. */
export const VAULT_WRITE_ACTION = 'Microsoft.KeyVault/vaults/write';

/** A vault's network settings as ARM's `Vault` resource carries them. */
export interface VaultNetworkSettings {
  publicNetworkAccess: 'Enabled' | 'Disabled';
  networkAcls: {
    bypass: 'AzureServices' | 'None';
    defaultAction: 'Allow' | 'Deny';
    /** IPv4 addresses and CIDR ranges. */
    ipRules: string[];
    virtualNetworkRules: Array<{ id: string; ignoreMissingVnetServiceEndpoint?: boolean }>;
  };
}

/** The parts of a vault resource the drill reads. */
export interface VaultResourceInfo {
  resourceId: string;
  vaultUri?: string;
  networkSettings: VaultNetworkSettings;
  /** Number of private endpoint connections; closing public access does not cut their traffic. */
  privateEndpointConnections: number;
}

/** Options of {@link ArmVaultClient}. */
export interface ArmClientOptions {
  credential: TokenCredential;
  /** ARM endpoint, such as `https://management.azure.com/`. */
  endpoint: string;
  /** The timeout of one request, in milliseconds. */
  callTimeoutInMs: number;
  /** An extra CA certificate (PEM) to trust, for the emulator. */
  tlsCa?: string;
  /** A DNS lookup in place of the system's. */
  lookup?: LookupFunction;
  /** An HTTP client in place of the default, for unit tests. */
  httpClient?: HttpClient;
}

/** Resource ids of vaults: `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>`. */
const VAULT_RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z0-9-]{1,24}$/i;

/** Validates a vault resource id; `label` names the option in the error. */
export function parseVaultResourceId(text: string, label: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  if (!VAULT_RESOURCE_ID.test(trimmed)) {
    throw invalidInput(
      `Invalid ${label} "${text}": give the vault's ARM resource id, /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name> (az keyvault show --query id).`,
    );
  }
  return trimmed;
}

/**
 * Resolves the ARM endpoint: `KVDR_ARM_ENDPOINT` or the public cloud's. A host other than ARM's
 * own needs `allowCustomHosts`, because kvdr sends a management token to it.
 */
export function resolveArmEndpoint(env: NodeJS.ProcessEnv, allowCustomHosts: boolean): { endpoint: string; scope: string } {
  const text = env.KVDR_ARM_ENDPOINT?.trim() || 'https://management.azure.com/';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidInput(`Invalid KVDR_ARM_ENDPOINT "${text}": give an https URL such as https://management.azure.com/.`);
  }
  if (url.protocol !== 'https:') throw invalidInput(`Invalid KVDR_ARM_ENDPOINT "${text}": ARM is reached over https only.`);
  const host = url.hostname.toLowerCase();
  const known = (ARM_HOSTS as readonly string[]).includes(host);
  if (!known && !allowCustomHosts) {
    throw invalidInput(
      `KVDR_ARM_ENDPOINT host "${url.host}" is not an Azure Resource Manager host. kvdr sends a management token to it, so other hosts are rejected; set KVDR_ALLOW_CUSTOM_HOSTS=1 only for a trusted emulator or proxy.`,
    );
  }
  // A custom endpoint (the emulator) still receives tokens for the public cloud's audience.
  const scope = known ? `https://${host}/.default` : 'https://management.azure.com/.default';
  return { endpoint: `https://${url.host}/`, scope };
}

/** Maps an ARM status to the engine's error codes. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden-by-rbac';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  return 'bad-request';
}

/** Returns true when an ARM action pattern such as `Microsoft.KeyVault/*` covers `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

/** Talks to ARM about vault resources with the run's credential. */
export class ArmVaultClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;

  constructor(
    private readonly options: ArmClientOptions,
    scope: string,
  ) {
    const agent = options.tlsCa !== undefined || options.lookup !== undefined ? createAgent(options.tlsCa, options.lookup) : undefined;
    this.pipeline = createPipelineFromOptions({ agent, retryOptions: { maxRetries: 3 } });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: scope }));
    this.httpClient = options.httpClient ?? createDefaultHttpClient();
  }

  /** Reads a vault's network settings. Needs `Microsoft.KeyVault/vaults/read`. */
  async getVault(resourceId: string, abortSignal?: AbortSignal): Promise<VaultResourceInfo> {
    const body = (await this.send('GET', `${resourceId}?api-version=${VAULT_API_VERSION}`, resourceId, undefined, abortSignal)) as VaultBody;
    return infoOf(resourceId, body);
  }

  /**
   * Replaces a vault's `publicNetworkAccess` and whole `networkAcls`, because a partial
   * `networkAcls` has no documented merge rule. Needs `Microsoft.KeyVault/vaults/write`.
   */
  async setNetworkSettings(resourceId: string, settings: VaultNetworkSettings, abortSignal?: AbortSignal): Promise<VaultNetworkSettings> {
    const patch = {
      properties: {
        publicNetworkAccess: settings.publicNetworkAccess,
        networkAcls: {
          bypass: settings.networkAcls.bypass,
          defaultAction: settings.networkAcls.defaultAction,
          ipRules: settings.networkAcls.ipRules.map((value) => ({ value })),
          virtualNetworkRules: settings.networkAcls.virtualNetworkRules.map((rule) => ({ ...rule })),
        },
      },
    };
    const body = (await this.send('PATCH', `${resourceId}?api-version=${VAULT_API_VERSION}`, resourceId, patch, abortSignal)) as VaultBody;
    return infoOf(resourceId, body).networkSettings;
  }

  /** Returns true when the caller's permissions on the vault include `Microsoft.KeyVault/vaults/write`. */
  async canWriteVault(resourceId: string, abortSignal?: AbortSignal): Promise<boolean> {
    const path = `${resourceId}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
    const body = (await this.send('GET', path, resourceId, undefined, abortSignal)) as { value?: Array<{ actions?: string[]; notActions?: string[] }> };
    return (body.value ?? []).some(
      (permission) =>
        (permission.actions ?? []).some((pattern) => actionMatches(pattern, VAULT_WRITE_ACTION)) &&
        !(permission.notActions ?? []).some((pattern) => actionMatches(pattern, VAULT_WRITE_ACTION)),
    );
  }

  private async send(method: 'GET' | 'PATCH', path: string, resourceId: string, body: unknown, abortSignal?: AbortSignal): Promise<unknown> {
    const request = createPipelineRequest({
      url: new URL(path.replace(/^\//, ''), this.options.endpoint).toString(),
      method,
      headers: createHttpHeaders({ accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
      body: body === undefined ? undefined : JSON.stringify(body),
      timeout: this.options.callTimeoutInMs,
      abortSignal,
    });
    let response;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const code: ErrorCode = status === undefined ? 'unavailable' : codeOfStatus(status);
      throw new EngineError(code, `ARM ${method} of ${resourceId} failed: ${(error as Error).message}`, { statusCode: status, cause: error });
    }
    const text = response.bodyAsText ?? '';
    if (response.status >= 200 && response.status < 300) return text === '' ? {} : (JSON.parse(text) as unknown);

    let detail = `HTTP ${response.status}`;
    let serviceCode: string | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      serviceCode = parsed.error?.code;
      detail = `${parsed.error?.code ?? detail}: ${parsed.error?.message ?? ''}`.trim();
    } catch {
      // A body that is not JSON carries nothing more than the status.
    }
    const hint = response.status === 403 ? ` The identity needs ${method === 'GET' ? 'Microsoft.KeyVault/vaults/read' : VAULT_WRITE_ACTION} on the vault, for example the Key Vault Contributor role.` : '';
    throw new EngineError(codeOfStatus(response.status), `ARM ${method} of ${resourceId} failed with ${detail}.${hint}`, {
      statusCode: response.status,
      serviceCode,
      requestId: response.headers.get('x-ms-request-id'),
    });
  }
}

interface VaultBody {
  properties?: {
    vaultUri?: string;
    publicNetworkAccess?: string;
    networkAcls?: {
      bypass?: string;
      defaultAction?: string;
      ipRules?: Array<{ value: string }>;
      virtualNetworkRules?: Array<{ id: string; ignoreMissingVnetServiceEndpoint?: boolean }>;
    };
    privateEndpointConnections?: unknown[];
  };
}

/** Reads the network settings of a `Vault` body, filling ARM's defaults for absent fields. */
function infoOf(resourceId: string, body: VaultBody): VaultResourceInfo {
  const properties = body.properties ?? {};
  const acls = properties.networkAcls;
  return {
    resourceId,
    vaultUri: properties.vaultUri,
    networkSettings: {
      publicNetworkAccess: properties.publicNetworkAccess?.toLowerCase() === 'disabled' ? 'Disabled' : 'Enabled',
      networkAcls: {
        bypass: acls?.bypass?.toLowerCase() === 'none' ? 'None' : 'AzureServices',
        defaultAction: acls?.defaultAction?.toLowerCase() === 'deny' ? 'Deny' : 'Allow',
        ipRules: (acls?.ipRules ?? []).map((rule) => rule.value),
        virtualNetworkRules: (acls?.virtualNetworkRules ?? []).map((rule) => ({ ...rule })),
      },
    },
    privateEndpointConnections: properties.privateEndpointConnections?.length ?? 0,
  };
}

function createAgent(tlsCa: string | undefined, lookup: LookupFunction | undefined): Agent {
  const secureContext = tlsCa === undefined ? undefined : createSecureContext({ ca: [...rootCertificates, tlsCa] });
  return new Agent({ keepAlive: true, secureContext, lookup });
}
