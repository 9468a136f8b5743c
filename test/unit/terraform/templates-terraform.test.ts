/**
 * Checks of the Terraform templates that need the terraform binary but no provider: formatting,
 * the variable validations against the examples and bad values, and the per-region expressions
 * (one vault, one endpoint and DNS links per region; roles per vault) evaluated by terraform itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findTerraform, loadConfiguration, loadTfvars, runProbe, templatesDir, terraformEnv, type Body } from './hcl';

const EXAMPLES = join(templatesDir, 'examples');
const variablesOf = (root: string): string => join(templatesDir, root, 'variables.tf');
const varFile = (example: string, file = 'regions.tfvars'): string => `-var-file=${join(EXAMPLES, example, file)}`;

describe('terraform templates with terraform', function () {
  before(function () {
    if (!findTerraform()) {
      console.log('    skipped: terraform is not installed (install Terraform 1.5 or newer to run these checks)');
      this.skip();
    }
  });

  it('pass terraform fmt -check', () => {
    const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-no-color', templatesDir], { env: terraformEnv(), encoding: 'utf8' });
    assert.equal(result.status, 0, `unformatted files:\n${result.stdout}`);
  });

  describe('examples', () => {
    const cases: Array<{ example: string; roots: string[] }> = [
      { example: 'private-two-regions-one-way', roots: ['private', 'shared'] },
      { example: 'private-cross-region-with-drill-role', roots: ['private', 'shared'] },
      { example: 'public-three-regions-mesh', roots: ['public', 'shared'] },
    ];
    for (const { example, roots } of cases) {
      for (const root of roots) {
        it(`${example} is valid for ${root}`, () => {
          const args = [varFile(example)];
          if (root === 'shared') args.push(varFile(example, 'shared.tfvars'));
          else args.push('-var', 'region=anything');
          const result = runProbe({ variablesFile: variablesOf(root), outputs: {}, args });
          assert.equal(result.status, 0, result.stderr);
        });
      }
    }
  });

  describe('private root per region', () => {
    for (const example of ['private-two-regions-one-way', 'private-cross-region-with-drill-role']) {
      it(`${example} gets a vault, endpoint and DNS link per region`, async () => {
        const config = await loadConfiguration(join(templatesDir, 'private'));
        const regions = (await loadTfvars(join(EXAMPLES, example, 'regions.tfvars'))).regions as Record<string, Body>;
        const zoneCount = String(config.resource.azurerm_private_dns_zone.vault.count);
        const linkNetworks = String(config.resource.azurerm_private_dns_zone_virtual_network_link.vault.for_each);
        for (const region of Object.keys(regions)) {
          const result = runProbe({
            variablesFile: variablesOf('private'),
            locals: { this: config.locals.this },
            outputs: { vaultName: String(config.module.key_vault.name), endpointKey: '${var.region}', zoneCount, linkNetworks },
            args: [varFile(example), '-var', `region=${region}`],
          });
          assert.equal(result.status, 0, result.stderr);
          assert.equal(result.outputs.vaultName, regions[region].key_vault_name, region);
          assert.equal(result.outputs.endpointKey, region);
          assert.equal(result.outputs.zoneCount, 1, `${region} creates no zone`);
          assert.ok((result.outputs.linkNetworks as string[]).length >= 1, `${region} links no network`);
        }
      });
    }
  });

  describe('shared stack roles', () => {
    const evaluate = async (example: string, extra: string[] = []) => {
      const config = await loadConfiguration(join(templatesDir, 'shared'));
      return runProbe({
        variablesFile: variablesOf('shared'),
        locals: config.locals,
        outputs: {
          vaultIds: '${local.key_vault_resource_ids}',
          roles: '${local.sync_role_by_region}',
          crossRegion: '${local.cross_region_private_endpoints}',
          drillCount: String(config.resource.azurerm_role_assignment.drill.count),
          drillScope: '${var.drill_role.enabled ? local.key_vault_resource_ids[var.primary_region] : ""}',
        },
        args: [varFile(example), varFile(example, 'shared.tfvars'), ...extra],
      });
    };

    it('one-way reads the primary and writes the rest', async () => {
      const result = await evaluate('private-two-regions-one-way');
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(result.outputs.roles, { westeurope: 'Key Vault Secrets User', northeurope: 'Key Vault Secrets Officer' });
      assert.equal(result.outputs.drillCount, 0);
      assert.deepEqual(result.outputs.crossRegion, {});
    });

    it('scopes each role to one vault', async () => {
      const result = await evaluate('private-two-regions-one-way');
      const ids = result.outputs.vaultIds as Record<string, string>;
      assert.match(ids.westeurope, /\/resourceGroups\/rg-kv-app-weu\/providers\/Microsoft\.KeyVault\/vaults\/kv-app-weu$/);
      assert.match(ids.northeurope, /\/resourceGroups\/rg-kv-app-neu\/providers\/Microsoft\.KeyVault\/vaults\/kv-app-neu$/);
    });

    it('mesh writes every vault', async () => {
      const result = await evaluate('public-three-regions-mesh');
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(Object.values(result.outputs.roles as Body), ['Key Vault Secrets Officer', 'Key Vault Secrets Officer', 'Key Vault Secrets Officer']);
    });

    it('cross-region endpoints cover every pair', async () => {
      const result = await evaluate('private-cross-region-with-drill-role');
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(Object.keys(result.outputs.crossRegion as Body).sort(), ['germanywestcentral-in-swedencentral', 'swedencentral-in-germanywestcentral']);
    });

    it('drill role targets the primary only', async () => {
      const result = await evaluate('private-cross-region-with-drill-role');
      assert.equal(result.outputs.drillCount, 1);
      assert.match(String(result.outputs.drillScope), /\/vaults\/kv-pay-sec$/);
    });
  });

  describe('validations', () => {
    const rejects = (root: string, args: string[], message: RegExp) => {
      const result = runProbe({ variablesFile: variablesOf(root), outputs: {}, args });
      assert.notEqual(result.status, 0, 'terraform accepted the value');
      assert.match(result.stderr.replace(/\s+/g, ' '), message);
    };

    it('rejects a short soft-delete retention', () => {
      rejects('private', [varFile('private-two-regions-one-way'), '-var', 'region=westeurope', '-var', 'soft_delete_retention_days=5'], /soft_delete_retention_days must be between 7 and 90\./);
    });

    it('rejects a region without DNS link', () => {
      const regions = '{ westeurope = { resource_group_name = "rg", key_vault_name = "kv-a", log_analytics_workspace_resource_id = "/x", private_endpoint_subnet_resource_id = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s" } }';
      rejects('private', ['-var', `regions=${regions}`, '-var', 'region=westeurope'], /needs at least one virtual_network_resource_ids entry/);
    });

    it('rejects a malformed allowed IP range', () => {
      rejects('public', [varFile('public-three-regions-mesh'), '-var', 'region=eastus2', '-var', 'allowed_ip_ranges=["10.0.0.0/33"]'], /must be an IPv4 address or CIDR range/);
    });

    it('rejects a drill role without principal', () => {
      rejects('shared', [varFile('private-two-regions-one-way'), varFile('private-two-regions-one-way', 'shared.tfvars'), '-var', 'drill_role={ enabled = true }'], /drill_role\.principal_id is required/);
    });

    it('rejects an unknown sync mode', () => {
      rejects('shared', [varFile('private-two-regions-one-way'), varFile('private-two-regions-one-way', 'shared.tfvars'), '-var', 'sync_mode=star'], /sync_mode must be one-way or mesh\./);
    });

    for (const [name, message] of [
      ['kv', /3 to 24 characters/],
      ['1vault', /must start with a letter/],
      ['kv--app', /two consecutive hyphens/],
      ['kv-app-', /end with a letter or a digit/],
      ['kv_app', /only letters, digits and hyphens/],
    ] as const) {
      it(`rejects vault name ${name}`, () => {
        const args = [
          '-var', `name=${name}`, '-var', 'location=westeurope', '-var', 'resource_group_name=rg',
          '-var', 'tenant_id=00000000-0000-0000-0000-000000000000', '-var', 'public_network_access_enabled=false',
          '-var', 'log_analytics_workspace_resource_id=/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w',
        ];
        rejects('modules/regional-vault', args, message);
      });
    }
  });
});
