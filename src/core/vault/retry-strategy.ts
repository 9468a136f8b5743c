/**
 * Retry decisions as pure functions: what one attempt ended with goes in, a decision to retry
 * after a delay or to stop comes out. The loop that acts on them is in `retry-policy.ts`.
 *
 * Retried: 429 (with or without Retry-After), 408, 5xx other than 501 and 505, Key Vault's
 * transient 409s (`ObjectIsBeingDeleted`, `ObjectIsBeingRecovered`), connection resets and call
 * timeouts. A refused connection or a failed DNS lookup is retried only a few times and quickly,
 * so that a wrong vault name fails in seconds. Other 4xx responses are never retried.
 */

/** The end of one failed attempt: an HTTP error response, a network error or a timeout. */
export type AttemptOutcome =
  | {
      kind: 'response';
      statusCode: number;
      /** Key Vault's `error.code` and `error.innererror.code`, when the body had them. */
      serviceCodes?: readonly string[];
      /** The wait the server asked for in a Retry-After header, in milliseconds. */
      retryAfterInMs?: number;
    }
  /** The request failed below HTTP; `errorCode` is Node's code, such as `ECONNREFUSED`. */
  | { kind: 'network'; errorCode: string }
  /** The call timeout fired before a response arrived. */
  | { kind: 'timeout' };

/** Limits of the retry loop. */
export interface RetrySettings {
  /** Retries after throttling, 5xx, resets and transient 409s; default 10. */
  maxRetries: number;
  /** Retries after a refused connection or failed DNS lookup; default 2. */
  maxConnectRetries: number;
  /** Retries after a call timeout; default 1. */
  maxTimeoutRetries: number;
  /** The first backoff delay before jitter; default 500 ms. */
  baseDelayInMs: number;
  /** The cap of the backoff delay; default 30 s. A server's Retry-After is honoured even above it. */
  maxDelayInMs: number;
  /** The delay before the first retry of a failed connection, doubled for the next; default 200 ms. */
  connectDelayInMs: number;
}

export const DEFAULT_RETRY_SETTINGS: Readonly<RetrySettings> = {
  maxRetries: 10,
  maxConnectRetries: 2,
  maxTimeoutRetries: 1,
  baseDelayInMs: 500,
  maxDelayInMs: 30_000,
  connectDelayInMs: 200,
};

/** Whether to retry, and after how long. */
export type RetryDecision = { retry: false } | { retry: true; delayInMs: number; reason: string };

/** Node error codes of a connection that could not be made: the host is wrong or down. */
const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Node error codes of a connection that broke or stalled after it was made. */
const RESET_ERROR_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);

/** Key Vault's 409 inner codes that clear on their own within seconds. */
export const TRANSIENT_CONFLICT_CODES: ReadonlySet<string> = new Set(['ObjectIsBeingDeleted', 'ObjectIsBeingRecovered']);

/** True for Node error codes of a failed connection or lookup. */
export function isConnectErrorCode(errorCode: string): boolean {
  return CONNECT_ERROR_CODES.has(errorCode);
}

/** True for Node error codes of a connection that was reset or stalled. */
export function isResetErrorCode(errorCode: string): boolean {
  return RESET_ERROR_CODES.has(errorCode);
}

/**
 * Decides whether to retry after failed attempt number `attempt` (1 for the first request).
 * `random` returns a number in [0, 1) and makes the jitter reproducible in tests.
 */
export function decideRetry(attempt: number, outcome: AttemptOutcome, settings: RetrySettings, random: () => number = Math.random): RetryDecision {
  if (outcome.kind === 'network') {
    if (isConnectErrorCode(outcome.errorCode)) {
      if (attempt > settings.maxConnectRetries) return { retry: false };
      return { retry: true, delayInMs: settings.connectDelayInMs * 2 ** (attempt - 1), reason: outcome.errorCode };
    }
    if (!isResetErrorCode(outcome.errorCode) || attempt > settings.maxRetries) return { retry: false };
    return { retry: true, delayInMs: backoffDelayInMs(attempt, settings, random), reason: outcome.errorCode };
  }

  if (outcome.kind === 'timeout') {
    if (attempt > settings.maxTimeoutRetries) return { retry: false };
    return { retry: true, delayInMs: backoffDelayInMs(attempt, settings, random), reason: 'call timeout' };
  }

  if (!isRetriableResponse(outcome.statusCode, outcome.serviceCodes ?? []) || attempt > settings.maxRetries) return { retry: false };
  const delayInMs = outcome.retryAfterInMs ?? backoffDelayInMs(attempt, settings, random);
  const reason = outcome.retryAfterInMs === undefined ? `HTTP ${outcome.statusCode}` : `HTTP ${outcome.statusCode} with Retry-After`;
  return { retry: true, delayInMs, reason };
}

/** True for statuses worth another attempt: 408, 429, 5xx other than 501 and 505, transient 409s. */
export function isRetriableResponse(statusCode: number, serviceCodes: readonly string[]): boolean {
  if (statusCode === 408 || statusCode === 429) return true;
  if (statusCode === 409) return serviceCodes.some((code) => TRANSIENT_CONFLICT_CODES.has(code));
  return statusCode >= 500 && statusCode !== 501 && statusCode !== 505;
}

/**
 * Returns the backoff before retry number `attempt`: exponential from `baseDelayInMs`, capped at
 * `maxDelayInMs`, with "equal jitter" (half fixed, half random). It depends only on its
 * arguments, so concurrent requests never compound one another's delays.
 */
export function backoffDelayInMs(attempt: number, settings: Pick<RetrySettings, 'baseDelayInMs' | 'maxDelayInMs'>, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(settings.maxDelayInMs, settings.baseDelayInMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Reads the wait a server asked for, in milliseconds: `retry-after-ms` and `x-ms-retry-after-ms`
 * (milliseconds), then `Retry-After` as seconds or as an HTTP date. Returns `undefined` when no
 * header is present or none parses; a date in the past gives 0.
 */
export function parseRetryAfterInMs(getHeader: (name: string) => string | undefined, nowInMs: number = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const milliseconds = parseNonNegativeNumber(getHeader(name));
    if (milliseconds !== undefined) return Math.round(milliseconds);
  }

  const retryAfter = getHeader('retry-after')?.trim();
  if (retryAfter === undefined || retryAfter === '') return undefined;
  const seconds = parseNonNegativeNumber(retryAfter);
  if (seconds !== undefined) return Math.round(seconds * 1000);

  // Only an HTTP date is allowed here; Date.parse would also accept numbers and other forms.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowInMs);
}

function parseNonNegativeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}
