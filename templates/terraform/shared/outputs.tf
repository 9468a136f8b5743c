output "key_vault_resource_ids" {
  description = "Resource ID of every region's vault by region, as this stack derived it from var.regions."
  value       = local.key_vault_resource_ids
}

output "vault_uris" {
  description = "Data-plane URI of every region's vault by region; the primary's first, then the others, is the --vault order kvdr sync and drill expect."
  value       = { for region, entry in var.regions : region => "https://${lower(entry.key_vault_name)}.${var.key_vault_dns_suffix}/" }
}

output "sync_role_assignments" {
  description = "The role each vault grants the sync identity, by region: Key Vault Secrets User or Key Vault Secrets Officer."
  value       = local.sync_role_by_region
}

output "drill_role_assignment" {
  description = "The DR drill's role on the primary vault, or null when drill_role.enabled is false: scope (the primary vault's resource ID), role_definition_name and principal_id. kvdr drill reads the scope to know which vault it may reconfigure."
  value = var.drill_role.enabled ? {
    scope                = azurerm_role_assignment.drill[0].scope
    role_definition_name = azurerm_role_assignment.drill[0].role_definition_name
    principal_id         = azurerm_role_assignment.drill[0].principal_id
  } : null
}

output "cross_region_private_endpoints" {
  description = "Cross-region private endpoints by <vault region>-in-<network region>: resource_id and private_ip_address."
  value = {
    for key, endpoint in azurerm_private_endpoint.cross_region : key => {
      resource_id        = endpoint.id
      private_ip_address = endpoint.private_service_connection[0].private_ip_address
    }
  }
}
