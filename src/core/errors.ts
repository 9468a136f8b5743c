/**
 * The engine's one error family. Every failure that reaches a command is an {@link EngineError}
 * with a stable `code` from a small closed set, so commands decide what to do from the code alone.
 * Messages name the vault, the secret and the next step; they never contain a secret value.
 */

/** The closed set of error codes the engine and commands act on. */
export type ErrorCode =
  | 'not-found'
  | 'disabled'
  | 'forbidden-by-rbac'
  | 'forbidden-by-firewall'
  | 'forbidden-by-policy'
  | 'unauthorized'
  | 'deleted-but-recoverable'
  | 'being-deleted'
  | 'being-recovered'
  | 'conflict'
  | 'throttled'
  | 'unavailable'
  | 'timeout'
  | 'aborted'
  | 'bad-request'
  | 'invalid-input'
  | 'internal';

/** Context attached to an error: which vault, secret and request it concerns. */
export interface ErrorContext {
  vaultUrl?: string;
  secretName?: string;
  statusCode?: number;
  /** Key Vault's `error.code` and `error.innererror.code`, joined with `/` when both exist. */
  serviceCode?: string;
  requestId?: string;
  cause?: unknown;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: ErrorCode;
  readonly vaultUrl?: string;
  readonly secretName?: string;
  readonly statusCode?: number;
  readonly serviceCode?: string;
  readonly requestId?: string;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.vaultUrl = context.vaultUrl;
    this.secretName = context.secretName;
    this.statusCode = context.statusCode;
    this.serviceCode = context.serviceCode;
    this.requestId = context.requestId;
  }
}

/**
 * Checks by name rather than `instanceof`, so the guard still works when a bundle and the CLI each
 * carry their own copy of this module.
 */
export function isEngineError(error: unknown): error is EngineError {
  return error instanceof Error && error.name === 'EngineError' && typeof (error as EngineError).code === 'string';
}

/** Raised for bad input, always before anything is written. Commands map it to exit code 1. */
export function invalidInput(message: string): EngineError {
  return new EngineError('invalid-input', message);
}

/** Codes worth retrying after a wait: throttling, transient 409s, timeouts of one call and outages. */
export function isTransient(code: ErrorCode): boolean {
  return code === 'throttled' || code === 'being-deleted' || code === 'being-recovered' || code === 'unavailable' || code === 'timeout';
}

/** Formats any thrown value as one line for a log, without stack traces or request bodies. */
export function describeError(error: unknown): string {
  if (isEngineError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
