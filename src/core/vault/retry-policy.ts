/**
 * kvdr's one retry loop, as a pipeline policy on the `SecretClient`. It replaces the SDK's retry
 * policy, which the factory turns off by setting the SDK's `maxRetries` to 0. The SDK's policy in
 * core-rest-pipeline 1.24 does not retry a 429 without Retry-After and does not know Key Vault's
 * transient 409s. It also spends 3.5 to 7 s of backoff on a vault name that does not resolve.
 *
 * Each attempt waits for the rate limit, then gets the call timeout (call-timeouts.ts describes its
 * precision). Every wait stops when the run's abort signal fires. List pages are separate
 * requests, so a failed page is retried alone, not the whole listing.
 */
import { isRestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';

import type { Logger } from '../log';
import { CallTimeouts } from './call-timeouts';
import { operationOfRequest, type VaultStatsRecorder } from './operations';
import { decideRetry, parseRetryAfterInMs, type AttemptOutcome, type RetrySettings } from './retry-strategy';
import { readServiceError, rememberServiceError, serviceCodes } from './service-error';
import type { TokenBucket } from './rate-limit';
import { markPaid } from './transport';
import { createAbortError, delay } from './wait';

export const retryPolicyName = 'kvdrRetryPolicy';

/** Thrown when the last attempt of a call ran into the call timeout. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
  readonly timeoutInMs: number;

  constructor(timeoutInMs: number) {
    super(`The request did not complete within ${timeoutInMs} ms.`);
    this.timeoutInMs = timeoutInMs;
  }
}

/** Options of {@link createRetryPolicy}. */
export interface RetryPolicyOptions {
  vaultUrl: string;
  settings: RetrySettings;
  /** The timeout of one attempt, in milliseconds. */
  callTimeoutInMs: number;
  stats: VaultStatsRecorder;
  logger: Logger;
  /** Returns a number in [0, 1) for the backoff jitter; default `Math.random`. */
  random?: () => number;
  /** The wait between attempts; tests replace it. */
  sleep?: (delayInMs: number, abortSignal?: AbortSignal) => Promise<void>;
  /** The vault's rate limit. Each attempt takes its token before its call timeout starts. */
  bucket?: TokenBucket;
}

interface AttemptResult {
  response?: PipelineResponse;
  error?: unknown;
  timedOut: boolean;
}

/** Creates the retry policy of one vault. */
export function createRetryPolicy(options: RetryPolicyOptions): PipelinePolicy {
  const sleep = options.sleep ?? delay;
  const random = options.random ?? Math.random;
  const timeouts = new CallTimeouts(options.callTimeoutInMs);

  return {
    name: retryPolicyName,
    async sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      const outerSignal = request.abortSignal;
      // The challenge policy sends the first request of a client without its body and restores
      // the body only on the 401 that follows, so every retry starts from the original body.
      const body = request.body;
      const operation = operationOfRequest(request.method, request.url);

      for (let attempt = 1; ; attempt += 1) {
        request.body = body;
        if (options.bucket !== undefined) {
          await options.bucket.acquire(outerSignal as AbortSignal | undefined);
          markPaid(request);
        }
        const result = await sendAttempt(request, next, outerSignal, timeouts);
        const outcome = describeOutcome(request, result);
        if (outcome === undefined) {
          if (result.error !== undefined) throw result.error;
          return result.response as PipelineResponse;
        }
        if (outcome.kind === 'response' && outcome.statusCode === 429) options.stats.countThrottledResponse();

        const decision = decideRetry(attempt, outcome, options.settings, random);
        // A response that arrived is returned even after the deadline, so a write that happened is
        // never reported as cancelled. Only the retry is given up.
        if (decision.retry && outerSignal?.aborted) throw createAbortError();
        if (!decision.retry) {
          if (result.timedOut) throw new CallTimeoutError(options.callTimeoutInMs);
          if (result.error !== undefined) throw result.error;
          return result.response as PipelineResponse;
        }

        options.stats.countRetry();
        const requestId = requestIdOf(result) ?? 'none';
        options.logger.debug(
          `Retrying ${operation} on ${options.vaultUrl} after ${decision.reason}: attempt ${attempt + 1} in ${decision.delayInMs} ms (request id ${requestId}).`,
        );
        const waitStartedAt = performance.now();
        await sleep(decision.delayInMs, outerSignal as AbortSignal | undefined);
        if (outcome.kind === 'response' && outcome.statusCode === 429) options.stats.addThrottledWait(performance.now() - waitStartedAt);
      }
    },
  };
}

async function sendAttempt(request: PipelineRequest, next: SendRequest, outerSignal: PipelineRequest['abortSignal'], timeouts: CallTimeouts): Promise<AttemptResult> {
  const signal = timeouts.signalFor(outerSignal);
  request.abortSignal = signal;
  try {
    return { response: await next(request), timedOut: false };
  } catch (error) {
    return { error, timedOut: signal.aborted && !outerSignal?.aborted };
  } finally {
    request.abortSignal = outerSignal;
  }
}

/** Returns how a failed attempt ended, or `undefined` for a success or an error no retry can fix. */
function describeOutcome(request: PipelineRequest, result: AttemptResult): AttemptOutcome | undefined {
  if (result.timedOut) return { kind: 'timeout' };

  const response = result.response ?? (isRestError(result.error) ? result.error.response : undefined);
  if (response !== undefined) {
    if (response.status < 400) return undefined;
    const serviceError = readServiceError(response);
    rememberServiceError(request, serviceError);
    const retryAfterInMs = parseRetryAfterInMs((name) => response.headers.get(name));
    return { kind: 'response', statusCode: response.status, serviceCodes: serviceCodes(serviceError), retryAfterInMs };
  }

  const errorCode = networkErrorCode(result.error);
  return errorCode === undefined ? undefined : { kind: 'network', errorCode };
}

/** Returns Node's error code of a failed request, treating "socket hang up" as `ECONNRESET`. */
export function networkErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message === 'string' && message.includes('socket hang up')) return 'ECONNRESET';
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? code : undefined;
}

function requestIdOf(result: AttemptResult): string | undefined {
  const response = result.response ?? (isRestError(result.error) ? result.error.response : undefined);
  return response?.headers.get('x-ms-request-id');
}
