/**
 * `kvdr drift` on in-memory vaults: input validation before any vault is called, exit codes and
 * results under each `--on-drift`, outputs and report files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runDriftCommand } from '../../../src/commands/drift';
import type { VaultReference } from '../../../src/core/vault/url';
import type { MemoryVaultStore } from '../../helpers/memory-store';
import { TestClock, vaults } from '../sync/fixtures';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';

describe('kvdr drift command', () => {
  let directory: string;
  let stores: Map<string, MemoryVaultStore>;
  let opened: string[];

  const run = async (inputs: Inputs) => {
    const host = new RecordingHost(inputs);
    const openStore = (reference: VaultReference): MemoryVaultStore => {
      opened.push(reference.id);
      const store = stores.get(reference.id);
      if (store === undefined) throw new Error(`unexpected vault ${reference.id}`);
      return store;
    };
    const code = await runDriftCommand(host, { openStore });
    return { host, code };
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-drift-'));
    stores = new Map(vaults(new TestClock(), 'kv-src', 'kv-a', 'kv-b').map((store) => [store.vaultId, store]));
    opened = [];
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const rejected: Array<[string, Inputs, RegExp]> = [
    ['nothing to check', {}, /Nothing to check/],
    ['one vault without a source', { vault: 'kv-a' }, /at least two vaults/],
    ['a source alone', { source: 'kv-src', vault: 'kv-src' }, /nothing to be compared with/],
    ['a vault given twice', { vault: ['kv-a', 'kv-a'] }, /more than once/],
    ['a source sharing a target\'s vault id', { source: 'kv-a', vault: ['https://kv-a.vault.azure.cn/', 'kv-b'] }, /same vault id "kv-a"/],
    ['prune without a source', { vault: ['kv-a', 'kv-b'], prune: true }, /--prune needs --source/],
    ['an unknown on-drift', { vault: ['kv-a', 'kv-b'], onDrift: 'explode' }, /Invalid --on-drift "explode": use one of fail, warn, ignore/],
    ['a region without a directory', { vault: ['kv-a', 'kv-b'], region: 'westeurope' }, /--region needs --terraform-dir/],
    ['a missing terraform directory', { terraformDir: '/nonexistent/kvdr', region: 'westeurope', stateKeyPrefix: 'kvdr/prod' }, /is not a directory/],
    ['terraform without regions', { terraformDir: '.', stateKeyPrefix: 'kvdr/prod' }, /No region given/],
    ['regions sharing one state', { terraformDir: '.', region: 'westeurope' }, /Every region needs its own state/],
    ['an invalid tag filter', { vault: ['kv-a', 'kv-b'], tag: 'no-equals' }, /Invalid tag selector "no-equals"/],
  ];
  for (const [name, inputs, message] of rejected) {
    it(`rejects ${name}`, async () => {
      const { host, code } = await run(inputs);

      assert.equal(code, 1);
      assert.equal(host.result, 'failed');
      assert.match(host.message ?? '', message);
      assert.deepEqual(opened, [], 'no vault was opened');
    });
  }

  it('exits 2 on drift and writes reports', async () => {
    stores.get('kv-src')?.seed('db-password', 'SEEDVALUE-db');
    const paths = { report: join(directory, 'drift.json'), junit: join(directory, 'drift.xml'), markdown: join(directory, 'drift.md') };

    const { host, code } = await run({ source: 'kv-src', vault: ['kv-a', 'kv-b'], ...paths });

    assert.equal(code, 2);
    assert.equal(host.result, 'failed');
    assert.equal(host.outputs.driftDetected, 'true');
    assert.equal(host.outputs.driftCount, '2');
    assert.equal(host.outputs.reportPath, paths.report);
    const report = JSON.parse(readFileSync(paths.report, 'utf8'));
    assert.equal(report.command, 'drift');
    assert.deepEqual(report.vaults.map((vault: { role: string }) => vault.role), ['source', 'target', 'target']);
    assert.match(readFileSync(paths.junit, 'utf8'), /<testcase classname="kv-a" name="db-password" time="0">\s*<failure type="drift"/);
    assert.match(readFileSync(paths.markdown, 'utf8'), /\| missing \| kv-a \| 1 \| `db-password` \|/);
    for (const text of [host.transcript, ...Object.values(paths).map((path) => readFileSync(path, 'utf8'))]) assert.ok(!text.includes('SEEDVALUE'));
  });

  it('exits 0 with issues under warn', async () => {
    stores.get('kv-src')?.seed('db-password', 'SEEDVALUE-db');

    const { host, code } = await run({ source: 'kv-src', vault: 'kv-a', onDrift: 'warn' });

    assert.equal(code, 0);
    assert.equal(host.result, 'partial');
    assert.equal(host.outputs.driftDetected, 'true');
  });

  it('exits 0 under ignore', async () => {
    stores.get('kv-src')?.seed('db-password', 'SEEDVALUE-db');

    const { host, code } = await run({ source: 'kv-src', vault: 'kv-a', onDrift: 'ignore' });

    assert.equal(code, 0);
    assert.equal(host.result, 'succeeded');
    assert.equal(host.outputs.driftCount, '1');
  });

  it('exits 0 without drift', async () => {
    const { host, code } = await run({ vault: ['kv-a', 'kv-b'] });

    assert.equal(code, 0);
    assert.equal(host.result, 'succeeded');
    assert.equal(host.outputs.driftDetected, 'false');
    assert.equal(host.outputs.driftCount, '0');
  });

  it('keeps secret findings without terraform', async () => {
    stores.get('kv-src')?.seed('db-password', 'SEEDVALUE-db');
    const report = join(directory, 'drift.json');

    const { host, code } = await run({ source: 'kv-src', vault: 'kv-a', terraformDir: directory, region: 'westeurope', stateKeyPrefix: 'kvdr/test', terraformPath: join(directory, 'no-terraform'), report });

    assert.equal(code, 1);
    assert.match(host.message ?? '', /Could not check the Terraform stack of westeurope/);
    const parsed = JSON.parse(readFileSync(report, 'utf8'));
    assert.equal(parsed.entries.find((entry: { secret: string }) => entry.secret === 'db-password')?.action, 'missing');
    assert.match(parsed.terraform.regions[0].error, /terraform was not found/);
  });

  it('reports a terraform timeout per region', async () => {
    const hanging = join(directory, 'terraform');
    writeFileSync(hanging, '#!/bin/sh\nsleep 30\n', { mode: 0o755 });

    const { host, code } = await run({ terraformDir: directory, region: 'westeurope', stateKeyPrefix: 'kvdr/test', terraformPath: hanging, timeout: '1s' });

    assert.equal(code, 1);
    assert.match(host.message ?? '', /Could not check the Terraform stack of westeurope/);
    const report = host.results[0] as { terraform: { regions: Array<{ error: string }> } };
    assert.match(report.terraform.regions[0].error, /deadline/);
  });

  it('exits 1 when a target cannot be listed', async () => {
    stores.get('kv-b')?.injectFailure({ code: 'forbidden-by-firewall', operation: 'listSecrets', times: Infinity });

    const { host, code } = await run({ source: 'kv-src', vault: ['kv-a', 'kv-b'] });

    assert.equal(code, 1);
    assert.equal(host.result, 'failed');
    assert.match(host.message ?? '', /incomplete.*Could not check kv-b/);
  });
});
