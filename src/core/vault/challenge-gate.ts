/**
 * Holds a new client's concurrent requests until its first request is authenticated.
 *
 * Key Vault's challenge policy (@azure/keyvault-common 2.x) learns the token scope from the first
 * 401 response. Requests that start before that response each run their own challenge, so a
 * burst of N requests on a cold client costs 2N requests, all counted against the vault's
 * throttle. With this gate one request runs the challenge and the rest follow with a token.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse, SendRequest } from '@azure/core-rest-pipeline';

export const challengeGatePolicyName = 'kvdrChallengeGatePolicy';

/** Creates the gate of one client; place it before the retry policy. */
export function createChallengeGatePolicy(): PipelinePolicy {
  let authenticated = false;
  /** Settles when the request that currently leads finishes. */
  let leaderDone: Promise<void> | undefined;

  return {
    name: challengeGatePolicyName,
    async sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      while (!authenticated && leaderDone !== undefined) await leaderDone;
      if (authenticated) return next(request);

      let release = (): void => undefined;
      leaderDone = new Promise<void>((resolve) => (release = resolve));
      try {
        const response = await next(request);
        // Any response but 401 means the challenge is done and later requests carry a token.
        if (response.status !== 401) authenticated = true;
        return response;
      } finally {
        // If the leader failed, the next waiting request leads in its place.
        leaderDone = undefined;
        release();
      }
    },
  };
}
