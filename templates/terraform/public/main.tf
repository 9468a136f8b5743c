data "azurerm_client_config" "current" {}

locals {
  this = var.regions[var.region]
  tags = merge(var.tags, local.this.tags, { "kvdr-region" = var.region })
}

resource "azurerm_resource_group" "this" {
  name     = local.this.resource_group_name
  location = var.region
  tags     = local.tags

  lifecycle {
    precondition {
      condition     = contains(keys(var.regions), var.region)
      error_message = "region must be one of the keys of regions."
    }
  }
}

module "key_vault" {
  source = "../modules/regional-vault"

  name                       = local.this.key_vault_name
  location                   = var.region
  resource_group_name        = azurerm_resource_group.this.name
  tenant_id                  = coalesce(var.tenant_id, data.azurerm_client_config.current.tenant_id)
  sku_name                   = var.sku_name
  soft_delete_retention_days = var.soft_delete_retention_days

  # The public endpoint is on, but its firewall denies everything except the listed sources.
  public_network_access_enabled = true
  network_acls = {
    bypass                     = var.trusted_services_bypass_enabled ? "AzureServices" : "None"
    ip_rules                   = distinct(concat(var.allowed_ip_ranges, local.this.allowed_ip_ranges))
    virtual_network_subnet_ids = local.this.allowed_subnet_resource_ids
  }

  log_analytics_workspace_resource_id = local.this.log_analytics_workspace_resource_id
  tags                                = local.tags
}
