/**
 * Authorization decisions after authentication: RBAC roles per principal and read-only mode.
 */
import { KeyVaultHttpError } from './http';
import type { SecretsRole } from './faults';
import type { VaultState } from './state';
import type { AccessTokenClaims } from './tokens';

/** The data action each operation needs, as Azure RBAC names it. */
const DATA_ACTIONS: Record<string, string> = {
  getSecret: 'getSecret/action',
  getSecrets: 'readMetadata/action',
  getSecretVersions: 'readMetadata/action',
  getDeletedSecret: 'readMetadata/action',
  getDeletedSecrets: 'readMetadata/action',
  setSecret: 'setSecret/action',
  updateSecret: 'update/action',
  deleteSecret: 'delete',
  recoverDeletedSecret: 'recover/action',
  purgeDeletedSecret: 'purge/action',
  backupSecret: 'backup/action',
  restoreSecret: 'restore/action',
};

/** Data actions each built-in role grants on secrets. `*` grants all. */
const ROLE_ACTIONS: Record<SecretsRole, readonly string[]> = {
  'Key Vault Administrator': ['*'],
  'Key Vault Secrets Officer': ['*'],
  'Key Vault Secrets User': ['getSecret/action', 'readMetadata/action'],
  'Key Vault Reader': ['readMetadata/action'],
};

/** Throws 403 ForbiddenByRbac when RBAC is set for the vault and the caller's role lacks the action. */
export function authorizeRole(vault: VaultState, operation: string, claims: AccessTokenClaims, path: string): void {
  const rbac = vault.faults.rbac;
  if (!rbac) return;
  const action = DATA_ACTIONS[operation];
  if (!action) return;
  const role = rbac[claims.appid];
  const granted = role ? ROLE_ACTIONS[role] : [];
  if (granted.includes('*') || granted.includes(action)) return;
  throw new KeyVaultHttpError(
    403,
    'Forbidden',
    `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${claims.appid};oid=${claims.oid};iss=${claims.iss}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/${action}'\r\nResource: '/vaults/${vault.name}${path.toLowerCase()}'\r\nAssignment: ${role ? `'${role}'` : '(not found)'}\r\nVault: ${vault.name};location=emulator\r\n`,
    'ForbiddenByRbac',
  );
}

// NOTE: Key Vault documents which operations a read-only vault serves (reads, lists, backup), but
// not the error body of a rejected write. This returns 403 ForbiddenByPolicy.
export function readOnlyError(vault: VaultState, operation: string): KeyVaultHttpError {
  return new KeyVaultHttpError(
    403,
    'Forbidden',
    `Operation ${operation} is not allowed: vault ${vault.name} is in read-only mode after a failover. Reads, lists and backups still work.`,
    'ForbiddenByPolicy',
  );
}
