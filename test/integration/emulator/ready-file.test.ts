/**
 * The ready-file contract from a shell: `npm run emulator` writes the ready file once it serves, a
 * child process reaches it with nothing but the file's env, and SIGTERM stops it with exit code 0.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ReadyFile } from '../../../emulator/index';
import { rawRequest } from './support';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const VALUE = 'kvdr-ready-value-9d8e7f';

/** Polls until the ready file exists and parses, or the timeout passes. */
async function waitForReadyFile(path: string, child: ChildProcess, timeoutInMs: number): Promise<ReadyFile> {
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with ${child.exitCode} before writing the ready file`);
    if (existsSync(path)) {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ReadyFile>;
      if (parsed.vaults) return parsed as ReadyFile;
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  throw new Error(`no ready file at ${path} after ${timeoutInMs} ms`);
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) resolvePromise({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolvePromise({ code, signal }));
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('emulator ready file', () => {
  let directory: string;
  let emulator: ChildProcess | undefined;
  let emulatorOutput = '';

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-ready-'));
    emulatorOutput = '';
  });

  afterEach(async () => {
    // npm, its shell, tsx and the emulator share the process group started here: a failed test
    // kills the whole group, because orphans would keep the output pipes, and mocha, alive.
    if (emulator?.pid !== undefined) {
      try {
        process.kill(-emulator.pid, 'SIGKILL');
      } catch {
        // The group has already exited.
      }
      await exitOf(emulator);
    }
    emulator = undefined;
    rmSync(directory, { recursive: true, force: true });
  });

  function startFromShell(readyFile: string): ChildProcess {
    const child = spawn('npm', ['run', '--silent', 'emulator', '--', '--vaults', 'kv-ready-a,kv-ready-b', '--ready-file', readyFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (emulatorOutput += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (emulatorOutput += chunk.toString('utf8')));
    return child;
  }

  it('serves the SDK from the env and exits 0 on SIGTERM', async () => {
    const readyFile = join(directory, 'emulator.json');
    writeFileSync(readyFile, '{"stale": true}');
    emulator = startFromShell(readyFile);
    const ready = await waitForReadyFile(readyFile, emulator, 60_000);

    assert.deepEqual(Object.keys(ready.vaults), ['kv-ready-a', 'kv-ready-b']);
    for (const url of [...Object.values(ready.vaults), ready.adminUrl, ready.authorityHost]) assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const required = [
      'AZURE_AUTHORITY_HOST',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_TENANT_ID',
      'AZURE_TOKEN_CREDENTIALS',
      'KVDR_ALLOW_CUSTOM_HOSTS',
      'NODE_EXTRA_CA_CERTS',
    ];
    for (const key of required) assert.ok(ready.env[key], `the ready file's env has ${key}`);
    assert.equal(ready.env.KVDR_ALLOW_CUSTOM_HOSTS, '1');
    assert.equal(ready.env.AZURE_TOKEN_CREDENTIALS, 'EnvironmentCredential');
    assert.equal(ready.env.AZURE_AUTHORITY_HOST, ready.authorityHost);
    assert.match(readFileSync(ready.env.NODE_EXTRA_CA_CERTS, 'utf8'), /-----BEGIN CERTIFICATE-----/);
    assert.equal(statSync(readyFile).mode & 0o077, 0, 'the ready file holds a client secret: owner-only');

    // The child gets no inherited Azure settings: only PATH and the ready file's env.
    const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...ready.env };
    const child = await run(
      process.execPath,
      ['--require', 'tsx/cjs', join(__dirname, 'fixtures', 'ready-file-client.ts'), ready.vaults['kv-ready-b'], 'ready-child', VALUE],
      childEnv,
    );
    assert.equal(child.code, 0, child.stderr);
    const summary = JSON.parse(child.stdout) as { version: string; valueMatches: boolean; tags: Record<string, string>; names: string[] };
    assert.equal(summary.valueMatches, true);
    assert.match(summary.version, /^[0-9a-f]{32}$/);
    assert.deepEqual(summary.names, ['ready-child']);
    assert.ok(!child.stdout.includes(VALUE), 'the child output shows the value');
    assert.ok(!child.stderr.includes(VALUE), 'the child errors show the value');

    const ca = readFileSync(ready.env.NODE_EXTRA_CA_CERTS, 'utf8');
    const stats = await rawRequest(`${ready.adminUrl}vaults/kv-ready-b/stats`, { ca });
    assert.equal(stats.status, 200);
    const counts = stats.json<{ byOperation: Record<string, number> }>().byOperation;
    assert.equal(counts.setSecret, 1);
    assert.equal(counts.getSecret, 1);
    assert.equal(counts.getSecrets, 1);

    process.kill(ready.pid, 'SIGTERM');
    const exit = await exitOf(emulator);
    assert.deepEqual(exit, { code: 0, signal: null }, emulatorOutput);
    assert.equal(existsSync(readyFile), false, 'the ready file is removed on exit');
    assert.ok(!emulatorOutput.includes(VALUE), 'the emulator never prints a value');
    assert.ok(!emulatorOutput.includes(ready.env.AZURE_CLIENT_SECRET), 'the emulator never prints the client secret');
  }).timeout(120_000);

  it('exits 0 on SIGINT', async () => {
    const readyFile = join(directory, 'emulator.json');
    emulator = startFromShell(readyFile);
    const ready = await waitForReadyFile(readyFile, emulator, 60_000);
    process.kill(ready.pid, 'SIGINT');
    assert.deepEqual(await exitOf(emulator), { code: 0, signal: null }, emulatorOutput);
  }).timeout(120_000);

  it('rejects missing --vaults with exit 1', async () => {
    const result = await run('npm', ['run', '--silent', 'emulator', '--', '--ready-file', join(directory, 'x.json')], process.env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Missing --vaults/);
  }).timeout(120_000);
});
