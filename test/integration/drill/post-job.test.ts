/**
 * Runs the drill action's entry point twice, as the GitHub runner does. The step is killed during
 * the outage, and the post step must then restore the primary at once, without waiting for the
 * killed drill's lock to lapse.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ArmVaultClient } from '../../../src/core/access/arm';
import { createCredential } from '../../helpers/emulator';
import { SyncFixture } from '../sync/support';
import { seedReplicated } from './support';

const repoRoot = resolve(__dirname, '..', '..', '..');

/** Starts actions/drill/main.ts from source in one process (tsx loaded with --require). */
function startAction(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(repoRoot, 'actions', 'drill', 'main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  return { child, exited, output: () => output };
}

describe('drill action post step', function () {
  this.timeout(240_000);
  let directory: string;
  let fixture: SyncFixture;
  let running: ChildProcess | undefined;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-drill-post-'));
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu', 'sea'] });
    await seedReplicated(fixture, 'weu', ['neu', 'sea'], 2);
  });
  after(async () => {
    if (running?.exitCode === null) running.kill('SIGKILL');
    await fixture?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('restores a cancelled drill at once', async () => {
    const { emulator } = fixture;
    const resourceId = emulator.resourceIds.weu;
    const arm = new ArmVaultClient({ credential: createCredential(emulator), endpoint: emulator.armUrl, callTimeoutInMs: 30_000, tlsCa: emulator.ca }, 'https://management.azure.com/.default');
    const publicAccess = async (): Promise<string> => (await arm.getVault(resourceId)).networkSettings.publicNetworkAccess;

    const files = { GITHUB_OUTPUT: join(directory, 'output'), GITHUB_STEP_SUMMARY: join(directory, 'summary'), GITHUB_STATE: join(directory, 'state') };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const env = {
      ...emulator.env,
      ...files,
      RUNNER_TEMP: directory,
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'drill',
      INPUT_AUTHMODE: 'environment',
      INPUT_PRIMARY: emulator.vaults.weu,
      INPUT_SECONDARY: `${emulator.vaults.neu}\n${emulator.vaults.sea}`,
      INPUT_MODE: 'network',
      INPUT_ALLOWDISRUPTION: 'true',
      INPUT_PRIMARYRESOURCEID: resourceId,
      INPUT_LOCKEXPIRY: '10m',
    };

    await emulator.admin.setFaults('sea', { latencyMs: 1000 });
    const main = startAction(env);
    running = main.child;
    const deadline = Date.now() + 120_000;
    while ((await publicAccess()) !== 'Disabled') {
      assert.equal(main.child.exitCode, null, `the step ended before the outage: ${main.output()}`);
      assert.ok(Date.now() < deadline, 'the primary was never closed');
      await sleep(25);
    }
    main.child.kill('SIGKILL');
    await main.exited;
    await emulator.admin.clearFaults('sea');
    assert.equal(await publicAccess(), 'Disabled');
    assert.match(readFileSync(files.GITHUB_STATE, 'utf8'), /^kvdrDrillStarted=true$/m);

    const post = startAction({ ...env, STATE_kvdrDrillStarted: 'true' });
    running = post.child;
    assert.equal(await post.exited, 0, post.output());
    assert.equal(await publicAccess(), 'Enabled');
    assert.match(post.output(), /restored the network settings/);
    for (const vault of ['weu', 'neu', 'sea']) {
      for await (const record of fixture.store(vault).listSecrets()) assert.ok(!record.name.startsWith('drill-canary-'), `${record.name} is left in ${vault}`);
    }

    const again = startAction({ ...env, STATE_kvdrDrillStarted: 'true' });
    running = again.child;
    assert.equal(await again.exited, 0, again.output());
    assert.match(again.output(), /No drill of this job was left to restore/);
  });
});
