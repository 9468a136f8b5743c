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
    it(`lets one of two drills run: ${title}`, async () => {
      const inputs = (order: readonly string[]) => ({ primary: fixture.url('weu'), secondary: order.map((name) => fixture.url(name)) });
      const [first, second] = await Promise.all([
        runDrill(fixture, inputs(['neu', 'sea']), { lockSettleInMs: 1500 }),
        runDrill(fixture, inputs(secondOrder), { lockSettleInMs: 1500 }),
      ]);
      const codes = [first.code, second.code].sort();
      assert.deepEqual(codes, [0, 1], `${first.host.message}\n${second.host.message}`);
      const loser = first.code === 1 ? first : second;
      assert.match(loser.host.message ?? '', /could not start: Another drill is in progress/);
      assert.equal(loser.report, undefined);

      const third = await runDrill(fixture, inputs(['neu', 'sea']));
      assert.equal(third.code, 0, third.host.message);
      assert.deepEqual(third.report?.recoveredRuns, []);
    });
  }
});
