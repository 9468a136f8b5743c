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
  value       = { for region, entry in var.regions : region => "https://${lower(entry.key_vault_name)}.${var.key_vault_dns_suffix}/" }
}
