/**
 * The Azure Resource Manager side of the emulated vaults: the subscription and resource group they
 * live in, the resource properties the data plane does not hold (tags, `bypass`, virtual network
 * rules), and the management-plane role of each principal.
 */
import { randomUUID } from 'node:crypto';

/** Built-in Azure roles the ARM surface supports, by their Azure names. */
export type ArmRole = 'Owner' | 'Contributor' | 'Key Vault Contributor' | 'Reader';

export const ARM_ROLES: readonly ArmRole[] = ['Owner', 'Contributor', 'Key Vault Contributor', 'Reader'];

/** The ARM action reading a vault, and the one changing it. */
export const VAULT_READ_ACTION = 'Microsoft.KeyVault/vaults/read';
export const VAULT_WRITE_ACTION = 'Microsoft.KeyVault/vaults/write';

/** ARM settings of `startEmulator`. */
export interface ArmOptions {
  /** Subscription id in every resource id (default: random). */
  subscriptionId?: string;
  /** Resource group of every vault (default `kvdr-emulator`). */
  resourceGroup?: string;
  /** Azure region in the resource's `location` (default `westeurope`). */
  location?: string;
  /**
   * Management-plane role per client id. Unset (the default), every authenticated principal may
   * read and change the vaults. Set, principals not listed get 403 AuthorizationFailed.
   */
  roles?: Record<string, ArmRole>;
}

/** Resource properties kept only on the ARM side. */
export interface VaultResourceExtras {
  tags: Record<string, string>;
  bypass: 'AzureServices' | 'None';
  virtualNetworkRules: Array<{ id: string; ignoreMissingVnetServiceEndpoint?: boolean }>;
  createdAt: string;
  lastModifiedAt: string;
  /** Client id of the last principal that changed the resource through ARM. */
  lastModifiedBy?: string;
}

export class ArmState {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  roles?: Record<string, ArmRole>;
  private readonly extras = new Map<string, VaultResourceExtras>();

  constructor(options: ArmOptions = {}) {
    const checked = validateArmOptions(options);
    this.subscriptionId = checked.subscriptionId ?? randomUUID();
    this.resourceGroup = checked.resourceGroup ?? 'kvdr-emulator';
    this.location = checked.location ?? 'westeurope';
    this.roles = checked.roles;
  }

  /** `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>` */
  resourceId(vaultName: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  }

  /** Returns the ARM-only properties of a vault, creating them with defaults on first use. */
  extrasOf(vaultName: string): VaultResourceExtras {
    const key = vaultName.toLowerCase();
    let extras = this.extras.get(key);
    if (!extras) {
      const now = new Date().toISOString();
      extras = { tags: {}, bypass: 'AzureServices', virtualNetworkRules: [], createdAt: now, lastModifiedAt: now };
      this.extras.set(key, extras);
    }
    return extras;
  }

  /** Returns the role of a principal, or `undefined` when it has none. */
  roleOf(clientId: string): ArmRole | undefined {
    if (!this.roles) return 'Contributor';
    const entry = Object.entries(this.roles).find(([id]) => id.toLowerCase() === clientId.toLowerCase());
    return entry?.[1];
  }

  /** Replaces the roles; `undefined` lets every principal read and write again. */
  setRoles(roles: Record<string, ArmRole> | undefined): void {
    this.roles = validateArmOptions({ roles }).roles;
  }
}

/** Lists the actions a role grants on a vault, as Azure's permissions API returns them. */
export function roleActions(role: ArmRole | undefined): { actions: string[]; notActions: string[] } {
  switch (role) {
    case 'Owner':
      return { actions: ['*'], notActions: [] };
    case 'Contributor':
      return { actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'] };
    case 'Key Vault Contributor':
      return { actions: ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/*', 'Microsoft.Resources/deployments/*'], notActions: ['Microsoft.KeyVault/locations/deletedVaults/purge/action'] };
    case 'Reader':
      return { actions: ['*/read'], notActions: [] };
    default:
      return { actions: [], notActions: [] };
  }
}

/** Returns whether a role grants `action` (`Microsoft.KeyVault/vaults/read` or `.../write`). */
export function roleAllows(role: ArmRole | undefined, action: string): boolean {
  if (!role) return false;
  return role !== 'Reader' || action.endsWith('/read');
}

function validateArmOptions(options: ArmOptions): ArmOptions {
  if (typeof options !== 'object' || options === null) throw new Error('ARM options must be an object.');
  for (const key of ['subscriptionId', 'resourceGroup', 'location'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || !/^[\w.()-]{1,90}$/.test(value))) {
      throw new Error(`Invalid arm.${key} ${JSON.stringify(value)}: use 1-90 letters, digits, periods, hyphens, underscores or parentheses.`);
    }
  }
  if (options.roles !== undefined && options.roles !== null) {
    if (typeof options.roles !== 'object' || Array.isArray(options.roles)) throw new Error('ARM roles must be an object of client id to role.');
    for (const [clientId, role] of Object.entries(options.roles)) {
      if (!ARM_ROLES.includes(role)) throw new Error(`Unknown ARM role ${JSON.stringify(role)} for principal ${clientId}. Known roles: ${ARM_ROLES.join(', ')}.`);
    }
  }
  return { ...options, roles: options.roles ?? undefined };
}
