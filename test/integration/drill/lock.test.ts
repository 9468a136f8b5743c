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
});
