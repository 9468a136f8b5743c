# Each region gets its own privatelink zone, linked to the region's networks. A region then resolves
# its own vault (and, with the shared stack's cross-region endpoints, the other regions' vaults) to
# private IPs in its own networks, and never depends on another region's DNS.
resource "azurerm_private_dns_zone" "vault" {
  count = local.this.private_dns_zone_resource_id == null ? 1 : 0

  name                = var.private_dns_zone_name
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "vault" {
  for_each = local.this.private_dns_zone_resource_id == null ? toset(local.this.virtual_network_resource_ids) : toset([])

  name                  = "link-${basename(each.value)}"
  resource_group_name   = azurerm_resource_group.this.name
  private_dns_zone_name = azurerm_private_dns_zone.vault[0].name
  virtual_network_id    = each.value
  registration_enabled  = false
  tags                  = local.tags
}

locals {
  private_dns_zone_resource_id = local.this.private_dns_zone_resource_id != null ? local.this.private_dns_zone_resource_id : azurerm_private_dns_zone.vault[0].id
}
