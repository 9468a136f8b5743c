/**
 * Invariants of the Terraform templates, read from the parsed HCL: no provider can be downloaded
 * here, so `terraform validate` cannot run, and these checks stand in for it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { block, containsKey, loadConfiguration, loadTfvars, templatesDir, type Body, type Configuration } from './hcl';

const MODULE = join(templatesDir, 'modules', 'regional-vault');
const ROOTS = ['private', 'public', 'shared'] as const;
const ALL = [MODULE, ...ROOTS.map((root) => join(templatesDir, root))];

describe('terraform templates', () => {
  const configurations = new Map<string, Configuration>();
  before(async () => {
    for (const directory of ALL) configurations.set(directory, await loadConfiguration(directory));
  });
  const config = (directory: string): Configuration => configurations.get(directory)!;
  const root = (name: (typeof ROOTS)[number]): Configuration => config(join(templatesDir, name));

  describe('regional-vault module', () => {
    it('enables purge protection', () => {
      assert.equal(config(MODULE).resource.azurerm_key_vault.this.purge_protection_enabled, true);
    });

    it('uses RBAC authorization', () => {
      assert.equal(config(MODULE).resource.azurerm_key_vault.this.enable_rbac_authorization, true);
    });

    it('denies by default in the firewall', () => {
      const acls = block(config(MODULE).resource.azurerm_key_vault.this, 'network_acls');
      assert.equal(acls.default_action, 'Deny');
    });

    it('takes soft-delete retention from a variable', () => {
      assert.equal(config(MODULE).resource.azurerm_key_vault.this.soft_delete_retention_days, '${var.soft_delete_retention_days}');
    });

    it('sends diagnostics to Log Analytics', () => {
      const setting = config(MODULE).resource.azurerm_monitor_diagnostic_setting.this;
      assert.equal(setting.target_resource_id, '${azurerm_key_vault.this.id}');
      assert.equal(setting.log_analytics_workspace_id, '${var.log_analytics_workspace_resource_id}');
    });

    it('registers endpoints through DNS zone groups', () => {
      const endpoint = config(MODULE).resource.azurerm_private_endpoint.this;
      assert.deepEqual(block(endpoint, 'private_service_connection').subresource_names, ['vault']);
      assert.equal(block(endpoint, 'private_dns_zone_group').private_dns_zone_ids, '${each.value.private_dns_zone_resource_ids}');
    });

    it('scopes role assignments to the vault', () => {
      assert.equal(config(MODULE).resource.azurerm_role_assignment.this.scope, '${azurerm_key_vault.this.id}');
    });
  });

  describe('module README', () => {
    it('lists every input and output', () => {
      const readme = readFileSync(join(MODULE, 'README.md'), 'utf8');
      for (const name of [...Object.keys(config(MODULE).variable), ...Object.keys(config(MODULE).output)]) {
        assert.match(readme, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `README.md does not list ${name}`);
      }
    });
  });

  describe('every configuration', () => {
    it('declares no access policies', () => {
      for (const directory of ALL) {
        for (const [file, parsed] of Object.entries(config(directory).files)) {
          assert.equal(containsKey(parsed, 'access_policy'), false, `${directory}/${file} has an access_policy block`);
          assert.equal(containsKey(parsed, 'azurerm_key_vault_access_policy'), false, `${directory}/${file} has an access policy resource`);
        }
      }
    });

    it('writes no DNS A records by hand', () => {
      for (const directory of ALL) {
        assert.equal(config(directory).resource.azurerm_private_dns_a_record, undefined, `${directory} declares an A record`);
      }
    });

    it('pins terraform and azurerm versions', () => {
      for (const directory of ALL) {
        const settings = config(directory).terraform[0];
        assert.equal(settings.required_version, '>= 1.5', directory);
        const azurerm = (block(settings, 'required_providers').azurerm ?? {}) as Body;
        assert.equal(azurerm.source, 'hashicorp/azurerm', directory);
        assert.match(String(azurerm.version), /^>= 4\.\d+\.\d+, < 5\.0\.0$/, directory);
      }
    });

    it('types and describes every variable', () => {
      for (const directory of ALL) {
        for (const [name, variable] of Object.entries(config(directory).variable)) {
          assert.ok(typeof variable.type === 'string', `${directory} variable ${name} has no type`);
          assert.equal(typeof variable.description, 'string', `${directory} variable ${name} has no description`);
          assert.ok(String(variable.description).length > 20, `${directory} variable ${name} has too short a description`);
        }
      }
    });

    it('makes variables without a null default non-nullable', () => {
      for (const directory of ALL) {
        for (const [name, variable] of Object.entries(config(directory).variable)) {
          const defaultsToNull = 'default' in variable && variable.default === null;
          assert.equal(variable.nullable, defaultsToNull ? undefined : false, `${directory} variable ${name}`);
        }
      }
    });

    it('gives every validation a sentence as message', () => {
      for (const directory of ALL) {
        for (const [name, variable] of Object.entries(config(directory).variable)) {
          for (const validation of (variable.validation ?? []) as Body[]) {
            assert.match(String(validation.error_message), /^[a-zA-Z].*\.$/, `${directory} variable ${name}`);
          }
        }
      }
    });

    it('describes every output', () => {
      for (const directory of ALL) {
        for (const [name, output] of Object.entries(config(directory).output)) {
          assert.equal(typeof output.description, 'string', `${directory} output ${name} has no description`);
          assert.ok(String(output.description).length > 10, `${directory} output ${name} has too short a description`);
        }
      }
    });
  });

  describe('root configurations', () => {
    it('use the azurerm backend', () => {
      for (const name of ROOTS) assert.deepEqual(Object.keys(root(name).terraform[0].backend as Body), ['azurerm'], name);
    });

    it('set key_vault provider features', () => {
      for (const name of ROOTS) {
        const keyVault = block(block(root(name).provider.azurerm, 'features'), 'key_vault');
        assert.equal(keyVault.purge_soft_delete_on_destroy, false, name);
        assert.equal(keyVault.recover_soft_deleted_key_vaults, true, name);
        assert.equal(keyVault.purge_soft_deleted_secrets_on_destroy, false, name);
      }
    });

    it('take the regions map and one region', () => {
      for (const name of ROOTS) {
        assert.match(String(root(name).variable.regions.type), /^\$\{map\(object\(/, name);
        assert.equal(root(name).variable.region.type, '${string}', name);
      }
    });

    it('output the vault URI of every region', () => {
      for (const name of ROOTS) assert.match(String(root(name).output.vault_uris.value), /for region, entry in var\.regions/, name);
    });
  });

  describe('private root', () => {
    it('disables public network access', () => {
      assert.equal(root('private').module.key_vault.public_network_access_enabled, false);
    });

    it('gives the region a private endpoint', () => {
      const endpoints = root('private').module.key_vault.private_endpoints as Record<string, Body>;
      assert.deepEqual(Object.keys(endpoints), ['${(var.region)}']);
      assert.deepEqual(endpoints['${(var.region)}'].private_dns_zone_resource_ids, ['${local.private_dns_zone_resource_id}']);
    });

    it('creates the privatelink zone and links its networks', () => {
      const resources = root('private').resource;
      assert.equal(resources.azurerm_private_dns_zone.vault.name, '${var.private_dns_zone_name}');
      assert.equal(root('private').variable.private_dns_zone_name.default, 'privatelink.vaultcore.azure.net');
      const link = resources.azurerm_private_dns_zone_virtual_network_link.vault;
      assert.match(String(link.for_each), /toset\(local\.this\.virtual_network_resource_ids\)/);
      assert.equal(link.private_dns_zone_name, '${azurerm_private_dns_zone.vault[0].name}');
    });

    it('deploys one vault from its region entry', () => {
      assert.equal(root('private').module.key_vault.source, '../modules/regional-vault');
      assert.equal(root('private').module.key_vault.name, '${local.this.key_vault_name}');
      assert.equal(root('private').locals.this, '${var.regions[var.region]}');
    });
  });

  describe('public root', () => {
    it('keeps the public endpoint behind the firewall', () => {
      const vault = root('public').module.key_vault;
      assert.equal(vault.public_network_access_enabled, true);
      const acls = vault.network_acls as Body;
      assert.match(String(acls.ip_rules), /var\.allowed_ip_ranges/);
      assert.equal(acls.virtual_network_subnet_ids, '${local.this.allowed_subnet_resource_ids}');
    });

    it('makes the trusted-services bypass a variable', () => {
      assert.match(String((root('public').module.key_vault.network_acls as Body).bypass), /var\.trusted_services_bypass_enabled \? "AzureServices" : "None"/);
      assert.equal(root('public').variable.trusted_services_bypass_enabled.default, false);
    });
  });

  describe('shared stack', () => {
    it('scopes sync roles per vault', () => {
      const sync = root('shared').resource.azurerm_role_assignment.sync;
      assert.equal(sync.for_each, '${local.key_vault_resource_ids}');
      assert.equal(sync.scope, '${each.value}');
      assert.match(String(root('shared').locals.key_vault_resource_ids), /providers\/Microsoft\.KeyVault\/vaults\/\$\{entry\.key_vault_name\}/);
    });

    it('grants the least privileged secret roles', () => {
      const roles = String(root('shared').locals.sync_role_by_region);
      assert.match(roles, /"Key Vault Secrets User"/);
      assert.match(roles, /"Key Vault Secrets Officer"/);
    });

    it('keeps the drill role off and on the primary', () => {
      const drill = root('shared').resource.azurerm_role_assignment.drill;
      assert.equal(drill.count, '${var.drill_role.enabled ? 1 : 0}');
      assert.equal(drill.scope, '${local.key_vault_resource_ids[var.primary_region]}');
      assert.equal(drill.role_definition_name, 'Key Vault Contributor');
      assert.match(String(root('shared').output.drill_role_assignment.value), /azurerm_role_assignment\.drill\[0\]\.scope/);
    });

    it('registers cross-region endpoints in zone groups', () => {
      const endpoint = root('shared').resource.azurerm_private_endpoint.cross_region;
      assert.equal(endpoint.for_each, '${local.cross_region_private_endpoints}');
      assert.equal(block(endpoint, 'private_dns_zone_group').private_dns_zone_ids instanceof Array, true);
      assert.equal(root('shared').variable.cross_region_private_endpoints_enabled.default, false);
    });
  });

  describe('examples', () => {
    const examples = readdirSync(join(templatesDir, 'examples')).filter((name) => statSync(join(templatesDir, 'examples', name)).isDirectory());

    it('exist for each variant', () => {
      assert.ok(examples.some((name) => name.startsWith('private-')));
      assert.ok(examples.some((name) => name.startsWith('public-')));
    });

    it('have a README and variable files', async () => {
      for (const name of examples) {
        for (const file of ['README.md', 'regions.tfvars', 'shared.tfvars']) {
          assert.ok(existsSync(join(templatesDir, 'examples', name, file)), `${name}/${file}`);
        }
        const regions = await loadTfvars(join(templatesDir, 'examples', name, 'regions.tfvars'));
        assert.ok(Object.keys(regions.regions as Body).length >= 2, `${name} has fewer than two regions`);
      }
    });
  });
});
