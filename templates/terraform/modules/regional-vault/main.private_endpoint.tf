resource "azurerm_private_endpoint" "this" {
  for_each = var.private_endpoints

  name                = coalesce(each.value.name, "pe-${var.name}-${each.key}")
  location            = coalesce(each.value.location, var.location)
  resource_group_name = coalesce(each.value.resource_group_name, var.resource_group_name)
  subnet_id           = each.value.subnet_resource_id
  tags                = var.tags

  private_service_connection {
    name                           = "psc-${var.name}-${each.key}"
    private_connection_resource_id = azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  # The zone group writes and removes the endpoint's A record in each zone, so no record is made by hand.
  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = each.value.private_dns_zone_resource_ids
  }
}
