/**
 * Error classification: every failure of a vault call becomes one {@link EngineError} with a code
 * from the closed set in `errors.ts`, here and nowhere else. Key Vault puts the detail in the
 * error body: `error.code` (`Forbidden`, `Conflict`) and `error.innererror.code`
 * (`SecretDisabled`, `ForbiddenByRbac`, `ObjectIsDeletedButRecoverable`).
 */
import { isRestError } from '@azure/core-rest-pipeline';

import { isEngineError, type EngineError, type ErrorCode } from '../errors';
import { vaultError, type VaultFailure } from './messages';
import type { VaultOperation } from './operations';
import { networkErrorCode } from './retry-policy';
import { readServiceError, recallServiceError, serviceCodes, type ServiceError } from './service-error';

/** The call a failure belongs to. */
export interface CallContext {
  vaultUrl: string;
  operation: VaultOperation;
  secretName?: string;
}

/** The result of classifying an HTTP error response. */
export interface ResponseClass {
  code: ErrorCode;
  policyReason?: VaultFailure['policyReason'];
  /** The caller's address, from a firewall denial's message. */
  clientAddress?: string;
}

/** Errors of `@azure/identity` raised when no token could be obtained. */
const CREDENTIAL_ERROR_NAMES = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

/** Readable reasons for Node's network error codes. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the DNS lookup failed',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ECONNABORTED: 'the connection was aborted',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  ESOCKETTIMEDOUT: 'the connection timed out',
};

/** Key Vault codes of a firewall or private-link denial. */
const FIREWALL_CODES = new Set(['ForbiddenByFirewall', 'ForbiddenByConnection']);
/** Key Vault codes of a missing permission, under RBAC or access policies. */
const PERMISSION_CODES = new Set(['ForbiddenByRbac', 'AccessDenied']);

/** Classifies any error thrown by a vault call. An {@link EngineError} passes through unchanged. */
export function classifyError(error: unknown, context: CallContext): EngineError {
  if (isEngineError(error)) return error;
  const failure: VaultFailure = { ...context, cause: error };
  const name = error instanceof Error ? error.name : undefined;

  if (name === 'CallTimeoutError') {
    return vaultError('timeout', { ...failure, reason: `${(error as { timeoutInMs?: number }).timeoutInMs} ms` });
  }
  if (name === 'AbortError') return vaultError('aborted', failure);
  if (name !== undefined && CREDENTIAL_ERROR_NAMES.has(name)) {
    return vaultError('unauthorized', { ...failure, reason: firstLine((error as Error).message) });
  }

  const restError = isRestError(error) ? error : undefined;
  const serviceError = recallServiceError(restError?.request) ?? (restError?.response ? readServiceError(restError.response) : undefined);
  const statusCode = restError?.statusCode ?? serviceError?.statusCode;
  if (restError !== undefined && statusCode !== undefined) {
    const detail: ServiceError = { ...serviceError, statusCode, code: serviceError?.code ?? restError.code };
    const requestId = detail.requestId ?? restError.response?.headers.get('x-ms-request-id');
    const responseClass = classifyResponse(statusCode, detail, restError.message);
    return vaultError(responseClass.code, {
      ...failure,
      statusCode,
      serviceCode: serviceCodes(detail).join('/') || undefined,
      requestId,
      policyReason: responseClass.policyReason,
      clientAddress: responseClass.clientAddress,
      reason: statusCode >= 500 ? `HTTP ${statusCode}` : undefined,
    });
  }

  const errorCode = networkErrorCode(error);
  if (errorCode !== undefined) return vaultError('unavailable', { ...failure, reason: NETWORK_REASONS[errorCode] ?? errorCode });
  const tlsCode = tlsErrorCode(error);
  if (tlsCode !== undefined) {
    return vaultError('unavailable', { ...failure, reason: `its TLS certificate is not trusted (${tlsCode}); for an emulator, pass its CA` });
  }
  return vaultError('internal', { ...failure, reason: name ?? 'unknown error' });
}

/**
 * Classifies an HTTP error response from its status and Key Vault's codes. `fallbackMessage` is
 * the `RestError` message, used when the body was not captured.
 */
export function classifyResponse(statusCode: number, serviceError: ServiceError, fallbackMessage?: string): ResponseClass {
  const codes = serviceCodes(serviceError);
  const message = serviceError.message ?? fallbackMessage ?? '';
  const has = (...wanted: string[]): boolean => codes.some((code) => wanted.includes(code));

  if (statusCode === 400) return { code: 'bad-request' };
  if (statusCode === 401) return { code: 'unauthorized' };
  if (statusCode === 403) return classifyForbidden(codes, message);
  if (statusCode === 404) return { code: 'not-found' };
  if (statusCode === 408) return { code: 'timeout' };
  if (statusCode === 409) {
    if (has('ObjectIsDeletedButRecoverable')) return { code: 'deleted-but-recoverable' };
    if (has('ObjectIsBeingDeleted')) return { code: 'being-deleted' };
    if (has('ObjectIsBeingRecovered')) return { code: 'being-recovered' };
    if (/certificate/i.test(message)) return { code: 'forbidden-by-policy', policyReason: 'managed' };
    return { code: 'conflict' };
  }
  if (statusCode === 429) return { code: 'throttled' };
  if (statusCode >= 500) return { code: 'unavailable' };
  return { code: 'bad-request' };
}

function classifyForbidden(codes: string[], message: string): ResponseClass {
  const has = (set: ReadonlySet<string>): boolean => codes.some((code) => set.has(code));
  if (codes.includes('SecretDisabled')) return { code: 'disabled' };
  if (has(FIREWALL_CODES)) return { code: 'forbidden-by-firewall', clientAddress: clientAddressOf(message) };
  if (has(PERMISSION_CODES)) return { code: 'forbidden-by-rbac' };
  if (/purge protection/i.test(message)) return { code: 'forbidden-by-policy', policyReason: 'purge-protection' };
  if (/certificate/i.test(message)) return { code: 'forbidden-by-policy', policyReason: 'managed' };
  if (codes.includes('ForbiddenByPolicy')) return { code: 'forbidden-by-policy' };
  // A bare 403 Forbidden: Key Vault denied the caller without saying why, most often a permission.
  return { code: 'forbidden-by-rbac' };
}

/** Reads the caller's address from a firewall denial: "Client address: 203.0.113.7". */
export function clientAddressOf(message: string): string | undefined {
  return /Client address:\s*([0-9A-Fa-f:.]+)/.exec(message)?.[1];
}

function tlsErrorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) ? code : undefined;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
