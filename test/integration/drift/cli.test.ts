/**
 * `kvdr drift` as a process: the CLI from source with the emulator's ready file environment, so the
 * exit codes are the ones a shell or a CI step receives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../../../emulator/index';
import { readReadyFileEnv, runCli } from '../../helpers/cli';
import { SEED } from '../sync/support';

describe('kvdr drift CLI', function () {
  this.timeout(180_000);
  let directory: string;
  let emulator: Emulator;
  let env: Record<string, string>;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-drift-cli-'));
    emulator = await startEmulator({ vaults: ['weu', 'neu'], readyFile: join(directory, 'ready.json') });
    env = readReadyFileEnv(join(directory, 'ready.json'));
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
