import assert from 'node:assert/strict';

import { ORIGIN_TAG } from '../../../src/core/sync/lineage';
import { entry, SEED, SyncFixture } from './support';

const PEM = `-----BEGIN CERTIFICATE-----\r\nMIIBszCCAVmgAwIBAgIUQ${SEED}pem\r\nAAECAwQFBgcICQoLDA0ODw==\r\n-----END CERTIFICATE-----\r\n`;
const EXACT_VALUES: Record<string, string> = {
  'semicolon-escaped': `${SEED}a%3Bb`,
  'newline-escaped': `${SEED}x%0Ay`,
  percent: `${SEED}50%off`,
  'query-string': `${SEED}k=1&v=2`,
  'pem-crlf': PEM,
  'non-ascii': `${SEED}Grüße, 東京, emoji 🔑, ñ`,
  'max-size': SEED + 'x'.repeat(25_600 - SEED.length),
};

describe('kvdr sync one-way against the emulator', function () {
  this.timeout(120_000);
  let fixture: SyncFixture;

  afterEach(async () => {
    await fixture?.close();
  });

  it('copies byte-exact values and properties', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    const source = fixture.store('src');
    for (const [name, value] of Object.entries(EXACT_VALUES)) await source.setSecret(name, value, {});
    await source.setSecret('props', `${SEED}props`, { contentType: 'application/json', tags: { env: 'prod', 'owner name': 'Team A' }, expiresOn: 1_900_000_000, notBefore: 1_700_000_000 });

    const { code } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0);
    const target = fixture.store('dst');
    for (const [name, value] of Object.entries(EXACT_VALUES)) {
      const copy = await target.getSecret(name);
      assert.equal(Buffer.compare(Buffer.from(copy.value, 'utf8'), Buffer.from(value, 'utf8')), 0, `${name} differs`);
    }
    assert.equal(Buffer.byteLength((await target.getSecret('max-size')).value, 'utf8'), 25_600);
    const props = (await target.getSecret('props')).properties;
    assert.equal(props.contentType, 'application/json');
    assert.equal(props.expiresOn, 1_900_000_000);
    assert.equal(props.notBefore, 1_700_000_000);
    assert.equal(props.tags.env, 'prod');
    assert.equal(props.tags['owner name'], 'Team A');
    assert.match(props.tags[ORIGIN_TAG], new RegExp(`^${fixture.id('src').replace(/\./g, '\\.')}/[0-9a-f]{32}/\\d+$`));
  });

  it('re-run writes and reads nothing', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    fixture.emulator.admin.seed('src', Array.from({ length: 60 }, (_, index) => ({ name: `s-${index}`, value: `${SEED}${index}`, tags: { n: String(index) } })));
    assert.equal((await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') })).code, 0);
    fixture.emulator.admin.resetStats('src');
    fixture.emulator.admin.resetStats('dst');

    const { code, host } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0);
    assert.equal(host.outputs.changesPresent, 'false');
    for (const vault of ['src', 'dst']) {
      const stats = fixture.emulator.admin.stats(vault).byOperation;
      assert.equal(stats.getSecrets, 3, '60 secrets in three pages of 25');
      assert.equal(stats.getSecret ?? 0, 0);
      assert.equal(stats.setSecret ?? 0, 0);
    }
    assert.equal(fixture.emulator.admin.versionCount('dst', 's-0'), 1);
  });

  it('recovers a soft-deleted target name, or fails it', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'], transientConflict: { requests: 2 } });
    fixture.emulator.admin.seed('src', [{ name: 'old-name', value: `${SEED}new` }, { name: 'other', value: `${SEED}other` }]);
    fixture.emulator.admin.seed('dst', [{ name: 'old-name', value: `${SEED}old` }]);
    await fixture.store('dst').deleteSecret('old-name');

    const failing = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst'), onSoftDeleted: 'fail' });
    assert.equal(failing.code, 2);
    assert.equal(entry(failing.report, 'old-name', fixture.id('dst')).outcome, 'conflict', JSON.stringify(failing.report.entries));
    assert.equal(entry(failing.report, 'other', fixture.id('dst')).outcome, 'converged');

    const recovering = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });
    assert.equal(recovering.code, 0);
    assert.equal(entry(recovering.report, 'old-name', fixture.id('dst')).action, 'recover-then-update');
    assert.equal((await fixture.store('dst').getSecret('old-name')).value, `${SEED}new`);
  });

  it('waits out a transient 409 after a purge', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'], transientConflict: { requests: 3 } });
    fixture.emulator.admin.seed('src', [{ name: 'purged', value: `${SEED}v` }]);
    fixture.emulator.admin.seed('dst', [{ name: 'purged', value: `${SEED}old` }]);
    const target = fixture.store('dst');
    await target.deleteSecret('purged');
    for (let attempt = 0; ; attempt += 1) {
      try {
        await target.purgeDeletedSecret('purged');
        break;
      } catch (error) {
        if (attempt > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    const { code, report } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0, JSON.stringify(report.entries));
    assert.equal((await target.getSecret('purged')).value, `${SEED}v`);
  });

  it('skips disabled and certificate-backed secrets and exits 0', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    fixture.emulator.admin.seed('src', [
      ...Array.from({ length: 5 }, (_, index) => ({ name: `on-${index}`, value: `${SEED}on${index}` })),
      { name: 'off', value: `${SEED}off`, enabled: false },
      { name: 'tls-cert', value: `${SEED}cert`, managed: true, contentType: 'application/x-pkcs12' },
    ]);

    const { code, report } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0);
    assert.equal(entry(report, 'off', fixture.id('dst')).reason, 'disabled-in-source');
    assert.equal(entry(report, 'tls-cert', fixture.id('dst')).reason, 'certificate-backed');
    assert.equal(fixture.emulator.admin.versionCount('dst', 'tls-cert'), 0);
    assert.equal(fixture.emulator.admin.versionCount('dst', 'on-4'), 1);
    assert.equal(fixture.emulator.admin.stats('src').byOperation.getSecret, 5, 'disabled and certificate-backed values are not read');
  });

  it('propagates a tags-only edit and a disable without a new version', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    const source = fixture.store('src');
    await source.setSecret('app', `${SEED}app`, { tags: { tier: 'gold' } });
    await source.setSecret('legacy', `${SEED}legacy`, {});
    await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await source.updateSecretProperties('app', '', { tags: { tier: 'silver' } });
    await source.updateSecretProperties('legacy', '', { enabled: false });

    const { code, report } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0);
    assert.equal(entry(report, 'app', fixture.id('dst')).action, 'update-properties');
    assert.equal(entry(report, 'legacy', fixture.id('dst')).action, 'update-properties');
    const target = fixture.store('dst');
    const app = (await target.getSecret('app')).properties;
    assert.equal(app.tags.tier, 'silver');
    assert.ok(app.tags[ORIGIN_TAG]);
    assert.equal(fixture.emulator.admin.versionCount('dst', 'app'), 1);
    assert.equal(fixture.emulator.admin.versionCount('dst', 'legacy'), 1);
    const listed = [];
    for await (const record of target.listSecrets()) listed.push(record);
    assert.equal(listed.find((record) => record.name === 'legacy')?.enabled, false);
  });

  it('matches names that differ only in case across vaults', async () => {
    fixture = await SyncFixture.start({ vaults: ['src', 'dst'] });
    fixture.emulator.admin.seed('src', [{ name: 'Db-Password', value: `${SEED}db` }]);
    await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });
    const source = fixture.store('src');
    await source.updateSecretProperties('DB-PASSWORD', '', { tags: { rotated: 'no' } });

    const { code, report } = await fixture.sync({ source: fixture.url('src'), target: fixture.url('dst') });

    assert.equal(code, 0);
    assert.equal(report.entries.length, 1);
    assert.equal(entry(report, 'db-password', fixture.id('dst')).action, 'update-properties');
    assert.equal(fixture.emulator.admin.versionCount('dst', 'db-password'), 1);
  });
});
