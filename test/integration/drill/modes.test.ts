import assert from 'node:assert/strict';

import { DRILL_STATE_SECRET } from '../../../src/core/drill';
import { runDrift } from '../drift/support';
import { runDrill, seedReplicated, stepLines, SyncFixture } from './support';

const ALL_PASSED = ['preflight passed', 'loss passed', 'canary passed', 'failover-reads passed', 'failback passed', 'cleanup passed'];

describe('kvdr drill on the emulator', function () {
  this.timeout(180_000);
  let fixture: SyncFixture;

  before(async () => {
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu', 'sea'], purgeProtection: ['sea'] });
    await seedReplicated(fixture, 'weu', ['neu', 'sea'], 5);
  });
  after(async () => fixture?.close());

  it('logical mode passes every step', async () => {
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu'), fixture.url('sea')], mode: 'logical' });
    assert.deepEqual(stepLines(run.report), ALL_PASSED);
    assert.equal(run.code, 0, run.host.message);
    const report = run.report!;
    assert.equal(report.passed, true);
    assert.equal(report.rpo?.count, 0);
    assert.equal(report.rto.firstWriteIn, fixture.id('neu'));
    assert.notEqual(report.rto.measuredInMs, undefined);
    assert.ok((report.rto.measuredInMs ?? Infinity) < 60_000, `RTO ${report.rto.measuredInMs} ms`);
    assert.equal(report.network, undefined);
    assert.deepEqual(report.reads.map((read) => read.servedBy), [fixture.id('neu'), fixture.id('sea')]);
    assert.match(report.reads[0].attempts[0].outcome, /treated as lost/);
    assert.match(run.markdown, /### Timeline/);
    assert.match(run.junit, /<testcase [^>]*name="RTO within target" time="[\d.]+"\/>/);
  });

  it('removes canaries and purges where allowed', async () => {
    const run = await runDrill(fixture, { primary: fixture.url('weu'), secondary: [fixture.url('neu'), fixture.url('sea')] });
    assert.equal(run.code, 0, run.host.message);
    for (const canary of run.report!.canaries) {
      assert.deepEqual(canary.deletedFrom, [fixture.id('weu'), fixture.id('neu'), fixture.id('sea')].sort());
      assert.deepEqual(canary.purgedFrom, [fixture.id('weu'), fixture.id('neu')].sort());
      for (const vault of ['weu', 'neu', 'sea']) {
        const names = [];
        for await (const record of fixture.store(vault).listSecrets()) names.push(record.name);
        assert.ok(!names.includes(canary.name), `${canary.name} is still in ${vault}`);
      }
    }
  });

  it('network mode closes and restores the primary', async () => {
    const resourceId = fixture.emulator.resourceIds.weu;
    const run = await runDrill(fixture, {
      primary: fixture.url('weu'),
      secondary: [fixture.url('neu'), fixture.url('sea')],
      mode: 'network',
      allowDisruption: true,
      primaryResourceId: resourceId,
    });
    assert.deepEqual(stepLines(run.report), ALL_PASSED);
    assert.equal(run.code, 0, run.host.message);
    const report = run.report!;
    assert.equal(report.network?.closed, true);
    assert.equal(report.network?.restored, true);
    assert.equal(report.network?.original.publicNetworkAccess, 'Enabled');
    assert.equal(report.reads[0].attempts[0].outcome, 'forbidden-by-firewall');
    const probe = await fixture.store('weu').getSecret('app-secret-1');
    assert.ok(probe.value.length > 0);
  });

  it('keeps its state out of sync and drift', async () => {
    const sync = await fixture.sync({ mode: 'mesh', vault: [fixture.url('weu'), fixture.url('neu'), fixture.url('sea')] });
    assert.equal(sync.code, 0);
    const touched = sync.report.entries.filter((entry) => entry.secret === DRILL_STATE_SECRET && entry.outcome !== 'skipped');
    assert.deepEqual(touched, []);

    const drift = await runDrift(fixture, { vault: [fixture.url('weu'), fixture.url('neu'), fixture.url('sea')] });
    assert.equal(drift.code, 0, drift.host.message);
    assert.equal(drift.report.driftCount, 0);
    const drifted = drift.report.entries.filter((entry) => entry.secret === DRILL_STATE_SECRET && entry.outcome === 'drift');
    assert.deepEqual(drifted, []);
  });
});
