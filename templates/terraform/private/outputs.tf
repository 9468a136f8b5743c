output "key_vault_resource_id" {
  description = "Resource ID of this region's vault."
  value       = module.key_vault.resource_id
}

output "vault_uri" {
  description = "Data-plane URI of this region's vault, such as https://kv-app-weu.vault.azure.net/; pass it to kvdr sync, drift and drill as --vault."
  value       = module.key_vault.vault_uri
}

output "vault_uris" {
  description = "Data-plane URI of every region's vault by region, derived from var.regions, so any regional stack can hand the whole set to kvdr."
  value       = { for region, entry in var.regions : region => "https://${lower(entry.key_vault_name)}.${replace(var.private_dns_zone_name, "privatelink.vaultcore.", "vault.")}/" }
}

output "private_endpoint_ip_address" {
  description = "Private IP address of this region's vault in its own network."
  value       = module.key_vault.private_endpoints[var.region].private_ip_address
}

output "private_dns_zone_resource_id" {
  description = "The privatelink zone this region's endpoint registers in; the shared stack registers cross-region endpoints in it."
  value       = local.private_dns_zone_resource_id
}
