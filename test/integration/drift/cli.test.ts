/**
 * `kvdr drift` as a process: the CLI from source with the emulator's ready file environment, so the
 * exit codes are the ones a shell or a CI step sees.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { startEmulator, type Emulator } from '../../../emulator/index';
import { SEED } from '../sync/support';

const repoRoot = resolve(__dirname, '..', '..', '..');

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source with `env` only, as a user of `npm run emulator` would. */
function runCli(args: string[], env: Record<string, string>): Promise<Spawned> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repoRoot, 'src', 'cli.ts'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('kvdr drift CLI', function () {
  this.timeout(180_000);
  let directory: string;
  let emulator: Emulator;
  let env: Record<string, string>;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-drift-cli-'));
    emulator = await startEmulator({ vaults: ['weu', 'neu'], readyFile: join(directory, 'ready.json') });
    env = (JSON.parse(readFileSync(join(directory, 'ready.json'), 'utf8')) as { env: Record<string, string> }).env;
  });
  after(async () => {
    await emulator?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits 2, then 0 after a sync', async () => {
    emulator.admin.seed('weu', [{ name: 'conn', value: `${SEED}Server=db;Password=p@ss;` }]);
    const vaults = ['--source', emulator.vaults.weu, '--vault', emulator.vaults.neu];

    const drifted = await runCli(['drift', ...vaults, '--deep'], env);
    assert.equal(drifted.code, 2, drifted.stderr);
    assert.match(drifted.stdout, /missing\s+conn\s+127\.0\.0\.1:\d+/);

    const synced = await runCli(['sync', '--source', emulator.vaults.weu, '--target', emulator.vaults.neu], env);
    assert.equal(synced.code, 0, synced.stderr);

    const clean = await runCli(['drift', ...vaults, '--deep', '--json'], env);
    assert.equal(clean.code, 0, clean.stderr);
    const report = JSON.parse(clean.stdout) as { driftCount: number; entries: Array<{ action: string }> };
    assert.equal(report.driftCount, 0);
    assert.deepEqual(report.entries.map((entry) => entry.action), ['in-sync']);
    for (const output of [drifted.stdout, drifted.stderr, clean.stdout, clean.stderr]) assert.ok(!output.includes(SEED), 'a seeded value appeared in the output');
  });

  it('exits 0 under --on-drift warn', async () => {
    emulator.admin.seed('weu', [{ name: 'later', value: `${SEED}later` }]);

    const run = await runCli(['drift', '--source', emulator.vaults.weu, '--vault', emulator.vaults.neu, '--on-drift', 'warn'], env);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning/i);
  });

  it('exits 1 naming a bad option', async () => {
    const run = await runCli(['drift', '--vault', emulator.vaults.weu], env);

    assert.equal(run.code, 1);
    assert.match(run.stderr, /at least two vaults/);
  });
});
