import assert from 'node:assert/strict';
import { formatDuration, MAX_DURATION_IN_MS, parseDurationInMs } from '../../../src/core/duration';
import { isEngineError } from '../../../src/core/errors';

describe('parseDurationInMs', () => {
  it('parses every unit', () => {
    assert.equal(parseDurationInMs('250ms', '--x'), 250);
    assert.equal(parseDurationInMs('30s', '--x'), 30_000);
    assert.equal(parseDurationInMs('5m', '--x'), 300_000);
    assert.equal(parseDurationInMs('1h', '--x'), 3_600_000);
  });

  it('rejects text without a unit', () => {
    assert.throws(() => parseDurationInMs('30', '--timeout'), (error: unknown) => isEngineError(error) && error.code === 'invalid-input' && error.message.includes('--timeout'));
  });

  it('rejects durations past the timer limit', () => {
    assert.equal(parseDurationInMs('596h', '--x') <= MAX_DURATION_IN_MS, true);
    assert.throws(() => parseDurationInMs('597h', '--lock-expiry'), (error: unknown) => isEngineError(error) && error.message.includes('--lock-expiry') && error.message.includes('596h'));
  });
});

describe('formatDuration', () => {
  it('formats each range', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(12_300), '12.3 s');
    assert.equal(formatDuration(250_000), '4 min 10 s');
  });
});
