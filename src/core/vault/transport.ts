/**
 * The HTTP client under a vault's pipeline: every request on the wire, the authentication
 * challenge's resend included, takes a token from the vault's bucket and is counted by operation.
 *
 * The retry policy takes the token of each attempt itself, before it starts the call timeout, so
 * that time spent queueing behind the rate limit never counts as a slow call. It marks the request
 * as paid, and the transport then sends it without taking a second token.
 */
import type { HttpClient, PipelineRequest } from '@azure/core-rest-pipeline';

import { operationOfRequest, type VaultStatsRecorder } from './operations';
import type { TokenBucket } from './rate-limit';

const paidRequests = new WeakSet<PipelineRequest>();

/** Marks `request` as having its token for the next send. */
export function markPaid(request: PipelineRequest): void {
  paidRequests.add(request);
}

/** Wraps `inner` so that each send waits for a token unless its attempt already took one. */
export function createRateLimitedHttpClient(inner: HttpClient, bucket: TokenBucket, recorder: VaultStatsRecorder): HttpClient {
  return {
    async sendRequest(request: PipelineRequest) {
      if (!paidRequests.delete(request)) await bucket.acquire(request.abortSignal as AbortSignal | undefined);
      recorder.countRequest(operationOfRequest(request.method, request.url));
      return inner.sendRequest(request);
    },
  };
}
