locals {
  private_dns_zone_resource_ids = {
    for region, entry in var.regions :
    region => coalesce(entry.private_dns_zone_resource_id, "/subscriptions/${var.subscription_id}/resourceGroups/${entry.resource_group_name}/providers/Microsoft.Network/privateDnsZones/${var.private_dns_zone_name}")
  }

  # One endpoint per ordered pair of regions: the vault of vault_region, reachable from the network of network_region.
  cross_region_private_endpoints = var.cross_region_private_endpoints_enabled ? {
    for pair in setproduct(keys(var.regions), keys(var.regions)) :
    "${pair[1]}-in-${pair[0]}" => { network_region = pair[0], vault_region = pair[1] }
    if pair[0] != pair[1]
  } : {}
}

resource "azurerm_private_endpoint" "cross_region" {
  for_each = local.cross_region_private_endpoints

  name                = "pe-${var.regions[each.value.vault_region].key_vault_name}-${each.value.network_region}"
  location            = each.value.network_region
  resource_group_name = var.regions[each.value.network_region].resource_group_name
  subnet_id           = var.regions[each.value.network_region].private_endpoint_subnet_resource_id
  tags                = local.tags

  private_service_connection {
    name                           = "psc-${var.regions[each.value.vault_region].key_vault_name}-${each.value.network_region}"
    private_connection_resource_id = local.key_vault_resource_ids[each.value.vault_region]
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  # Registers the other region's vault in this network's own zone: with one zone per region the
  # records never collide, and each region keeps resolving every vault when another region is down.
  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [local.private_dns_zone_resource_ids[each.value.network_region]]
  }

  lifecycle {
    precondition {
      condition     = var.regions[each.value.network_region].private_endpoint_subnet_resource_id != null
      error_message = "Cross-region private endpoints need private_endpoint_subnet_resource_id in every region."
    }
    precondition {
      condition     = length(distinct(values(local.private_dns_zone_resource_ids))) == length(var.regions)
      error_message = "Cross-region private endpoints need a separate private DNS zone per region; in one shared zone the endpoints of a vault would overwrite each other's A record."
    }
  }
}
