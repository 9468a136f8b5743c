import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DrillReport } from '../../../src/core/drill/report';
import { readReadyFileEnv, runCli } from '../../helpers/cli';
import { SEED, SyncFixture } from '../sync/support';
import { seedReplicated } from './support';

describe('kvdr drill CLI', function () {
  this.timeout(180_000);
  let directory: string;
  let fixture: SyncFixture;
  let env: Record<string, string>;
  let vaultArgs: string[];

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-drill-cli-'));
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu'], readyFile: join(directory, 'ready.json') });
    await seedReplicated(fixture, 'weu', ['neu'], 2);
    env = readReadyFileEnv(join(directory, 'ready.json'));
    vaultArgs = ['--primary', fixture.url('weu'), '--secondary', fixture.url('neu')];
  });
  after(async () => {
    await fixture?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits 0 and prints JSON', async () => {
    const run = await runCli(['drill', ...vaultArgs, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as DrillReport;
    assert.equal(report.command, 'drill');
    assert.equal(report.passed, true);
    assert.equal(report.exitCode, 0);
    assert.ok(!run.stdout.includes(SEED), 'a seeded value appeared on stdout');
    assert.ok(!run.stderr.includes(SEED), 'a seeded value appeared on stderr');
  });

  it('exits 2 on a missed target', async () => {
    await fixture.store('weu').setSecret('unsynced', `${SEED}late`, {});
    const markdown = join(directory, 'drill.md');
    const run = await runCli(['drill', ...vaultArgs, '--rpo-target', '0s', '--markdown', markdown], env);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /1\. preflight\s+failed/);
    assert.match(readFileSync(markdown, 'utf8'), /## kvdr drill: failed/);
  });

  it('exits 1 on bad input', async () => {
    const run = await runCli(['drill', ...vaultArgs, '--mode', 'network'], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--allow-disruption/);
  });
});
