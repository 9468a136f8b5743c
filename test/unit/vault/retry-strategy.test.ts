import assert from 'node:assert/strict';

import {
  backoffDelayInMs,
  decideRetry,
  DEFAULT_RETRY_SETTINGS,
  parseRetryAfterInMs,
  type AttemptOutcome,
} from '../../../src/core/vault/retry-strategy';

function headers(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name.toLowerCase()];
}

describe('parseRetryAfterInMs', () => {
  const now = Date.parse('2026-12-04T21:00:00Z');

  const cases: Array<[string, Record<string, string>, number | undefined]> = [
    ['seconds', { 'retry-after': '7' }, 7000],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['fractional seconds', { 'retry-after': '1.5' }, 1500],
    ['HTTP date', { 'retry-after': 'Fri, 04 Dec 2026 21:00:12 GMT' }, 12_000],
    ['HTTP date in the past', { 'retry-after': 'Fri, 04 Dec 2026 20:59:00 GMT' }, 0],
    ['retry-after-ms', { 'retry-after-ms': '250' }, 250],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '1200' }, 1200],
    ['milliseconds before seconds', { 'retry-after-ms': '100', 'retry-after': '9' }, 100],
    ['negative seconds', { 'retry-after': '-3' }, undefined],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['a bare year', { 'retry-after': '2027' }, 2_027_000],
    ['no header', {}, undefined],
  ];
  for (const [label, values, expected] of cases) {
    it(`reads ${label}`, () => {
      assert.equal(parseRetryAfterInMs(headers(values), now), expected);
    });
  }
});

describe('backoffDelayInMs', () => {
  const settings = { baseDelayInMs: 500, maxDelayInMs: 8000 };

  it('doubles per attempt within jitter bounds', () => {
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const ceiling = 500 * 2 ** (attempt - 1);
      assert.equal(backoffDelayInMs(attempt, settings, () => 0), ceiling / 2);
      assert.equal(backoffDelayInMs(attempt, settings, () => 0.999999), Math.round(ceiling / 2 + 0.999999 * (ceiling / 2)));
    }
  });

  it('is capped at maxDelayInMs', () => {
    for (const attempt of [5, 10, 100, 5000]) {
      assert.ok(backoffDelayInMs(attempt, settings, () => 0.999999) <= 8000, `attempt ${attempt}`);
      assert.ok(backoffDelayInMs(attempt, settings, () => 0) >= 4000, `attempt ${attempt}`);
    }
  });

  it('depends only on its arguments', () => {
    const random = (): number => 0.42;
    const first = [1, 2, 3, 4, 5].map((attempt) => backoffDelayInMs(attempt, settings, random));
    const second = [1, 2, 3, 4, 5].map((attempt) => backoffDelayInMs(attempt, settings, random));
    assert.deepEqual(first, second);
    assert.equal(backoffDelayInMs(3, settings, random), backoffDelayInMs(3, settings, random));
  });
});

describe('decideRetry', () => {
  const settings = DEFAULT_RETRY_SETTINGS;
  const random = (): number => 0.5;

  function decide(outcome: AttemptOutcome, attempt = 1): ReturnType<typeof decideRetry> {
    return decideRetry(attempt, outcome, settings, random);
  }

  it('retries 429 without Retry-After by backoff', () => {
    const decision = decide({ kind: 'response', statusCode: 429 });
    assert.ok(decision.retry);
    assert.equal(decision.delayInMs, backoffDelayInMs(1, settings, random));
  });

  it('honours Retry-After on 429 above the cap', () => {
    const decision = decide({ kind: 'response', statusCode: 429, retryAfterInMs: 45_000 });
    assert.ok(decision.retry);
    assert.equal(decision.delayInMs, 45_000);
  });

  it('retries 408, 500, 502, 503 and 504', () => {
    for (const statusCode of [408, 500, 502, 503, 504]) {
      assert.equal(decide({ kind: 'response', statusCode }).retry, true, `HTTP ${statusCode}`);
    }
  });

  it('never retries 501, 505 or other 4xx', () => {
    for (const statusCode of [400, 401, 403, 404, 405, 412, 501, 505]) {
      assert.equal(decide({ kind: 'response', statusCode }).retry, false, `HTTP ${statusCode}`);
    }
  });

  it('retries only the transient 409s', () => {
    assert.equal(decide({ kind: 'response', statusCode: 409, serviceCodes: ['Conflict', 'ObjectIsBeingDeleted'] }).retry, true);
    assert.equal(decide({ kind: 'response', statusCode: 409, serviceCodes: ['Conflict', 'ObjectIsBeingRecovered'] }).retry, true);
    assert.equal(decide({ kind: 'response', statusCode: 409, serviceCodes: ['Conflict', 'ObjectIsDeletedButRecoverable'] }).retry, false);
    assert.equal(decide({ kind: 'response', statusCode: 409 }).retry, false);
  });

  it('stops after maxRetries', () => {
    assert.equal(decide({ kind: 'response', statusCode: 503 }, settings.maxRetries).retry, true);
    assert.equal(decide({ kind: 'response', statusCode: 503 }, settings.maxRetries + 1).retry, false);
  });

  it('gives connection failures a few quick retries', () => {
    for (const errorCode of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      const first = decide({ kind: 'network', errorCode }, 1);
      const second = decide({ kind: 'network', errorCode }, 2);
      assert.ok(first.retry, errorCode);
      assert.ok(second.retry, errorCode);
      assert.equal(first.delayInMs, 200);
      assert.equal(second.delayInMs, 400);
      assert.equal(decide({ kind: 'network', errorCode }, 3).retry, false, errorCode);
    }
  });

  it('retries resets with backoff', () => {
    const decision = decide({ kind: 'network', errorCode: 'ECONNRESET' }, 4);
    assert.ok(decision.retry);
    assert.equal(decision.delayInMs, backoffDelayInMs(4, settings, random));
  });

  it('does not retry unknown network errors', () => {
    assert.equal(decide({ kind: 'network', errorCode: 'EACCES' }).retry, false);
  });

  it('retries a call timeout once', () => {
    assert.equal(decide({ kind: 'timeout' }, 1).retry, true);
    assert.equal(decide({ kind: 'timeout' }, 2).retry, false);
  });
});
