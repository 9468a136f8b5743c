import assert from 'node:assert/strict';
import { once } from 'node:events';

import { CallTimeouts } from '../../../src/core/vault/call-timeouts';

describe('call timeouts', () => {
  it('shares one signal per window', () => {
    const timeouts = new CallTimeouts(60_000);
    const deadline = new AbortController();
    assert.equal(timeouts.signalFor(deadline.signal), timeouts.signalFor(deadline.signal));
  });

  it('separates signals per outer signal', () => {
    const timeouts = new CallTimeouts(60_000);
    const first = new AbortController();
    const second = new AbortController();
    assert.notEqual(timeouts.signalFor(first.signal), timeouts.signalFor(second.signal));
    assert.notEqual(timeouts.signalFor(first.signal), timeouts.signalFor(undefined));
  });

  it('aborts after the timeout', async () => {
    const timeouts = new CallTimeouts(20);
    const signal = timeouts.signalFor(undefined);
    assert.equal(signal.aborted, false);
    await once(signal, 'abort');
    assert.equal(signal.aborted, true);
  });

  it('opens a new window later', async () => {
    const timeouts = new CallTimeouts(20);
    const first = timeouts.signalFor(undefined);
    await once(first, 'abort');
    const second = timeouts.signalFor(undefined);
    assert.notEqual(second, first);
    assert.equal(second.aborted, false);
  });

  it('follows the outer signal', () => {
    const timeouts = new CallTimeouts(60_000);
    const deadline = new AbortController();
    const signal = timeouts.signalFor(deadline.signal);
    deadline.abort();
    assert.equal(signal.aborted, true);
  });

  it('starts aborted after the deadline', () => {
    const timeouts = new CallTimeouts(60_000);
    assert.equal(timeouts.signalFor(AbortSignal.abort()).aborted, true);
  });

  it('allows many listeners without warnings', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const signal = new CallTimeouts(60_000).signalFor(undefined);
      for (let index = 0; index < 50; index += 1) signal.addEventListener('abort', () => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(warnings.length, 0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
