import assert from 'node:assert/strict';

import { createHttpHeaders, createPipelineRequest, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

import type { Logger } from '../../../src/core/log';
import { operationOfRequest, VaultStatsRecorder } from '../../../src/core/vault/operations';
import { CallTimeoutError, createRetryPolicy } from '../../../src/core/vault/retry-policy';
import { DEFAULT_RETRY_SETTINGS } from '../../../src/core/vault/retry-strategy';
import { createAbortError } from '../../../src/core/vault/wait';

const vaultUrl = 'https://kv-app-weu.vault.azure.net/';

function response(request: PipelineRequest, status: number, headers: Record<string, string> = {}, body?: unknown): PipelineResponse {
  return {
    status,
    request,
    headers: createHttpHeaders({ 'x-ms-request-id': `req-${status}`, ...headers }),
    bodyAsText: body === undefined ? undefined : JSON.stringify(body),
  };
}

function recordingLogger(lines: string[]): Logger {
  return {
    debug: (message) => lines.push(message),
    info: () => undefined,
    warning: () => undefined,
    error: () => undefined,
    group: (_name, fn) => fn(),
  };
}

describe('retry policy', () => {
  let stats: VaultStatsRecorder;
  let lines: string[];
  let sleeps: number[];

  function policy(overrides: { callTimeoutInMs?: number; sleep?: (delayInMs: number, signal?: AbortSignal) => Promise<void> } = {}) {
    return createRetryPolicy({
      vaultUrl,
      settings: DEFAULT_RETRY_SETTINGS,
      callTimeoutInMs: overrides.callTimeoutInMs ?? 30_000,
      stats,
      logger: recordingLogger(lines),
      random: () => 0.5,
      sleep:
        overrides.sleep ??
        (async (delayInMs) => {
          sleeps.push(delayInMs);
        }),
    });
  }

  beforeEach(() => {
    stats = new VaultStatsRecorder();
    lines = [];
    sleeps = [];
  });

  it('retries 429 with and without Retry-After', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'GET' });
    const statuses = [
      (r: PipelineRequest) => response(r, 429, { 'retry-after': '2' }),
      (r: PipelineRequest) => response(r, 429),
      (r: PipelineRequest) => response(r, 200),
    ];
    const result = await policy().sendRequest(request, async (r) => (statuses.shift() as (r: PipelineRequest) => PipelineResponse)(r));
    assert.equal(result.status, 200);
    assert.deepEqual(sleeps, [2000, 750]);
    const snapshot = stats.snapshot();
    assert.equal(snapshot.retries, 2);
    assert.equal(snapshot.throttledResponses, 2);
  });

  it('logs attempt and request id at debug', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'PUT', body: '{"value":"s3cr3t-body"}' });
    const answers = [503, 200];
    await policy().sendRequest(request, async (r) => response(r, answers.shift() as number));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /setSecret/);
    assert.match(lines[0], /attempt 2/);
    assert.match(lines[0], /req-503/);
    assert.ok(!lines[0].includes('s3cr3t-body'));
  });

  it('restores the body before each retry', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'PUT', body: 'original' });
    const bodies: unknown[] = [];
    const answers = [503, 200];
    await policy().sendRequest(request, async (r) => {
      bodies.push(r.body);
      r.body = null;
      return response(r, answers.shift() as number);
    });
    assert.deepEqual(bodies, ['original', 'original']);
  });

  it('returns a non-retriable 4xx at once', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'GET' });
    let calls = 0;
    const result = await policy().sendRequest(request, async (r) => {
      calls += 1;
      return response(r, 403, {}, { error: { code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } } });
    });
    assert.equal(result.status, 403);
    assert.equal(calls, 1);
    assert.equal(stats.snapshot().retries, 0);
  });

  it('retries a transient 409 from its body', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'PUT' });
    const answers = [
      (r: PipelineRequest) => response(r, 409, {}, { error: { code: 'Conflict', innererror: { code: 'ObjectIsBeingRecovered' } } }),
      (r: PipelineRequest) => response(r, 200),
    ];
    const result = await policy().sendRequest(request, async (r) => (answers.shift() as (r: PipelineRequest) => PipelineResponse)(r));
    assert.equal(result.status, 200);
    assert.equal(stats.snapshot().retries, 1);
  });

  it('fails fast on a refused connection', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'GET' });
    let calls = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    await assert.rejects(
      policy().sendRequest(request, async () => {
        calls += 1;
        throw refused;
      }),
      (error) => error === refused,
    );
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [200, 400]);
  });

  it('turns a hung request into CallTimeoutError', async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'GET' });
    let calls = 0;
    const hang = (r: PipelineRequest): Promise<PipelineResponse> =>
      new Promise((_resolve, reject) => {
        calls += 1;
        r.abortSignal?.addEventListener('abort', () => reject(createAbortError()));
      });
    await assert.rejects(policy({ callTimeoutInMs: 20 }).sendRequest(request, hang), CallTimeoutError);
    assert.equal(calls, 2);
  });

  it('returns a response that beat the deadline', async () => {
    const controller = new AbortController();
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'PUT', abortSignal: controller.signal });
    const written = await policy().sendRequest(request, async (r) => {
      controller.abort();
      return response(r, 200);
    });
    assert.equal(written.status, 200);

    const missing = await policy().sendRequest(createPipelineRequest({ url: `${vaultUrl}secrets/b`, method: 'GET', abortSignal: controller.signal }), async (r) =>
      response(r, 404),
    );
    assert.equal(missing.status, 404);
  });

  it('stops waiting when the run aborts', async () => {
    const controller = new AbortController();
    const request = createPipelineRequest({ url: `${vaultUrl}secrets/a`, method: 'GET', abortSignal: controller.signal });
    const sending = policy({
      sleep: (_delayInMs, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(createAbortError()));
          controller.abort();
        }),
    }).sendRequest(request, async (r) => response(r, 429));
    await assert.rejects(sending, { name: 'AbortError' });
  });
});

describe('operationOfRequest', () => {
  const table: Array<[string, string, string]> = [
    ['GET', 'secrets?api-version=2025-07-01', 'listSecrets'],
    ['GET', 'secrets?api-version=2025-07-01&$skiptoken=abc', 'listSecrets'],
    ['GET', 'secrets/db/versions', 'listVersions'],
    ['GET', 'secrets/db/', 'getSecret'],
    ['GET', 'secrets/db/0123456789abcdef0123456789abcdef', 'getSecret'],
    ['PUT', 'secrets/db', 'setSecret'],
    ['PATCH', 'secrets/db/0123456789abcdef0123456789abcdef', 'updateSecretProperties'],
    ['DELETE', 'secrets/db', 'deleteSecret'],
    ['GET', 'deletedsecrets', 'listDeletedSecrets'],
    ['GET', 'deletedsecrets/db', 'getDeletedSecret'],
    ['POST', 'deletedsecrets/db/recover', 'recoverDeletedSecret'],
    ['DELETE', 'deletedsecrets/db', 'purgeDeletedSecret'],
    ['POST', 'secrets/db/backup', 'other'],
    ['POST', 'secrets/restore', 'other'],
  ];
  for (const [method, path, expected] of table) {
    it(`names ${method} /${path.split('?')[0]}`, () => {
      assert.equal(operationOfRequest(method, `${vaultUrl}${path}`), expected);
    });
  }
});
