/**
 * A vault as an ARM resource: the `Vault` body of GET and PATCH, and the validation and applying
 * of `VaultPatchParameters`. `networkAcls.defaultAction`, `networkAcls.ipRules` and
 * `publicNetworkAccess` live in the vault's `FirewallState`, which the data plane enforces and the
 * admin API's firewall fault also sets, so both drive one firewall.
 */
import { isIpv4Range } from '../faults';
import type { VaultState } from '../state';
import type { ArmState } from './arm-state';

/** Fields of `VaultPatchProperties` the emulator applies. */
const SUPPORTED_PROPERTIES = ['networkAcls', 'publicNetworkAccess'];
/** Other fields of `VaultPatchProperties`: valid in Azure, rejected here so a test notices they have no effect. */
const UNSUPPORTED_PROPERTIES = [
  'tenantId', 'sku', 'accessPolicies', 'enabledForDeployment', 'enabledForDiskEncryption', 'enabledForTemplateDeployment',
  'enableSoftDelete', 'enableRbacAuthorization', 'softDeleteRetentionInDays', 'createMode', 'enablePurgeProtection',
];
const NETWORK_ACL_FIELDS = ['bypass', 'defaultAction', 'ipRules', 'virtualNetworkRules'];

/** A validated PATCH: every field is optional and replaces the current value when present. */
export interface VaultPatch {
  tags?: Record<string, string>;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  bypass?: 'AzureServices' | 'None';
  defaultAction?: 'Allow' | 'Deny';
  ipRules?: string[];
  virtualNetworkRules?: Array<{ id: string; ignoreMissingVnetServiceEndpoint?: boolean }>;
}

/** An invalid PATCH body; `message` names the field, the value and the accepted values. */
export class VaultPatchError extends Error {
  override name = 'VaultPatchError';
}

/** Builds the `Vault` body ARM returns for GET and PATCH. */
export function vaultResource(vault: VaultState, arm: ArmState, tenantId: string): Record<string, unknown> {
  const extras = arm.extrasOf(vault.name);
  const firewall = vault.firewall;
  return {
    id: arm.resourceId(vault.name),
    name: vault.name,
    type: 'Microsoft.KeyVault/vaults',
    location: arm.location,
    tags: { ...extras.tags },
    systemData: {
      createdBy: 'kvdr-emulator',
      createdByType: 'Application',
      createdAt: extras.createdAt,
      lastModifiedBy: extras.lastModifiedBy ?? 'kvdr-emulator',
      lastModifiedByType: 'Application',
      lastModifiedAt: extras.lastModifiedAt,
    },
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId,
      accessPolicies: [],
      vaultUri: vault.url,
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: true,
      ...(vault.store.purgeProtection ? { enablePurgeProtection: true } : {}),
      networkAcls: {
        bypass: extras.bypass,
        defaultAction: firewall.defaultAction,
        ipRules: firewall.ipRules.map((value) => ({ value })),
        virtualNetworkRules: extras.virtualNetworkRules.map((rule) => ({ ...rule })),
      },
      provisioningState: 'Succeeded',
      publicNetworkAccess: firewall.publicNetworkAccess,
    },
  };
}

/** Validates a `VaultPatchParameters` body. Throws `VaultPatchError` before anything is changed. */
export function parseVaultPatch(body: unknown): VaultPatch {
  const root = requireObject(body, 'The request body');
  rejectUnknown(root, ['tags', 'properties'], '');
  const patch: VaultPatch = {};

  if (root.tags !== undefined && root.tags !== null) {
    const tags = requireObject(root.tags, 'tags');
    for (const [key, value] of Object.entries(tags)) {
      if (typeof value !== 'string') throw new VaultPatchError(`Invalid value of tag "${key}": ${JSON.stringify(value)}. Tag values are strings.`);
    }
    patch.tags = tags as Record<string, string>;
  }
  if (root.properties === undefined || root.properties === null) return patch;

  const properties = requireObject(root.properties, 'properties');
  for (const key of Object.keys(properties)) {
    if (UNSUPPORTED_PROPERTIES.includes(key)) {
      throw new VaultPatchError(`properties.${key} is valid in Azure but the emulator does not change it. The emulator applies ${SUPPORTED_PROPERTIES.join(' and ')}.`);
    }
  }
  rejectUnknown(properties, SUPPORTED_PROPERTIES, 'properties.');
  if (properties.publicNetworkAccess !== undefined) {
    patch.publicNetworkAccess = enumValue(properties.publicNetworkAccess, ['Enabled', 'Disabled'] as const, 'properties.publicNetworkAccess');
  }
  if (properties.networkAcls === undefined || properties.networkAcls === null) return patch;

  const acls = requireObject(properties.networkAcls, 'properties.networkAcls');
  rejectUnknown(acls, NETWORK_ACL_FIELDS, 'properties.networkAcls.');
  if (acls.bypass !== undefined) patch.bypass = enumValue(acls.bypass, ['AzureServices', 'None'] as const, 'properties.networkAcls.bypass');
  if (acls.defaultAction !== undefined) patch.defaultAction = enumValue(acls.defaultAction, ['Allow', 'Deny'] as const, 'properties.networkAcls.defaultAction');
  if (acls.ipRules !== undefined) patch.ipRules = parseIpRules(acls.ipRules);
  if (acls.virtualNetworkRules !== undefined) patch.virtualNetworkRules = parseVirtualNetworkRules(acls.virtualNetworkRules);
  return patch;
}

// NOTE: this merges like JSON merge patch, where a present field or list replaces the old one. How
// the Key Vault provider merges a partial `networkAcls` is not documented, so send the whole object.
/** Applies a validated PATCH to the vault's firewall and ARM-only properties. */
export function applyVaultPatch(vault: VaultState, arm: ArmState, patch: VaultPatch, modifiedBy: string): void {
  const extras = arm.extrasOf(vault.name);
  if (patch.tags) extras.tags = { ...patch.tags };
  if (patch.bypass) extras.bypass = patch.bypass;
  if (patch.virtualNetworkRules) extras.virtualNetworkRules = patch.virtualNetworkRules;
  if (patch.publicNetworkAccess) vault.firewall.publicNetworkAccess = patch.publicNetworkAccess;
  if (patch.defaultAction) vault.firewall.defaultAction = patch.defaultAction;
  if (patch.ipRules) vault.firewall.ipRules = patch.ipRules;
  extras.lastModifiedAt = new Date().toISOString();
  extras.lastModifiedBy = modifiedBy;
}

function parseIpRules(value: unknown): string[] {
  if (!Array.isArray(value)) throw new VaultPatchError('properties.networkAcls.ipRules must be a list such as [{"value": "203.0.113.0/24"}].');
  return value.map((rule: unknown, index) => {
    const text = typeof rule === 'object' && rule !== null ? (rule as { value?: unknown }).value : undefined;
    if (typeof text !== 'string' || !isIpv4Range(text)) {
      throw new VaultPatchError(`Invalid properties.networkAcls.ipRules[${index}]: ${JSON.stringify(rule)}. Use {"value": "<IPv4 address or CIDR range>"}, such as {"value": "203.0.113.0/24"}.`);
    }
    return text;
  });
}

function parseVirtualNetworkRules(value: unknown): Array<{ id: string; ignoreMissingVnetServiceEndpoint?: boolean }> {
  if (!Array.isArray(value)) throw new VaultPatchError('properties.networkAcls.virtualNetworkRules must be a list of {"id": "<subnet resource id>"}.');
  return value.map((rule: unknown, index) => {
    const entry = typeof rule === 'object' && rule !== null ? (rule as Record<string, unknown>) : {};
    const ignore = entry.ignoreMissingVnetServiceEndpoint;
    if (typeof entry.id !== 'string' || !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i.test(entry.id) || (ignore !== undefined && typeof ignore !== 'boolean')) {
      throw new VaultPatchError(`Invalid properties.networkAcls.virtualNetworkRules[${index}]: ${JSON.stringify(rule)}. Use {"id": "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>"}.`);
    }
    return ignore === undefined ? { id: entry.id } : { id: entry.id, ignoreMissingVnetServiceEndpoint: ignore };
  });
}

/** Accepts an enum value in any letter case, as ARM does, and returns Azure's spelling. */
function enumValue<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  const match = typeof value === 'string' ? allowed.find((entry) => entry.toLowerCase() === value.toLowerCase()) : undefined;
  if (!match) throw new VaultPatchError(`Invalid ${field} ${JSON.stringify(value)}. Use one of: ${allowed.join(', ')}.`);
  return match;
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new VaultPatchError(`${field} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function rejectUnknown(object: Record<string, unknown>, known: string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw new VaultPatchError(`Unknown field "${prefix}${key}". Known fields: ${known.map((name) => prefix + name).join(', ')}.`);
  }
}
