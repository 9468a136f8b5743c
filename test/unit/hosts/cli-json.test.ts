import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CliHost } from '../../../src/hosts/cli';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('CliHost --json fallback', () => {
  it('writes a failed document with the errors', () => {
    const stdout = capture();
    const stderr = capture();
    const host = new CliHost({ flags: { json: true }, stdout: stdout.stream, stderr: stderr.stream, env: {} });
    host.setSecret('SEEDVALUE-json-fallback');
    host.log.error('Vault kv-a failed while reading SEEDVALUE-json-fallback');
    host.writeFallbackResult('sync', 1);

    const document = JSON.parse(stdout.text()) as { command: string; result: string; exitCode: number; errors: string[] };
    assert.equal(document.command, 'sync');
    assert.equal(document.result, 'failed');
    assert.equal(document.exitCode, 1);
    assert.deepEqual(document.errors, ['Vault kv-a failed while reading ***']);
    assert.equal(stdout.text().includes('SEEDVALUE'), false);
  });

  it('adds nothing after a written result', () => {
    const stdout = capture();
    const host = new CliHost({ flags: { json: true }, stdout: stdout.stream, stderr: capture().stream, env: {} });
    host.writeResult({ command: 'sync', result: 'succeeded' });
    host.writeFallbackResult('sync', 0);
    assert.deepEqual(JSON.parse(stdout.text()), { command: 'sync', result: 'succeeded' });
  });

  it('stays silent without --json', () => {
    const stdout = capture();
    const host = new CliHost({ flags: {}, stdout: stdout.stream, stderr: capture().stream, env: {} });
    host.writeFallbackResult('sync', 1);
    assert.equal(stdout.text(), '');
  });
});
