import assert from 'node:assert/strict';

import { createHttpHeaders, createPipelineRequest, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

import { createChallengeGatePolicy } from '../../../src/core/vault/challenge-gate';

function answer(request: PipelineRequest, status: number): PipelineResponse {
  return { status, request, headers: createHttpHeaders() };
}

function request(): PipelineRequest {
  return createPipelineRequest({ url: 'https://kv-app-weu.vault.azure.net/secrets/a' });
}

describe('challenge gate', () => {
  it('holds followers until the leader authenticates', async () => {
    const gate = createChallengeGatePolicy();
    const order: string[] = [];
    let releaseLeader = (): void => undefined;
    const leaderAnswered = new Promise<void>((resolve) => (releaseLeader = resolve));

    const leader = gate.sendRequest(request(), async (r) => {
      order.push('leader sent');
      await leaderAnswered;
      return answer(r, 200);
    });
    const followers = [1, 2, 3].map((index) =>
      gate.sendRequest(request(), async (r) => {
        order.push(`follower ${index} sent`);
        return answer(r, 200);
      }),
    );

    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['leader sent']);
    releaseLeader();
    await Promise.all([leader, ...followers]);
    assert.deepEqual(order, ['leader sent', 'follower 1 sent', 'follower 2 sent', 'follower 3 sent']);
  });

  it('lets the next request lead after a failure', async () => {
    const gate = createChallengeGatePolicy();
    const failing = gate.sendRequest(request(), async () => {
      throw new Error('connection refused');
    });
    const next = gate.sendRequest(request(), async (r) => answer(r, 404));
    await assert.rejects(failing, /connection refused/);
    assert.equal((await next).status, 404);
  });

  it('keeps gating after a 401', async () => {
    const gate = createChallengeGatePolicy();
    let concurrent = 0;
    let maxConcurrent = 0;
    const send = async (r: PipelineRequest): Promise<PipelineResponse> => {
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((resolve) => setImmediate(resolve));
      concurrent -= 1;
      return answer(r, 401);
    };
    await Promise.all([1, 2, 3].map(() => gate.sendRequest(request(), send)));
    assert.equal(maxConcurrent, 1);
  });
});
