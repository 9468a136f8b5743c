import assert from 'node:assert/strict';

import { EngineError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { formatOrigin, ORIGIN_TAG, parseOrigin } from '../../../src/core/sync/lineage';
import { current, pair, policy, requests, summary, sync, TestClock, vaults } from './fixtures';

describe('one-way sync planner', () => {
  let clock: TestClock;
  beforeEach(() => {
    clock = new TestClock();
  });

  it('creates missing secrets with lineage and exact properties', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    const seeded = source.seed('App-Db', 'SEEDVALUE-db', { contentType: 'text/plain', tags: { env: 'prod' }, expiresOn: 1_900_000_000, notBefore: 1_700_000_000 });

    const result = await sync([source, target], policy());

    assert.equal(pair(result, 'app-db', 'kv-dst').action.kind, 'create');
    assert.equal(pair(result, 'app-db', 'kv-dst').outcome, 'converged');
    const copy = await target.getSecret('app-db');
    assert.equal(copy.value, 'SEEDVALUE-db');
    assert.equal(copy.properties.name, 'App-Db');
    assert.equal(copy.properties.contentType, 'text/plain');
    assert.equal(copy.properties.expiresOn, 1_900_000_000);
    assert.equal(copy.properties.notBefore, 1_700_000_000);
    assert.equal(copy.properties.tags.env, 'prod');
    assert.equal(copy.properties.tags[ORIGIN_TAG], formatOrigin({ vaultId: 'kv-src', version: seeded.version, createdOn: seeded.createdOn }));
  });

  it('re-run writes and reads nothing', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    for (let index = 0; index < 30; index += 1) source.seed(`s${index}`, `SEEDVALUE-${index}`);
    await sync([source, target], policy());
    source.resetStats();
    target.resetStats();

    const again = await sync([source, target], policy());

    assert.equal(again.changesPresent, false);
    assert.ok(again.results.every((item) => item.action.kind === 'in-sync'));
    assert.equal(requests(source, 'getSecret'), 0);
    assert.equal(requests(target, 'setSecret'), 0);
    assert.equal(requests(target, 'listDeletedSecrets'), 0);
    assert.equal(target.versionCount('s0'), 1);
    assert.deepEqual(again.valuesRead, []);
  });

  it('reads each value once for several targets', async () => {
    const [source, first, second] = vaults(clock, 'kv-src', 'kv-a', 'kv-b');
    for (let index = 0; index < 10; index += 1) source.seed(`s${index}`, `SEEDVALUE-${index}`);

    await sync([source, first, second], policy());

    assert.equal(requests(source, 'getSecret'), 10);
    assert.equal(requests(first, 'setSecret'), 10);
    assert.equal(requests(second, 'setSecret'), 10);
  });

  it('updates a stale replica', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1');
    await sync([source, target], policy());
    clock.advance();
    await source.setSecret('s', 'SEEDVALUE-2', {});

    const result = await sync([source, target], policy({ onConflict: 'fail' }));

    assert.equal(pair(result, 's', 'kv-dst').action.kind, 'update');
    assert.equal((await target.getSecret('s')).value, 'SEEDVALUE-2');
  });

  it('propagates a tags-only edit and a disable without a new version', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1', { tags: { a: '1' } });
    await sync([source, target], policy());
    clock.advance();
    await source.updateSecretProperties('s', '', { tags: { a: '2' }, enabled: false });

    const result = await sync([source, target], policy());

    assert.equal(pair(result, 's', 'kv-dst').action.kind, 'update-properties');
    const copy = await current(target, 's');
    assert.equal(copy?.tags.a, '2');
    assert.equal(copy?.enabled, false);
    assert.ok(copy?.tags[ORIGIN_TAG], 'lineage kept');
    assert.equal(target.versionCount('s'), 1);
    assert.deepEqual(result.valuesRead, []);
  });

  it('writes a new version when an expiry is removed', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1', { expiresOn: 1_900_000_000 });
    await sync([source, target], policy());
    clock.advance();
    await source.setSecret('s', 'SEEDVALUE-1', {});
    const result = await sync([source, target], policy());
    assert.equal(pair(result, 's', 'kv-dst').action.kind, 'update');
    assert.equal((await current(target, 's'))?.expiresOn, undefined);
  });

  it('skips a disabled source secret without replica', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('off', 'SEEDVALUE-off', { enabled: false });
    source.seed('on', 'SEEDVALUE-on');

    const result = await sync([source, target], policy());

    assert.equal(pair(result, 'off', 'kv-dst').action.kind, 'skip');
    assert.equal(pair(result, 'off', 'kv-dst').action.reason, 'disabled-in-source');
    assert.equal(pair(result, 'on', 'kv-dst').outcome, 'converged');
    assert.ok(!result.valuesRead.includes('SEEDVALUE-off'));
  });

  it('mirrors a disabled source onto a stale replica', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1');
    await sync([source, target], policy());
    clock.advance();
    await source.setSecret('s', 'SEEDVALUE-2', { enabled: false });

    const result = await sync([source, target], policy());

    const item = pair(result, 's', 'kv-dst');
    assert.equal(item.action.kind, 'update-properties');
    assert.equal(item.action.enabledOnly, true);
    assert.equal((await current(target, 's'))?.enabled, false);
  });

  it('recovers a soft-deleted target name', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1');
    target.seed('s', 'SEEDVALUE-old');
    await target.deleteSecret('s');

    const result = await sync([source, target], policy());

    assert.equal(pair(result, 's', 'kv-dst').action.kind, 'recover-then-update');
    assert.equal(pair(result, 's', 'kv-dst').outcome, 'converged');
    assert.equal((await target.getSecret('s')).value, 'SEEDVALUE-1');
  });

  it('leaves a soft-deleted name under fail', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1');
    target.seed('s', 'SEEDVALUE-old');
    await target.deleteSecret('s');

    const result = await sync([source, target], policy({ onSoftDeleted: 'fail' }));

    assert.equal(pair(result, 's', 'kv-dst').outcome, 'conflict');
    assert.ok(target.isDeleted('s'));
  });

  it('waits out a transient 409 after recover', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1');
    target.seed('s', 'SEEDVALUE-old');
    await target.deleteSecret('s');
    target.injectFailure({ code: 'being-recovered', operation: 'setSecret', times: 2, statusCode: 409 });

    const result = await sync([source, target], policy());

    assert.equal(pair(result, 's', 'kv-dst').outcome, 'converged');
    assert.equal((await target.getSecret('s')).value, 'SEEDVALUE-1');
  });

  for (const deletes of ['none', 'soft-delete'] as const) {
    it(`handles a source delete under deletes ${deletes}`, async () => {
      const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
      source.seed('gone', 'SEEDVALUE-gone');
      await sync([source, target], policy());
      await source.deleteSecret('gone');

      const result = await sync([source, target], policy({ deletes }));

      const item = pair(result, 'gone', 'kv-dst');
      assert.equal(item.action.kind, deletes === 'none' ? 'skip' : 'delete');
      assert.equal(target.isDeleted('gone'), deletes === 'soft-delete');
      assert.equal(target.versionCount('gone'), 1, 'never purged');
    });
  }

  for (const prune of [false, true]) {
    it(`handles a never-replicated target secret with prune ${prune}`, async () => {
      const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
      target.seed('local', 'SEEDVALUE-local');

      const result = await sync([source, target], policy({ prune, deletes: 'soft-delete' }));

      assert.equal(pair(result, 'local', 'kv-dst').action.kind, prune ? 'delete' : 'skip');
      assert.equal(target.isDeleted('local'), prune);
    });
  }

  const conflictCases = [
    { onConflict: 'source-wins', sourceNewer: false, kind: 'update', outcome: 'converged' },
    { onConflict: 'fail', sourceNewer: true, kind: 'conflict', outcome: 'conflict' },
    { onConflict: 'newest-wins', sourceNewer: true, kind: 'update', outcome: 'converged' },
    { onConflict: 'newest-wins', sourceNewer: false, kind: 'conflict', outcome: 'conflict' },
  ] as const;
  for (const testCase of conflictCases) {
    it(`resolves a target write under ${testCase.onConflict} (source newer: ${testCase.sourceNewer})`, async () => {
      const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
      source.seed('s', 'SEEDVALUE-1');
      await sync([source, target], policy());
      const sourceTime = clock.now + (testCase.sourceNewer ? 20 : 10);
      const targetTime = clock.now + (testCase.sourceNewer ? 10 : 20);
      source.seed('s', 'SEEDVALUE-source', { createdOn: sourceTime });
      target.seed('s', 'SEEDVALUE-target', { createdOn: targetTime });

      const result = await sync([source, target], policy({ onConflict: testCase.onConflict }));

      const item = pair(result, 's', 'kv-dst');
      assert.equal(item.action.kind, testCase.kind);
      assert.equal(item.outcome, testCase.outcome);
      const expected = testCase.kind === 'update' ? 'SEEDVALUE-source' : 'SEEDVALUE-target';
      assert.equal((await target.getSecret('s')).value, expected);
      if (testCase.kind === 'update') assert.equal(item.action.resolvesConflict, true);
    });
  }

  it('skips certificate-backed secrets on either side', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('cert', 'SEEDVALUE-cert', { managed: true });
    source.seed('plain', 'SEEDVALUE-plain');
    target.seed('plain', 'SEEDVALUE-other', { managed: true });

    const result = await sync([source, target], policy());

    assert.equal(pair(result, 'cert', 'kv-dst').action.reason, 'certificate-backed');
    assert.equal(pair(result, 'plain', 'kv-dst').action.reason, 'certificate-backed');
    assert.equal(target.versionCount('cert'), 0);
    assert.deepEqual(result.valuesRead, []);
  });

  it('copies a secret with 15 tags without lineage', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, `${index}`]));
    source.seed('full', 'SEEDVALUE-full', { tags });

    const first = await sync([source, target], policy());
    assert.equal(pair(first, 'full', 'kv-dst').action.kind, 'create');
    assert.ok(pair(first, 'full', 'kv-dst').action.warning);
    assert.equal((await current(target, 'full'))?.tags[ORIGIN_TAG], undefined);

    const second = await sync([source, target], policy());
    assert.equal(pair(second, 'full', 'kv-dst').action.kind, 'in-sync');
    assert.equal(target.versionCount('full'), 1);

    await source.setSecret('full', 'SEEDVALUE-full-2', { tags });
    const third = await sync([source, target], policy());
    assert.equal(pair(third, 'full', 'kv-dst').action.kind, 'update');
    assert.equal((await target.getSecret('full')).value, 'SEEDVALUE-full-2');
  });

  it('adds lineage once a 15-tag source drops a tag', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    const tags = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`t${index}`, `${index}`]));
    const seeded = source.seed('full', 'SEEDVALUE-full', { tags });
    await sync([source, target], policy({ onConflict: 'fail' }));

    const { t0: _dropped, ...fourteen } = tags;
    await source.updateSecretProperties('full', seeded.version, { tags: fourteen });
    const second = await sync([source, target], policy({ onConflict: 'fail' }));
    assert.equal(pair(second, 'full', 'kv-dst').outcome, 'converged');
    assert.equal(pair(second, 'full', 'kv-dst').action.resolvesConflict, undefined);
    assert.equal((await current(target, 'full'))?.tags[ORIGIN_TAG], formatOrigin({ vaultId: 'kv-src', version: seeded.version, createdOn: seeded.createdOn }));

    const third = await sync([source, target], policy({ onConflict: 'fail' }));
    assert.equal(third.changesPresent, false);
    assert.equal(pair(third, 'full', 'kv-dst').action.kind, 'in-sync');
  });

  it('applies name, tag and content type filters', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('app-a', 'SEEDVALUE-a', { tags: { env: 'prod' }, contentType: 'text/plain' });
    source.seed('app-b', 'SEEDVALUE-b', { tags: { env: 'dev' }, contentType: 'text/plain' });
    source.seed('app-c', 'SEEDVALUE-c', { tags: { env: 'prod' }, contentType: 'application/json' });
    source.seed('app-skip', 'SEEDVALUE-skip', { tags: { env: 'prod' }, contentType: 'text/plain' });
    source.seed('db-a', 'SEEDVALUE-db', { tags: { env: 'prod' }, contentType: 'text/plain' });
    source.seed('kvdr-drill-state', 'SEEDVALUE-state');

    const result = await sync(
      [source, target],
      policy({ filter: { include: ['APP-*'], exclude: ['*-skip'], tags: ['env=prod'], contentTypes: ['Text/Plain'] } }),
    );

    assert.deepEqual(summary(result), [
      'app-a@kv-dst create converged',
      'app-b@kv-dst skip skipped',
      'app-c@kv-dst skip skipped',
      'app-skip@kv-dst skip skipped',
      'db-a@kv-dst skip skipped',
      'kvdr-drill-state@kv-dst skip skipped',
    ]);
    assert.equal(pair(result, 'app-b', 'kv-dst').action.reason, 'excluded-by-tag');
    assert.equal(pair(result, 'app-c', 'kv-dst').action.reason, 'excluded-by-content-type');
    assert.equal(pair(result, 'kvdr-drill-state', 'kv-dst').action.reason, 'bookkeeping');
  });

  it('matches names across vaults case-insensitively', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('MySecret', 'SEEDVALUE-1');
    await sync([source, target], policy());
    await source.updateSecretProperties('mysecret', '', { tags: { a: '1' } });

    const result = await sync([source, target], policy());

    assert.equal(result.results.length, 1);
    assert.equal(pair(result, 'mysecret', 'kv-dst').action.kind, 'update-properties');
    assert.equal(target.versionCount('MYSECRET'), 1);
  });

  it('keeps the original origin through a chain', async () => {
    const [first, second, third] = vaults(clock, 'kv-a', 'kv-b', 'kv-c');
    const seeded = first.seed('s', 'SEEDVALUE-1');
    await sync([first, second], policy());
    await sync([second, third], policy());

    const origin = parseOrigin((await current(third, 's'))?.tags[ORIGIN_TAG]);
    assert.deepEqual(origin, { vaultId: 'kv-a', version: seeded.version, createdOn: seeded.createdOn });
    const back = await sync([third, first], policy({ onConflict: 'fail' }));
    assert.equal(pair(back, 's', 'kv-a').action.kind, 'in-sync');
  });

  it('fails back without a conflict after a write in the secondary', async () => {
    const [primary, secondary] = vaults(clock, 'kv-a', 'kv-b');
    primary.seed('s', 'SEEDVALUE-1');
    await sync([primary, secondary], policy());
    clock.advance();
    await secondary.setSecret('s', 'SEEDVALUE-2', {});

    const result = await sync([secondary, primary], policy({ onConflict: 'fail' }));

    assert.equal(pair(result, 's', 'kv-a').action.kind, 'update');
    assert.equal((await primary.getSecret('s')).value, 'SEEDVALUE-2');
    assert.equal(requests(secondary, 'listVersions'), 1);
  });

  it('fails the pairs of an unreachable target only', async () => {
    const [source, down, up] = vaults(clock, 'kv-src', 'kv-down', 'kv-up');
    source.seed('s', 'SEEDVALUE-1');
    down.injectFailure({ code: 'unavailable', times: Infinity });

    const result = await sync([source, down, up], policy());

    assert.equal(pair(result, 's', 'kv-up').outcome, 'converged');
    assert.equal(pair(result, 's', 'kv-down').outcome, 'failed');
    assert.ok(result.unreachable.has('kv-down'));
  });

  it('throws when the source is unreachable', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.injectFailure({ code: 'unavailable', times: Infinity });
    await assert.rejects(sync([source, target], policy()), (error: Error & { code?: string }) => error.code === 'unavailable');
    assert.equal(requests(target, 'setSecret'), 0);
  });

  it('throws when no target can be listed', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('app', 'SEEDVALUE-app');
    target.injectFailure({ code: 'unavailable', times: Infinity });
    await assert.rejects(sync([source, target], policy()), (error: Error & { code?: string }) => error.code === 'unavailable');
  });

  it('warns of copies made before a listing failure', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    for (let index = 0; index < 60; index += 1) source.seed(`app-${String(index).padStart(2, '0')}`, `SEEDVALUE-${index}`);
    const listSecrets = source.listSecrets.bind(source);
    source.listSecrets = async function* (options) {
      let listed = 0;
      for await (const record of listSecrets(options)) {
        if (listed === 50) throw new EngineError('unavailable', 'Vault kv-src is unavailable for listSecrets.');
        listed += 1;
        yield record;
      }
    };
    const warnings: string[] = [];
    const logger = { ...silentLogger, warning: (message: string) => warnings.push(message) };

    await assert.rejects(sync([source, target], policy(), { logger }), (error: Error & { code?: string }) => error.code === 'unavailable');

    const written = requests(target, 'setSecret');
    assert.ok(written > 0, 'early copies were written');
    assert.ok(
      warnings.some((message) => message.includes(`${written} pair(s) were applied`)),
      `a warning counts the ${written} applied pairs: ${warnings.join(' | ')}`,
    );
  });

  it('plans without writing under dry run', async () => {
    const [source, target] = vaults(clock, 'kv-src', 'kv-dst');
    source.seed('s', 'SEEDVALUE-1');
    const result = await sync([source, target], policy(), { dryRun: true });
    assert.equal(result.changesPresent, true);
    assert.equal(pair(result, 's', 'kv-dst').outcome, 'planned');
    assert.equal(target.versionCount('s'), 0);
    assert.equal(requests(source, 'getSecret'), 0);
  });
});
