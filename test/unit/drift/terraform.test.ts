/**
 * Terraform drift read from recorded plan JSON of azurerm Key Vault resources. Built-in resources
 * never change outside Terraform and no provider can be installed here, so `resource_drift` is
 * tested on a fixture written in Terraform's documented JSON plan format.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { renderDriftMarkdown } from '../../../src/core/drift/markdown';
import { buildDriftReport } from '../../../src/core/drift/report';
import { changedAttributeNames, terraformDriftFindings } from '../../../src/core/drift/terraform';
import { renderJson, renderJunit } from '../../../src/core/report';
import type { PlanJson } from '../../../src/core/terraform/plan-summary';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'drift', 'azurerm-refresh-only-plan.json');
const plan = JSON.parse(readFileSync(FIXTURE, 'utf8')) as PlanJson;

describe('terraform drift findings', () => {
  it('lists resource_drift of managed resources', () => {
    const findings = terraformDriftFindings('westeurope', plan, { drift: true, changes: false });

    assert.deepEqual(
      findings.map((finding) => [finding.address, finding.kind, finding.action]),
      [
        ['module.regional_vault.azurerm_key_vault.this', 'changed-outside-terraform', 'update'],
        ['module.regional_vault.azurerm_key_vault_secret.bootstrap["db-connection"]', 'changed-outside-terraform', 'update'],
        ['module.regional_vault.azurerm_private_endpoint.vault[0]', 'changed-outside-terraform', 'delete'],
      ],
    );
  });

  it('names changed attributes only', () => {
    const [vault, secret, endpoint] = terraformDriftFindings('westeurope', plan, { drift: true, changes: false });

    assert.deepEqual(vault.changedAttributes, ['network_acls', 'public_network_access_enabled', 'tags']);
    assert.deepEqual(secret.changedAttributes, ['expiration_date', 'value']);
    assert.deepEqual(endpoint.changedAttributes, []);
  });

  it('skips no-op resource_changes', () => {
    assert.deepEqual(terraformDriftFindings('westeurope', plan, { drift: false, changes: true }), []);
  });

  it('compares nested attributes by value', () => {
    assert.deepEqual(changedAttributeNames({ a: [1, { b: 2 }], c: 'x' }, { a: [1, { b: 2 }], c: 'y', d: null }), ['c']);
    assert.deepEqual(changedAttributeNames(null, { a: 1 }), []);
  });

  it('reports no attribute value in any format', () => {
    const findings = terraformDriftFindings('westeurope', plan, { drift: true, changes: false });
    const now = new Date('2026-12-04T02:00:00Z');
    const report = buildDriftReport(undefined, { terraformVersion: '1.11.4', regions: [{ region: 'westeurope', outcome: 'checked', findings, outputChanges: [] }] }, {
      stores: [],
      hasSource: false,
      settings: { onDrift: 'fail' },
      startedAt: now,
      finishedAt: now,
      result: 'failed',
      exitCode: 2,
      message: 'Drift found.',
    });

    assert.equal(report.driftCount, 3);
    const texts = { json: renderJson(report), junit: renderJunit(report, { failureOutcomes: ['drift', 'failed'] }), markdown: renderDriftMarkdown(report) };
    for (const [format, text] of Object.entries(texts)) {
      for (const value of ['FIXTURE-SENSITIVE', '203.0.113.7', 'Allow', 'portal', '2027-01-01', 'snet-pe', '22222222']) {
        assert.ok(!text.includes(value), `${format} contains the value ${value}`);
      }
    }
    assert.match(texts.junit, /<testcase classname="terraform\/westeurope" name="module\.regional_vault\.azurerm_key_vault\.this" time="0">/);
    assert.match(texts.markdown, /\| westeurope \| module\.regional_vault\.azurerm_key_vault\.this \| changed-outside-terraform \| update \| network_acls, public_network_access_enabled, tags \|/);
  });
});
