import assert from 'node:assert/strict';

import { MAX_DURATION_IN_MS } from '../../../src/core/duration';
import { CallTimeouts } from '../../../src/core/vault/call-timeouts';

describe('call timeouts at the timer limit', () => {
  it('maximum timeout does not abort at once', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      // --call-timeout accepts up to MAX_DURATION_IN_MS, and Node fires a longer timer after 1 ms.
      const signal = new CallTimeouts(MAX_DURATION_IN_MS).signalFor(undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(signal.aborted, false);
      assert.deepEqual(
        warnings.map((warning) => warning.name),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
