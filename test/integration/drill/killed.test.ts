import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Emulator } from '../../../emulator/index';
import { ArmVaultClient } from '../../../src/core/access/arm';
import { readReadyFileEnv, startCli } from '../../helpers/cli';
import { createCredential } from '../../helpers/emulator';
import { SyncFixture } from '../sync/support';
import { runDrill, seedReplicated } from './support';

/** Starts the CLI and collects stdout and stderr together, so a test can read them while it runs. */
function startCliWithOutput(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = startCli(args, env);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

describe('kvdr drill stopped during the outage', function () {
  this.timeout(240_000);
  let directory: string;
  let emulator: Emulator;
  let fixture: SyncFixture;
  let cli: ChildProcess | undefined;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-drill-kill-'));
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu', 'sea'], readyFile: join(directory, 'ready.json') });
    emulator = fixture.emulator;
    await seedReplicated(fixture, 'weu', ['neu', 'sea'], 3);
  });
  after(async () => {
    if (cli?.exitCode === null) cli.kill('SIGKILL');
    await fixture?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('is restored by the next run', async () => {
    const arm = new ArmVaultClient({ credential: createCredential(emulator), endpoint: emulator.armUrl, callTimeoutInMs: 30_000, tlsCa: emulator.ca }, 'https://management.azure.com/.default');
    const resourceId = emulator.resourceIds.weu;
    const publicAccess = async (): Promise<string> => (await arm.getVault(resourceId)).networkSettings.publicNetworkAccess;

    // The slow second secondary keeps the outage open for seconds, so the kill lands inside it.
    await emulator.admin.setFaults('sea', { latencyMs: 1000 });
    const env = readReadyFileEnv(join(directory, 'ready.json'));
    const args = ['drill', '--primary', emulator.vaults.weu, '--secondary', emulator.vaults.neu, '--secondary', emulator.vaults.sea];
    const started = startCliWithOutput([...args, '--mode', 'network', '--allow-disruption', '--primary-resource-id', resourceId, '--lock-expiry', '8s'], env);
    cli = started.child;
    const exited = new Promise<number | null>((resolvePromise) => cli!.on('exit', (code) => resolvePromise(code)));

    const deadline = Date.now() + 120_000;
    while ((await publicAccess()) !== 'Disabled') {
      assert.equal(cli.exitCode, null, `the CLI ended before the outage: ${started.output()}`);
      assert.ok(Date.now() < deadline, 'the primary was never closed');
      await sleep(25);
    }
    cli.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    assert.equal(await publicAccess(), 'Disabled', 'the killed drill should leave the primary closed');
    await emulator.admin.clearFaults('sea');

    const refused = await runDrill(fixture, { primary: emulator.vaults.weu, secondary: [emulator.vaults.neu, emulator.vaults.sea] });
    assert.equal(refused.code, 1, refused.host.message);
    assert.match(refused.host.message ?? '', /Another drill is in progress/);
    assert.equal(await publicAccess(), 'Disabled');

    // The killed drill renewed its 8 s lock at most about 3 s before the kill.
    await sleep(Math.max(0, killedAt + 9_500 - Date.now()));
    const next = await runDrill(fixture, { primary: emulator.vaults.weu, secondary: [emulator.vaults.neu, emulator.vaults.sea] });
    assert.equal(next.code, 0, next.host.message);
    assert.equal(await publicAccess(), 'Enabled');
    const recovered = next.report?.recoveredRuns ?? [];
    assert.equal(recovered.length, 1, JSON.stringify(recovered) + next.host.logged.join("\n") + JSON.stringify(next.report?.warnings));
    assert.equal(recovered[0].error, undefined);
    assert.ok(recovered[0].actions.some((action) => action.startsWith('restored the network settings')), recovered[0].actions.join('\n'));

    for (const vault of ['weu', 'neu', 'sea']) {
      for await (const record of fixture.store(vault).listSecrets()) {
        assert.ok(!record.name.startsWith('drill-canary-'), `${record.name} is left in ${vault}`);
      }
    }
  });

  it('restores itself on SIGTERM', async () => {
    const arm = new ArmVaultClient({ credential: createCredential(emulator), endpoint: emulator.armUrl, callTimeoutInMs: 30_000, tlsCa: emulator.ca }, 'https://management.azure.com/.default');
    const resourceId = emulator.resourceIds.weu;
    const publicAccess = async (): Promise<string> => (await arm.getVault(resourceId)).networkSettings.publicNetworkAccess;

    await emulator.admin.setFaults('sea', { latencyMs: 1000 });
    const env = readReadyFileEnv(join(directory, 'ready.json'));
    const report = join(directory, 'stopped.json');
    const args = ['drill', '--primary', emulator.vaults.weu, '--secondary', emulator.vaults.neu, '--secondary', emulator.vaults.sea, '--report', report];
    const started = startCliWithOutput([...args, '--mode', 'network', '--allow-disruption', '--primary-resource-id', resourceId], env);
    cli = started.child;
    const exited = new Promise<number | null>((resolvePromise) => cli!.on('exit', (code) => resolvePromise(code)));

    const deadline = Date.now() + 120_000;
    while ((await publicAccess()) !== 'Disabled') {
      assert.equal(cli.exitCode, null, `the CLI ended before the outage: ${started.output()}`);
      assert.ok(Date.now() < deadline, 'the primary was never closed');
      await sleep(25);
    }
    cli.kill('SIGTERM');
    assert.equal(await exited, 2, started.output());
    await emulator.admin.clearFaults('sea');
    assert.equal(await publicAccess(), 'Enabled');
    const written = JSON.parse(readFileSync(report, 'utf8')) as { network: { restored: boolean }; steps: Array<{ name: string; status: string }>; warnings: string[] };
    assert.equal(written.network.restored, true);
    assert.ok(written.warnings.some((warning) => /stopped by SIGTERM/.test(warning)), JSON.stringify(written.warnings));
    // Cleanup is skipped when the signal came before the first canary write.
    assert.notEqual(written.steps.find((step) => step.name === 'cleanup')?.status, 'failed', JSON.stringify(written.steps));
    for (const vault of ['weu', 'neu', 'sea']) {
      for await (const record of fixture.store(vault).listSecrets()) {
        assert.ok(!record.name.startsWith('drill-canary-'), `${record.name} is left in ${vault}`);
      }
    }

    const next = await runDrill(fixture, { primary: emulator.vaults.weu, secondary: [emulator.vaults.neu, emulator.vaults.sea] });
    assert.equal(next.code, 0, next.host.message);
    assert.deepEqual(next.report?.recoveredRuns, []);
  });
});
