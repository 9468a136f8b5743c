locals {
  # Built from names, not read from Azure, so a region that is down does not block this stack's plan.
  key_vault_resource_ids = {
    for region, entry in var.regions :
    region => "/subscriptions/${var.subscription_id}/resourceGroups/${entry.resource_group_name}/providers/Microsoft.KeyVault/vaults/${entry.key_vault_name}"
  }

  # Least privilege per vault: the one-way source is only read (Secrets User); every vault sync writes
  # to needs Secrets Officer, which also lets sync recover soft-deleted names.
  sync_role_by_region = {
    for region in keys(var.regions) :
    region => var.sync_mode == "one-way" && region == var.primary_region ? "Key Vault Secrets User" : "Key Vault Secrets Officer"
  }

  tags = merge(var.tags, { "kvdr-stack" = var.region })
}

resource "azurerm_role_assignment" "sync" {
  for_each = local.key_vault_resource_ids

  scope                = each.value
  role_definition_name = local.sync_role_by_region[each.key]
  principal_id         = var.sync_identity.principal_id
  principal_type       = var.sync_identity.principal_type
  description          = "kvdr sync identity on the ${each.key} vault"

  lifecycle {
    precondition {
      condition     = contains(keys(var.regions), var.primary_region)
      error_message = "primary_region must be one of the keys of regions."
    }
  }
}

resource "azurerm_role_assignment" "drill" {
  count = var.drill_role.enabled ? 1 : 0

  # Key Vault Contributor manages the vault resource (its network settings) and grants no access to secrets.
  scope                = local.key_vault_resource_ids[var.primary_region]
  role_definition_name = "Key Vault Contributor"
  principal_id         = var.drill_role.principal_id
  principal_type       = var.drill_role.principal_type
  description          = "kvdr drill: change the primary vault's network settings during a DR drill"
}
