import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { LookupFunction } from 'node:net';

import { entry, SEED, SyncFixture } from './support';

/** Returns a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Fails every DNS lookup without sending a query. */
const unresolvable: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  process.nextTick(() => (callback as (error: NodeJS.ErrnoException) => void)(error));
};

describe('kvdr sync mesh and faults against the emulator', function () {
  this.timeout(180_000);
  let fixture: SyncFixture;

  afterEach(async () => {
    await fixture?.close();
  });

  it('mesh run twice creates no versions', async () => {
    fixture = await SyncFixture.start({ vaults: ['weu', 'neu', 'uks'] });
    fixture.emulator.admin.seed('weu', [{ name: 'a', value: `${SEED}a` }]);
    fixture.emulator.admin.seed('neu', [{ name: 'b', value: `${SEED}b`, tags: { t: '1' } }]);
    fixture.emulator.admin.seed('uks', [{ name: 'c', value: `${SEED}c`, contentType: 'text/plain' }]);
    const vault = ['weu', 'neu', 'uks'].map((name) => fixture.url(name));

    assert.equal((await fixture.sync({ mode: 'mesh', vault })).code, 0);
    const counts = () => ['a', 'b', 'c'].flatMap((name) => ['weu', 'neu', 'uks'].map((v) => fixture.emulator.admin.versionCount(v, name)));
    assert.deepEqual(counts(), Array(9).fill(1));

    const again = await fixture.sync({ mode: 'mesh', vault });
    assert.equal(again.code, 0);
    assert.equal(again.host.outputs.changesPresent, 'false');
    assert.deepEqual(counts(), Array(9).fill(1));
  });

  const policies = [
    { onConflict: 'newest-wins', code: 0, winner: 'neu' },
    { onConflict: 'source-wins', code: 0, winner: 'weu' },
    { onConflict: 'fail', code: 2, winner: undefined },
  ] as const;
  for (const testCase of policies) {
    it(`detects concurrent writes under ${testCase.onConflict}`, async () => {
      fixture = await SyncFixture.start({ vaults: ['weu', 'neu'] });
      const vault = [fixture.url('weu'), fixture.url('neu')];
      fixture.emulator.admin.seed('weu', [{ name: 'shared', value: `${SEED}base` }]);
      await fixture.sync({ mode: 'mesh', vault });
      // Versions are ordered by their created second, so the writes are a second apart.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await fixture.store('weu').setSecret('shared', `${SEED}weu`, {});
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await fixture.store('neu').setSecret('shared', `${SEED}neu`, {});

      const { code, report } = await fixture.sync({ mode: 'mesh', vault, onConflict: testCase.onConflict });

      assert.equal(code, testCase.code, JSON.stringify(report.entries));
      const weu = (await fixture.store('weu').getSecret('shared')).value;
      const neu = (await fixture.store('neu').getSecret('shared')).value;
      if (testCase.winner === undefined) {
        assert.equal(entry(report, 'shared', fixture.id('weu')).outcome, 'conflict');
        assert.deepEqual([weu, neu], [`${SEED}weu`, `${SEED}neu`]);
      } else {
        assert.deepEqual([weu, neu], [`${SEED}${testCase.winner}`, `${SEED}${testCase.winner}`]);
        const loser = testCase.winner === 'weu' ? 'neu' : 'weu';
        assert.equal(entry(report, 'shared', fixture.id(loser)).action, 'update');
      }
    });
  }

  for (const retryAfter of [true, false]) {
    it(`converges with 429 on every 10th request (Retry-After ${retryAfter})`, async () => {
      fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
      fixture.emulator.admin.seed('src', Array.from({ length: 30 }, (_, index) => ({ name: `s-${index}`, value: `${SEED}${index}` })));
      await fixture.emulator.admin.setFaults('src', { throttle: { every: 10, retryAfter } });
      await fixture.emulator.admin.setFaults('dst', { throttle: { every: 10, retryAfter } });

      const { code, report } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

      assert.equal(code, 0, JSON.stringify(report.entries.filter((item) => item.outcome !== 'converged')));
      assert.ok(report.vaults.some((vault) => vault.throttledResponses > 0), 'throttling is reported');
      await fixture.emulator.admin.clearFaults('dst');
      assert.equal((await fixture.store('dst').getSecret('s-29')).value, `${SEED}29`);
    });
  }

  it('converges with 10 % seeded 5xx', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    fixture.emulator.admin.seed('src', Array.from({ length: 40 }, (_, index) => ({ name: `s-${index}`, value: `${SEED}${index}` })));
    await fixture.emulator.admin.setFaults('src', { failureRate: 0.1, seed: 7, failureStatus: 503 });
    await fixture.emulator.admin.setFaults('dst', { failureRate: 0.1, seed: 11 });

    const { code } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0);
    await fixture.emulator.admin.clearFaults('dst');
    for (let index = 0; index < 40; index += 1) assert.equal(fixture.emulator.admin.versionCount('dst', `s-${index}`), 1);
  });

  it('one target down: the other converges, exit 2', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'up', 'down'] });
    fixture.emulator.admin.seed('src', [{ name: 's', value: `${SEED}s` }]);
    await fixture.emulator.admin.setFaults('down', { outage: true });

    const { code, host, report } = await fixture.sync({ source: fixture.url('src'), target: [fixture.url('up'), fixture.url('down')] });

    assert.equal(code, 2);
    assert.match(host.message ?? '', new RegExp(fixture.id('down').replace(/\./g, '\\.')));
    assert.equal(entry(report, 's', fixture.id('up')).outcome, 'converged');
    assert.equal(entry(report, 's', fixture.id('down')).outcome, 'failed');
    assert.equal(fixture.emulator.admin.versionCount('up', 's'), 1);
  });

  it('fails fast on a closed port', async () => {
    fixture = await SyncFixture.start({ vaults: ['dst'] });
    const started = Date.now();
    const { code, host } = await fixture.sync({ source: `https://127.0.0.1:${await closedPort()}/`, target: fixture.url('dst') });
    assert.equal(code, 1);
    assert.match(host.message ?? '', /127\.0\.0\.1/);
    assert.ok(Date.now() - started < 60_000, 'fails in well under a minute');
  });

  it('fails fast on an unresolvable vault name', async () => {
    fixture = await SyncFixture.start({ vaults: ['dst'] });
    const { code, host } = await fixture.sync({ source: 'kv-does-not-exist', target: fixture.url('dst') }, { lookup: unresolvable });
    assert.equal(code, 1);
    assert.match(host.message ?? '', /kv-does-not-exist/);
  });
});
