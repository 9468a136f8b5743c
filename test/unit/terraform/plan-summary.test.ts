import assert from 'node:assert/strict';
import {
  changeKindOf,
  describeChangeDifferences,
  fingerprintPlan,
  parsePlanJson,
  redactSensitive,
  summarizePlan,
  type PlanJson,
} from '../../../src/core/terraform/plan-summary';

const SECRET = 'kvdr-test-secret-plan-41b7';

function change(address: string, actions: string[], after: unknown = {}, afterSensitive: unknown = {}) {
  return { address, change: { actions, before: null, after, after_unknown: {}, before_sensitive: false, after_sensitive: afterSensitive } };
}

describe('plan summary', () => {
  it('maps actions to kinds', () => {
    assert.equal(changeKindOf(['create']), 'create');
    assert.equal(changeKindOf(['update']), 'update');
    assert.equal(changeKindOf(['delete']), 'delete');
    assert.equal(changeKindOf(['delete', 'create']), 'replace');
    assert.equal(changeKindOf(['create', 'delete']), 'replace');
    assert.equal(changeKindOf(['no-op']), 'no-op');
    assert.equal(changeKindOf(['read']), 'read');
    assert.equal(changeKindOf(['forget']), 'forget');
  });

  it('counts changes per kind', () => {
    const plan: PlanJson = {
      resource_changes: [
        change('azurerm_key_vault.this', ['create']),
        change('azurerm_private_endpoint.this["weu"]', ['delete', 'create']),
        change('azurerm_role_assignment.sync["neu"]', ['delete']),
        change('azurerm_resource_group.this', ['no-op']),
        change('data.azurerm_client_config.current', ['read']),
        change('azurerm_monitor_diagnostic_setting.this', ['update']),
      ],
    };
    const summary = summarizePlan(plan);
    assert.deepEqual([summary.create, summary.update, summary.replace, summary.delete], [1, 1, 1, 1]);
    assert.equal(summary.changes.length, 4);
    assert.equal(summary.changesPresent, true);
    assert.equal(summary.destroyPresent, true);
  });

  it('reports no changes for a no-op plan', () => {
    const summary = summarizePlan({ resource_changes: [change('a.b', ['no-op'])], output_changes: { uri: { actions: ['no-op'] } } });
    assert.equal(summary.changesPresent, false);
    assert.equal(summary.destroyPresent, false);
  });

  it('counts output-only changes', () => {
    const summary = summarizePlan({ resource_changes: [], output_changes: { vault_uri: { actions: ['create'] } } });
    assert.deepEqual(summary.outputChanges, ['vault_uri']);
    assert.equal(summary.changesPresent, true);
  });

  it('lists drift from resource_drift', () => {
    const summary = summarizePlan({ resource_drift: [change('azurerm_key_vault.this', ['update'])] });
    assert.deepEqual(summary.drift, [{ address: 'azurerm_key_vault.this', kind: 'update' }]);
    assert.equal(summary.changesPresent, false);
  });

  it('keeps values out of the summary', () => {
    const plan: PlanJson = { resource_changes: [change('terraform_data.vault', ['create'], { secret: SECRET }, { secret: true })] };
    assert.equal(JSON.stringify(summarizePlan(plan)).includes(SECRET), false);
  });

  it('redacts values the mask marks', () => {
    const redacted = redactSensitive({ name: 'kv', secret: SECRET, list: ['a', SECRET] }, { secret: true, list: [false, true] });
    assert.deepEqual(redacted, { list: ['a', '(sensitive)'], name: 'kv', secret: '(sensitive)' });
  });

  it('fingerprints equal plans equally', () => {
    const first = { resource_changes: [change('a.one', ['create'], { x: 1 }), change('a.two', ['update'], { y: 2 })] };
    const reordered = { resource_changes: [change('a.two', ['update'], { y: 2 }), change('a.one', ['create'], { x: 1 })] };
    assert.equal(fingerprintPlan(first), fingerprintPlan(reordered));
  });

  it('fingerprints different values differently', () => {
    const first = { resource_changes: [change('a.one', ['update'], { sku_name: 'standard' })] };
    const second = { resource_changes: [change('a.one', ['update'], { sku_name: 'premium' })] };
    assert.notEqual(fingerprintPlan(first), fingerprintPlan(second));
  });

  it('fingerprints ignore sensitive values', () => {
    const first = { resource_changes: [change('a.one', ['update'], { secret: 'one' }, { secret: true })] };
    const second = { resource_changes: [change('a.one', ['update'], { secret: 'two' }, { secret: true })] };
    assert.equal(fingerprintPlan(first), fingerprintPlan(second));
  });

  it('describes added and removed changes', () => {
    const differences = describeChangeDifferences(
      [{ address: 'a.one', kind: 'create' }],
      [{ address: 'a.one', kind: 'create' }, { address: 'a.two', kind: 'delete' }],
    );
    assert.deepEqual(differences, ['new: delete a.two']);
  });

  it('rejects invalid JSON without quoting it', () => {
    assert.throws(() => parsePlanJson(`{"secret":"${SECRET}"`), (error: Error) => !error.message.includes(SECRET));
  });
});
