import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { runDrill, SEED, seedReplicated, stepLines, SyncFixture } from './support';

// Bounds hold on a loaded 2-core machine: lower bounds come from injected delays, upper bounds
// leave tens of seconds of slack.
const SLACK_IN_MS = 45_000;

describe('kvdr drill measurements', function () {
  this.timeout(240_000);
  let fixture: SyncFixture;

  beforeEach(async () => {
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu', 'sea'] });
    await seedReplicated(fixture, 'weu', ['neu', 'sea'], 3);
  });
  afterEach(async () => fixture?.close());

  it('RTO includes the survivor latency', async () => {
    // The latency covers the canary step only, so the rest of the drill stays quick.
    const faults: Array<Promise<void>> = [];
    const onStepFinished = (name: string): void => {
      if (name === 'loss') faults.push(fixture.emulator.admin.setFaults('neu', { latencyMs: 1500 }));
      if (name === 'canary') faults.push(fixture.emulator.admin.clearFaults('neu'));
    };
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu'), fixture.url('sea')], rtoTarget: '1s' }, { onStepFinished });
    await Promise.all(faults);
    const report = run.report!;
    assert.equal(report.rto.firstWriteIn, fixture.id('neu'));
    const rto = report.rto.measuredInMs ?? -1;
    assert.ok(rto >= 1500, `RTO ${rto} ms is below the injected latency`);
    assert.ok(rto < 1500 + SLACK_IN_MS, `RTO ${rto} ms is far above the injected latency`);
    assert.equal(report.rto.met, false);
    assert.equal(run.code, 2, run.host.message);
    assert.ok(report.steps.every((step) => step.status === 'passed'), stepLines(report).join('\n'));
    assert.match(run.junit, /<failure message="RTO missed/);
  });

  it('RPO counts an unsynced secret', async () => {
    await fixture.store('weu').setSecret('unsynced-1', `${SEED}late`, {});
    await sleep(2500);
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu'), fixture.url('sea')], rpoTarget: '1h' });
    assert.equal(run.code, 0, run.host.message);
    const rpo = run.report!.rpo!;
    assert.equal(rpo.measuredOn, fixture.id('neu'));
    assert.equal(rpo.count, 1);
    assert.ok((rpo.oldestAgeInMs ?? 0) >= 2000, `oldest age ${rpo.oldestAgeInMs} ms is below the wait`);
    assert.ok((rpo.oldestAgeInMs ?? 0) < 2500 + SLACK_IN_MS, `oldest age ${rpo.oldestAgeInMs} ms is far above the wait`);
    assert.deepEqual(rpo.survivors.map((risk) => [risk.vaultId, risk.count, risk.secrets]), [
      [fixture.id('neu'), 1, ['unsynced-1']],
      [fixture.id('sea'), 1, ['unsynced-1']],
    ]);
    assert.equal(rpo.met, true);
  });

  it('RPO target 0s stops at preflight', async () => {
    await fixture.store('weu').setSecret('unsynced-2', `${SEED}late`, {});
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu'), fixture.url('sea')], mode: 'network', allowDisruption: true, primaryResourceId: fixture.emulator.resourceIds.weu });
    assert.equal(run.code, 2, run.host.message);
    assert.deepEqual(stepLines(run.report).map((line) => line.split(':')[0]), ['preflight failed', 'loss skipped', 'canary skipped', 'failover-reads skipped', 'failback skipped', 'cleanup skipped']);
    assert.match(run.report!.steps[0].error ?? '', /RPO target/);
    assert.equal(run.report!.network?.closed, false);
    assert.equal((await fixture.store('weu').getSecret('unsynced-2')).properties.name, 'unsynced-2');
  });

  it('rejects network mode without consent', async () => {
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu')], mode: 'network', primaryResourceId: fixture.emulator.resourceIds.weu });
    assert.equal(run.code, 1);
    assert.match(run.host.message ?? '', /--allow-disruption/);
    assert.equal(run.report, undefined);
  });

  it('fails preflight without ARM write access', async () => {
    fixture.emulator.arm.setRoles({ [fixture.emulator.clientId]: 'Reader' });
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu')], mode: 'network', allowDisruption: true, primaryResourceId: fixture.emulator.resourceIds.weu });
    assert.equal(run.code, 2, run.host.message);
    assert.match(run.report!.steps[0].error ?? '', /Microsoft\.KeyVault\/vaults\/write/);
    assert.equal(run.report!.network?.closed, false);
  });
});
