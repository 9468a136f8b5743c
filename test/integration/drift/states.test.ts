/**
 * Every drift state produced on the emulator through the real SDK and found by `kvdr drift`, and
 * the promise that a sync that exited 0 leaves no drift behind.
 */
import assert from 'node:assert/strict';

import { SEED, SyncFixture } from '../sync/support';
import { driftLines, runDrift, stateOf } from './support';

const HOUR_AGO = Math.floor(Date.now() / 1000) - 3600;
const LIST_OPERATIONS = new Set(['listSecrets', 'listVersions', 'listDeletedSecrets']);

function seeded(name: string, extra: Record<string, unknown> = {}) {
  return { name, value: `${SEED}${name}`, createdOn: HOUR_AGO, ...extra };
}

describe('kvdr drift against the emulator', function () {
  this.timeout(180_000);
  let fixture: SyncFixture;

  afterEach(async () => {
    await fixture?.close();
  });

  it('finds every state with a source', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    fixture.emulator.admin.seed('src', [
      seeded('unchanged', { tags: { team: 'a' } }),
      seeded('rotated'),
      seeded('edited-in-target'),
      seeded('retagged', { tags: { team: 'a' } }),
      seeded('deleted-in-target'),
      seeded('copied-tag'),
      seeded('disabled-source', { enabled: false }),
      seeded('kvdr-drill-state'),
      seeded('cert-backed', { managed: true }),
      seeded('skip-me'),
    ]);
    const vaults = { source: fixture.url('src'), vault: [fixture.url('dst')], exclude: 'skip-*' };
    const dst = fixture.id('dst');
    const synced = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst'), exclude: 'skip-*' });
    assert.equal(synced.code, 0, synced.host.transcript);

    const clean = await runDrift(fixture, vaults);
    assert.equal(clean.code, 0, clean.host.transcript);
    assert.deepEqual(driftLines(clean.report), []);
    assert.equal(clean.host.outputs.driftDetected, 'false');
    assert.equal(stateOf(clean.report, 'unchanged', dst), 'in-sync');
    assert.equal(stateOf(clean.report, 'disabled-source', dst), 'unverifiable');
    for (const name of ['kvdr-drill-state', 'cert-backed', 'skip-me']) assert.equal(stateOf(clean.report, name, dst), 'excluded', name);

    const source = fixture.store('src');
    const target = fixture.store('dst');
    await source.setSecret('new-in-source', `${SEED}new`, {});
    await target.setSecret('only-in-target', `${SEED}only`, {});
    await source.setSecret('rotated', `${SEED}rotated-2`, {});
    await target.setSecret('edited-in-target', `${SEED}local`, {});
    const retagged = (await target.getSecret('retagged')).properties;
    await target.updateSecretProperties('retagged', retagged.version, { tags: { ...retagged.tags, team: 'b' } });
    await target.deleteSecret('deleted-in-target');
    // A value edited in the replica with its kvdr-origin tag copied: only --deep can see it.
    const copied = (await target.getSecret('copied-tag')).properties;
    await target.setSecret('copied-tag', `${SEED}tampered`, { tags: copied.tags });
    fixture.emulator.admin.resetStats('src');
    fixture.emulator.admin.resetStats('dst');

    const drifted = await runDrift(fixture, vaults);
    assert.equal(drifted.code, 2, drifted.host.transcript);
    assert.equal(drifted.host.result, 'failed');
    assert.deepEqual(driftLines(drifted.report), [
      `diverged edited-in-target ${dst}`,
      `missing new-in-source ${dst}`,
      `properties-differ retagged ${dst}`,
      `soft-deleted-in-target deleted-in-target ${dst}`,
      `stale rotated ${dst}`,
    ]);
    assert.equal(stateOf(drifted.report, 'only-in-target', dst), 'extra');
    assert.equal(stateOf(drifted.report, 'copied-tag', dst), 'in-sync');
    assert.equal(drifted.host.outputs.driftDetected, 'true');
    assert.equal(drifted.host.outputs.driftCount, '5');
    for (const vault of drifted.report.vaults) {
      const operations = Object.keys(vault.requestsByOperation).filter((operation) => !LIST_OPERATIONS.has(operation));
      assert.deepEqual(operations, [], `${vault.vaultId} made calls other than lists`);
    }
    assert.match(drifted.junit, new RegExp(`<testcase classname="${dst.replace(/\./g, '\\.')}" name="rotated" time="0">\\s*<failure type="drift"`));
    assert.match(drifted.markdown, new RegExp(`\\| stale \\| ${dst.replace(/\./g, '\\.')} \\| 1 \\| \`rotated\` \\|`));

    const deep = await runDrift(fixture, { ...vaults, deep: true });
    assert.equal(stateOf(deep.report, 'copied-tag', dst), 'value-differs');
    assert.equal(stateOf(deep.report, 'unchanged', dst), 'in-sync');
    assert.equal(deep.report.driftCount, 6);

    const pruned = await runDrift(fixture, { ...vaults, prune: true });
    assert.ok(driftLines(pruned.report).includes(`extra only-in-target ${dst}`));
  });

  it('follows --on-drift', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    fixture.emulator.admin.seed('src', [seeded('only-in-source')]);
    const vaults = { source: fixture.url('src'), vault: fixture.url('dst') };

    const warned = await runDrift(fixture, { ...vaults, onDrift: 'warn' });
    assert.equal(warned.code, 0);
    assert.equal(warned.host.result, 'partial');
    assert.equal(warned.host.outputs.driftDetected, 'true');

    const ignored = await runDrift(fixture, { ...vaults, onDrift: 'ignore' });
    assert.equal(ignored.code, 0);
    assert.equal(ignored.host.result, 'succeeded');
    assert.equal(ignored.host.outputs.driftCount, '1');
  });

  it('finds mesh drift and none after a mesh sync', async () => {
    fixture = await SyncFixture.start({ vaults: ['kv-a', 'kv-b', 'kv-c'] });
    fixture.emulator.admin.seed('kv-a', [seeded('shared'), seeded('conflicted'), seeded('app-skipped')]);
    const mesh = { vault: ['kv-a', 'kv-b', 'kv-c'].map((name) => fixture.url(name)), include: ['shared', 'conflicted', 'new-*'] };
    const synced = await fixture.sync({ mode: 'mesh', ...mesh });
    assert.equal(synced.code, 0, synced.host.transcript);
    const clean = await runDrift(fixture, mesh);
    assert.equal(clean.code, 0, clean.host.transcript);
    assert.deepEqual(driftLines(clean.report), []);
    assert.equal(stateOf(clean.report, 'app-skipped', fixture.id('kv-a')), 'excluded');

    const [a, b, c] = ['kv-a', 'kv-b', 'kv-c'].map((name) => fixture.store(name));
    await b.setSecret('shared', `${SEED}shared-2`, {});
    await a.setSecret('conflicted', `${SEED}from-a`, {});
    await c.setSecret('conflicted', `${SEED}from-c`, {});
    await a.setSecret('new-in-a', `${SEED}new`, {});

    const drifted = await runDrift(fixture, mesh);
    assert.equal(drifted.code, 2);
    const [idA, idB, idC] = ['kv-a', 'kv-b', 'kv-c'].map((name) => fixture.id(name));
    assert.equal(stateOf(drifted.report, 'shared', idA), 'stale');
    assert.equal(stateOf(drifted.report, 'shared', idB), 'in-sync');
    assert.equal(stateOf(drifted.report, 'shared', idC), 'stale');
    for (const id of [idA, idB, idC]) assert.equal(stateOf(drifted.report, 'conflicted', id), 'diverged', id);
    assert.equal(stateOf(drifted.report, 'new-in-a', idA), 'in-sync');
    assert.equal(stateOf(drifted.report, 'new-in-a', idB), 'missing');
    assert.equal(stateOf(drifted.report, 'new-in-a', idC), 'missing');
  });

  it('fails when a vault cannot be listed', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst', 'down'] });
    fixture.emulator.admin.seed('src', [seeded('one')]);
    await fixture.emulator.admin.setFaults('down', { outage: true });

    const run = await runDrift(fixture, { source: fixture.url('src'), vault: [fixture.url('dst'), fixture.url('down')], callTimeout: '5s', timeout: '2m' });

    assert.equal(run.code, 1);
    assert.equal(run.host.result, 'failed');
    assert.equal(stateOf(run.report, 'one', fixture.id('dst')), 'missing');
    assert.ok(run.report.vaults.find((vault) => vault.vaultId === fixture.id('down'))?.error, 'the unreachable vault carries its error');
    assert.match(run.junit, new RegExp(`<testcase classname="${fixture.id('down').replace(/\./g, '\\.')}" name="list secrets" time="0">\\s*<failure type="failed"`));
  });
});
