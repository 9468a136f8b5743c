import assert from 'node:assert/strict';
import { Writable } from 'node:stream';

import { CliHost } from '../../../src/hosts/cli';

/** Creates a stream that keeps what is written to it. */
function collector(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

describe('CLI host', () => {
  it('masks --json output without breaking its syntax', () => {
    const stdout = collector();
    const host = new CliHost({ flags: { json: true }, stdout, stderr: collector(), env: {} });
    host.setSecret('true');
    host.setSecret('300');
    host.setSecret('SEEDVALUE-line-1\nSEEDVALUE-line-2');

    host.writeResult({ changesPresent: true, requests: 300, message: 'true 300', error: 'got SEEDVALUE-line-1\nSEEDVALUE-line-2' });

    const parsed = JSON.parse(stdout.text()) as Record<string, unknown>;
    assert.equal(parsed.changesPresent, true);
    assert.equal(parsed.requests, 300);
    assert.equal(parsed.message, '*** ***');
    assert.ok(!stdout.text().includes('SEEDVALUE'), 'no value on stdout');
  });
});
