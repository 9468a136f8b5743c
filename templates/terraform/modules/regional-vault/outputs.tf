output "resource_id" {
  description = "Resource ID of the Key Vault, the scope for role assignments on it."
  value       = azurerm_key_vault.this.id
}

output "name" {
  description = "Name of the Key Vault."
  value       = azurerm_key_vault.this.name
}

output "vault_uri" {
  description = "Data-plane URI of the vault, such as https://kv-app-weu.vault.azure.net/; kvdr's --vault accepts it."
  value       = azurerm_key_vault.this.vault_uri
}

output "private_endpoints" {
  description = "Private endpoints by the keys of var.private_endpoints: resource_id and the private IP address the vault's name resolves to inside the linked networks."
  value = {
    for key, endpoint in azurerm_private_endpoint.this : key => {
      resource_id        = endpoint.id
      private_ip_address = endpoint.private_service_connection[0].private_ip_address
    }
  }
}
