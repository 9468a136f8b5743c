import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runSyncCommand } from '../../../src/commands/sync';
import type { VaultReference } from '../../../src/core/vault/url';
import { MemoryVaultStore } from '../../helpers/memory-store';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';
import { TestClock } from './fixtures';

describe('kvdr sync command', () => {
  let directory: string;
  let clock: TestClock;
  let stores: Map<string, MemoryVaultStore>;
  const openStore = (reference: VaultReference): MemoryVaultStore => {
    const store = stores.get(reference.id);
    if (store === undefined) throw new Error(`unexpected vault ${reference.id}`);
    return store;
  };
  const run = async (inputs: Inputs) => {
    const host = new RecordingHost(inputs);
    const code = await runSyncCommand(host, { openStore });
    return { host, code };
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-sync-'));
    clock = new TestClock();
    stores = new Map(['kv-src', 'kv-a', 'kv-b'].map((vaultId) => [vaultId, new MemoryVaultStore({ vaultId, clock: clock.read })]));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('syncs, reports and sets outputs', async () => {
    stores.get('kv-src')?.seed('db-password', 'SEEDVALUE-db');
    stores.get('kv-src')?.seed('off', 'SEEDVALUE-off', { enabled: false });
    const report = join(directory, 'report.json');
    const markdown = join(directory, 'summary.md');
    const junit = join(directory, 'junit.xml');

    const { host, code } = await run({ source: 'kv-src', target: ['kv-a', 'kv-b'], report, markdown, junit });

    assert.equal(code, 0);
    assert.equal(host.result, 'succeeded');
    assert.equal(host.outputs.created, '2');
    assert.equal(host.outputs.skipped, '2');
    assert.equal(host.outputs.changesPresent, 'true');
    assert.equal(host.outputs.result, 'succeeded');
    assert.equal(host.outputs.reportPath, report);
    assert.deepEqual(host.secrets, ['SEEDVALUE-db']);
    const files = [report, markdown, junit].map((path) => readFileSync(path, 'utf8'));
    for (const text of [...files, host.transcript]) assert.ok(!text.includes('SEEDVALUE'), 'no value in any output');
    const parsed = JSON.parse(files[0]);
    assert.equal(parsed.entries.length, 4);
    assert.match(files[2], /<testcase classname="kv-a" name="db-password"/);
    assert.match(host.printed.join('\n'), /create\s+db-password\s+kv-a/);
  });

  it('dry run reports changes and writes nothing', async () => {
    stores.get('kv-src')?.seed('s', 'SEEDVALUE-s');
    const { host, code } = await run({ source: 'kv-src', target: 'kv-a', dryRun: true });
    assert.equal(code, 0);
    assert.equal(host.outputs.changesPresent, 'true');
    assert.equal(stores.get('kv-a')?.versionCount('s'), 0);
  });

  it('exits 2 and names the vault that failed', async () => {
    stores.get('kv-src')?.seed('s', 'SEEDVALUE-s');
    stores.get('kv-b')?.injectFailure({ code: 'unavailable', times: Infinity });
    const { host, code } = await run({ source: 'kv-src', target: ['kv-a', 'kv-b'] });
    assert.equal(code, 2);
    assert.equal(host.result, 'partial');
    assert.match(host.message ?? '', /kv-b/);
    assert.equal(host.outputs.failed, '1');
    assert.equal(stores.get('kv-a')?.versionCount('s'), 1);
  });

  it('names the source when its read fails', async () => {
    stores.get('kv-src')?.seed('s', 'SEEDVALUE-s');
    stores.get('kv-src')?.injectFailure({ code: 'forbidden-by-rbac', operation: 'getSecret', times: Infinity });
    const { host, code } = await run({ source: 'kv-src', target: 'kv-a' });
    assert.equal(code, 2);
    assert.match(host.message ?? '', /Failures in kv-src\./);
  });

  it('exits 1 when the source is unreachable', async () => {
    stores.get('kv-src')?.injectFailure({ code: 'unavailable', times: Infinity });
    const { host, code } = await run({ source: 'kv-src', target: 'kv-a' });
    assert.equal(code, 1);
    assert.equal(host.result, 'failed');
  });

  const invalid: Array<[string, Inputs, RegExp]> = [
    ['no target', { source: 'kv-src' }, /Missing --target/],
    ['vault in one-way', { source: 'kv-src', target: 'kv-a', vault: 'kv-b' }, /--vault is for --mode mesh/],
    ['one mesh vault', { mode: 'mesh', vault: 'kv-a' }, /at least two vaults/],
    ['prune in mesh', { mode: 'mesh', vault: ['kv-a', 'kv-b'], prune: true }, /--prune applies to one-way/],
    ['same vault twice', { source: 'kv-src', target: 'https://KV-SRC.vault.azure.net/' }, /given more than once/],
    ['bad policy', { source: 'kv-src', target: 'kv-a', onConflict: 'mine-wins' }, /Invalid --on-conflict "mine-wins"/],
    ['bad duration', { source: 'kv-src', target: 'kv-a', timeout: '10 minutes' }, /Invalid duration for --timeout/],
    ['bad max-rps', { source: 'kv-src', target: 'kv-a', maxRps: 'fast' }, /Invalid --max-rps "fast"/],
    ['custom host', { source: 'kv-src', target: 'https://127.0.0.1:8443/' }, /not a Key Vault host/],
    ['same vault id twice', { source: 'kv-src', target: 'https://kv-src.vault.azure.cn/' }, /same vault id "kv-src"/],
    ['timeout past the timer limit', { source: 'kv-src', target: 'kv-a', timeout: '600h' }, /Invalid --timeout "600h": use at most 596h/],
    ['call timeout past the timer limit', { source: 'kv-src', target: 'kv-a', callTimeout: '36000m' }, /Invalid --call-timeout "36000m": use at most 596h/],
    ['hexadecimal max-rps', { source: 'kv-src', target: 'kv-a', maxRps: '0x10' }, /Invalid --max-rps "0x10"/],
    ['user name in a URL', { source: 'kv-src', target: 'https://user:pw@kv-a.vault.azure.net/' }, /without a user name or password/],
  ];
  it('rejects a report path that is a folder', async () => {
    const { host, code } = await run({ source: 'kv-src', target: 'kv-a', report: directory });
    assert.equal(code, 1);
    assert.match(host.message ?? '', /--report ".+" is a folder/);
    for (const store of stores.values()) assert.deepEqual(store.stats().requestsByOperation, {});
  });

  for (const name of ['report', 'markdown', 'junit'] as const) {
    it(`rejects --${name} under a file`, async () => {
      const file = join(directory, 'not-a-folder');
      writeFileSync(file, '');
      const { host, code } = await run({ source: 'kv-src', target: 'kv-a', [name]: join(file, 'out.txt') });

      assert.equal(code, 1);
      assert.match(host.message ?? '', new RegExp(`--${name} ".+out\\.txt" is inside ".+not-a-folder", which is a file`));
      for (const store of stores.values()) assert.deepEqual(store.stats().requestsByOperation, {});
    });
  }

  it('rejects one path for two reports', async () => {
    const path = join(directory, 'out.txt');
    const { host, code } = await run({ source: 'kv-src', target: 'kv-a', report: path, junit: path });
    assert.equal(code, 1);
    assert.match(host.message ?? '', /--junit and --report name the same file/);
    for (const store of stores.values()) assert.deepEqual(store.stats().requestsByOperation, {});
  });

  for (const [name, inputs, message] of invalid) {
    it(`rejects ${name} before any call`, async () => {
      const saved = process.env.KVDR_ALLOW_CUSTOM_HOSTS;
      delete process.env.KVDR_ALLOW_CUSTOM_HOSTS;
      try {
        const { host, code } = await run(inputs);
        assert.equal(code, 1);
        assert.match(host.message ?? '', message);
        for (const store of stores.values()) assert.deepEqual(store.stats().requestsByOperation, {});
      } finally {
        if (saved !== undefined) process.env.KVDR_ALLOW_CUSTOM_HOSTS = saved;
      }
    });
  }
});
