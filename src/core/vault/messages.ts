/**
 * Error messages for vault failures. Each names the vault, the secret when there is one, what
 * failed and what to do next. None contains a secret value or a response body.
 */
import { EngineError, type ErrorCode } from '../errors';
import type { VaultOperation } from './operations';

/** Operations that the role Key Vault Secrets User allows; the others need Key Vault Secrets Officer. */
const READ_OPERATIONS: ReadonlySet<VaultOperation> = new Set(['listSecrets', 'listVersions', 'getSecret']);

/** Details of a failure that its message can name. */
export interface VaultFailure {
  vaultUrl: string;
  operation?: VaultOperation;
  secretName?: string;
  statusCode?: number;
  /** Key Vault's `error.code` and `error.innererror.code`, joined with `/`. */
  serviceCode?: string;
  requestId?: string;
  /** The caller's address named by a firewall denial. */
  clientAddress?: string;
  /** The reason a policy denied the request, when the adapter has more detail than `ForbiddenByPolicy`. */
  policyReason?: 'purge-protection' | 'managed';
  /** A short reason for `unavailable`, `timeout` and `internal`, such as `connection refused`. */
  reason?: string;
  cause?: unknown;
}

/** Builds the {@link EngineError} for a classified vault failure. */
export function vaultError(code: ErrorCode, failure: VaultFailure): EngineError {
  return new EngineError(code, vaultErrorMessage(code, failure), {
    vaultUrl: failure.vaultUrl,
    secretName: failure.secretName,
    statusCode: failure.statusCode,
    serviceCode: failure.serviceCode,
    requestId: failure.requestId,
    cause: failure.cause,
  });
}

/** Returns the role that allows `operation`, for messages about missing permissions. */
export function roleFor(operation: VaultOperation | undefined): string {
  return operation !== undefined && READ_OPERATIONS.has(operation) ? 'Key Vault Secrets User' : 'Key Vault Secrets Officer';
}

/** Writes the message for a classified failure. */
export function vaultErrorMessage(code: ErrorCode, failure: VaultFailure): string {
  const vault = failure.vaultUrl;
  const target = failure.secretName === undefined ? `vault ${vault}` : `secret "${failure.secretName}" in vault ${vault}`;
  const action = failure.operation ?? 'the request';
  const status = statusSuffix(failure);

  switch (code) {
    case 'not-found':
      return failure.secretName === undefined
        ? `${action} failed: vault ${vault} returned not found${status}. Check the vault URL.`
        : `Secret "${failure.secretName}" was not found in vault ${vault}. Check the name, or whether it was deleted.`;
    case 'disabled':
      return `${capitalize(target)} is disabled, so its value cannot be read. Enable it in the vault or exclude it.`;
    case 'forbidden-by-rbac':
      return (
        `${action} on ${target} was denied${status}: the identity kvdr runs as lacks the permission. ` +
        `Assign it the role "${roleFor(failure.operation)}" on the vault (Key Vault Secrets User to read, Key Vault Secrets Officer to write), ` +
        'or the matching access policy on a vault that uses access policies.'
      );
    case 'forbidden-by-firewall': {
      const client = failure.clientAddress === undefined ? 'this client' : `client address ${failure.clientAddress}`;
      const fix = failure.clientAddress === undefined ? "add this client's public address" : `add ${failure.clientAddress}`;
      return `Vault ${vault} rejected ${action} from ${client} because of its firewall${status}. Either ${fix} to the vault's network rules or run kvdr from inside the allowed network.`;
    }
    case 'forbidden-by-policy':
      return forbiddenByPolicyMessage(failure, target, action, status);
    case 'unauthorized':
      if (failure.reason !== undefined) {
        return `${action} on vault ${vault} failed because kvdr could not get a token: ${failure.reason}. Check the credentials kvdr runs with: a service connection, a workload or managed identity, or AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET.`;
      }
      return `Vault ${vault} rejected the credential for ${action}${status}. Check that the identity kvdr runs as belongs to the vault's tenant and can get a token for Key Vault.`;
    case 'deleted-but-recoverable':
      return `${capitalize(target)} is deleted but recoverable, so it cannot be written. Recover it (sync does with --on-soft-deleted recover) or purge it first.`;
    case 'being-deleted':
      return `${capitalize(target)} is still being deleted${status}. Retry in a few seconds.`;
    case 'being-recovered':
      return `${capitalize(target)} is still being recovered${status}. Retry in a few seconds.`;
    case 'conflict':
      return `${action} on ${target} failed with a conflict${status}.`;
    case 'throttled':
      return `Vault ${vault} kept throttling ${action}${status} and the retries ran out. Lower --max-rps or allow more time with --timeout.`;
    case 'unavailable':
      return `Vault ${vault} is unavailable for ${action} (${failure.reason ?? 'no response'}). Check the vault name or URL and the network path to it.`;
    case 'timeout':
      return `${action} on ${target} timed out${failure.reason === undefined ? '' : ` after ${failure.reason}`}. Raise --call-timeout or check the network path to the vault.`;
    case 'aborted':
      return `${action} on ${target} stopped because the run was cancelled or reached its deadline (--timeout).`;
    case 'bad-request':
      return `Vault ${vault} rejected ${action}${failure.secretName === undefined ? '' : ` on secret "${failure.secretName}"`} as invalid${status}. Check the secret name (1-127 letters, digits and hyphens), the value size (at most 25 KB) and the number of tags (at most 15).`;
    default:
      return `${action} on ${target} failed${failure.reason === undefined ? status : ` (${failure.reason})`}.`;
  }
}

function forbiddenByPolicyMessage(failure: VaultFailure, target: string, action: string, status: string): string {
  if (failure.policyReason === 'purge-protection') {
    return `${capitalize(target)} cannot be purged because the vault has purge protection${status}. Key Vault purges it itself when the retention period ends, so use another name until then.`;
  }
  if (failure.policyReason === 'managed') {
    return `${capitalize(target)} backs a certificate, so ${action} is not allowed on it as a secret${status}. Change the certificate instead, or exclude the secret.`;
  }
  return `${action} on ${target} was denied by a policy${status}. Check the Azure Policy assignments and the vault's settings for the rule that denies it.`;
}

/** Returns ` (HTTP 403, Forbidden/ForbiddenByRbac, request id ...)`, or nothing when no status is known. */
function statusSuffix(failure: VaultFailure): string {
  const parts: string[] = [];
  if (failure.statusCode !== undefined) parts.push(`HTTP ${failure.statusCode}`);
  if (failure.serviceCode !== undefined) parts.push(failure.serviceCode);
  if (failure.requestId !== undefined) parts.push(`request id ${failure.requestId}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
