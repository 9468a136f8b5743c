import assert from 'node:assert/strict';

import { runDrill, seedReplicated, SyncFixture } from './support';

describe('kvdr drill lock', function () {
  this.timeout(180_000);
  let fixture: SyncFixture;

  before(async () => {
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu', 'sea'] });
    await seedReplicated(fixture, 'weu', ['neu', 'sea'], 2);
  });
  after(async () => fixture?.close());

  for (const [title, secondOrder] of [
    ['same failover order', ['neu', 'sea']],
    ['reversed failover order', ['sea', 'neu']],
  ] as const) {
    it(`refuses a second drill: ${title}`, async () => {
      const inputs = (order: readonly string[]) => ({ primary: fixture.url('weu'), secondary: order.map((name) => fixture.url(name)) });
      // The second drill starts once the first holds the lock, before the first changes anything.
      let second: ReturnType<typeof runDrill> | undefined;
      const first = await runDrill(fixture, inputs(['neu', 'sea']), { onLockAcquired: () => (second = runDrill(fixture, inputs(secondOrder))) });
      const loser = await second!;
      assert.equal(first.code, 0, first.host.message);
      assert.equal(loser.code, 1, loser.host.message);
      assert.match(loser.host.message ?? '', /could not start: Another drill is in progress/);
      assert.equal(loser.report, undefined);

      const third = await runDrill(fixture, inputs(['neu', 'sea']));
      assert.equal(third.code, 0, third.host.message);
      assert.deepEqual(third.report?.recoveredRuns, []);
    });
  }

  it('refuses a drill sharing other vaults', async () => {
    // The first drill keeps its state in neu; the second touches sea and weu only. The latency
    // keeps the first drill running for seconds after the second one starts.
    await fixture.emulator.admin.setFaults('neu', { latencyMs: 800 });
    try {
      const firstInputs = { primary: fixture.url('weu'), secondary: [fixture.url('neu'), fixture.url('sea')], rpoTarget: '1h' };
      const secondInputs = { primary: fixture.url('sea'), secondary: [fixture.url('weu')], rpoTarget: '1h' };
      let second: ReturnType<typeof runDrill> | undefined;
      const first = await runDrill(fixture, firstInputs, { onLockAcquired: () => (second = runDrill(fixture, secondInputs)) });
      const loser = await second!;
      assert.equal(first.code, 0, first.host.message);
      assert.equal(loser.code, 1, loser.host.message);
      assert.match(loser.host.message ?? '', /could not start: Another drill is in progress/);
      assert.ok((loser.host.message ?? '').includes(first.report?.runId ?? 'no run id'), loser.host.message);
      assert.equal(loser.report, undefined);

      // The first drill released its lock in every vault, so the second set of vaults is free.
      const next = await runDrill(fixture, secondInputs);
      assert.equal(next.code, 0, next.host.message);
      assert.deepEqual(next.report?.recoveredRuns, []);
    } finally {
      await fixture.emulator.admin.clearFaults('neu');
    }
  });
});
