import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../../../emulator/index';
import { readReadyFileEnv, runCli } from '../../helpers/cli';
import { SEED } from './support';

describe('kvdr sync CLI with the ready file environment', function () {
  this.timeout(180_000);
  let directory: string;
  let emulator: Emulator;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-sync-cli-'));
    emulator = await startEmulator({ vaults: ['weu', 'neu'], readyFile: join(directory, 'ready.json') });
  });
  after(async () => {
    await emulator?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('syncs, prints the plan and keeps values out of every output', async () => {
    emulator.admin.seed('weu', [
      { name: 'conn', value: `${SEED}Server=db;Password=p@ss;` },
      { name: 'multi', value: `${SEED}line1\nline2\r\nline3` },
    ]);
    const env = readReadyFileEnv(join(directory, 'ready.json'));
    const report = join(directory, 'report.json');
    const markdown = join(directory, 'summary.md');
    const args = ['sync', '--source', emulator.vaults.weu, '--target', emulator.vaults.neu, '--report', report, '--markdown', markdown];

    const first = await runCli(args, env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /create\s+conn/);
    assert.match(first.stdout, /Summary:/);

    const second = await runCli([...args, '--json'], env);
    assert.equal(second.code, 0, second.stderr);
    const parsed = JSON.parse(second.stdout) as { changesPresent: boolean };
    assert.equal(parsed.changesPresent, false);

    for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, readFileSync(report, 'utf8'), readFileSync(markdown, 'utf8')]) {
      assert.ok(!text.includes(SEED), 'a seeded value appeared in an output');
      assert.ok(!text.includes('line2'), 'a line of a multi-line value appeared in an output');
    }
  });

  it('exits 1 on invalid input without calling a vault', async () => {
    const env = readReadyFileEnv(join(directory, 'ready.json'));
    emulator.admin.resetStats('weu');
    const result = await runCli(['sync', '--source', emulator.vaults.weu, '--target', emulator.vaults.neu, '--on-soft-deleted', 'purge'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /purge/);
    assert.equal(emulator.admin.stats('weu').total, 0);
  });
});
