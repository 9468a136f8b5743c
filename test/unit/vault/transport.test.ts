import assert from 'node:assert/strict';

import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';

import { DEFAULT_RETRY_SETTINGS } from '../../../src/core/vault/retry-strategy';
import { createRetryPolicy } from '../../../src/core/vault/retry-policy';
import { silentLogger } from '../../../src/core/log';
import { VaultStatsRecorder } from '../../../src/core/vault/operations';
import { TokenBucket } from '../../../src/core/vault/rate-limit';
import { createRateLimitedHttpClient } from '../../../src/core/vault/transport';

const url = 'https://kv-app-weu.vault.azure.net/secrets/a';

describe('rate-limited transport', () => {
  let reservations: number;
  let bucket: TokenBucket;
  let recorder: VaultStatsRecorder;
  let inner: HttpClient;
  const statuses: number[] = [];

  beforeEach(() => {
    reservations = 0;
    bucket = new TokenBucket({ ratePerSecond: 1000, now: () => 0, sleep: async () => undefined });
    const reserve = bucket.reserve.bind(bucket);
    bucket.reserve = () => {
      reservations += 1;
      return reserve();
    };
    recorder = new VaultStatsRecorder();
    statuses.length = 0;
    inner = { sendRequest: async (request: PipelineRequest) => ({ status: statuses.shift() ?? 200, request, headers: createHttpHeaders() }) };
  });

  it('takes a token and counts each send', async () => {
    const client = createRateLimitedHttpClient(inner, bucket, recorder);
    await client.sendRequest(createPipelineRequest({ url, method: 'GET' }));
    await client.sendRequest(createPipelineRequest({ url, method: 'PUT' }));
    assert.equal(reservations, 2);
    assert.deepEqual(recorder.snapshot().requestsByOperation, { getSecret: 1, setSecret: 1 });
  });

  it('takes one token per attempt behind the retry policy', async () => {
    const client = createRateLimitedHttpClient(inner, bucket, recorder);
    const policy = createRetryPolicy({
      vaultUrl: 'https://kv-app-weu.vault.azure.net/',
      settings: DEFAULT_RETRY_SETTINGS,
      callTimeoutInMs: 30_000,
      stats: recorder,
      logger: silentLogger,
      bucket,
      sleep: async () => undefined,
    });
    statuses.push(503, 401, 200);
    // The second attempt sends twice, as the challenge policy does after a 401.
    const response = await policy.sendRequest(createPipelineRequest({ url, method: 'GET' }), async (request) => {
      const first = await client.sendRequest(request);
      return first.status === 401 ? client.sendRequest(request) : first;
    });
    assert.equal(response.status, 200);
    assert.equal(reservations, 3);
    assert.equal(recorder.snapshot().requestsByOperation.getSecret, 3);
  });
});
