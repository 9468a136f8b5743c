variable "region" {
  type        = string
  description = "The key of var.regions this stack deploys. kvdr deploy sets it from --region; each region has its own state."
  nullable    = false
}

variable "regions" {
  type = map(object({
    resource_group_name                 = string
    key_vault_name                      = string
    log_analytics_workspace_resource_id = string
    private_endpoint_subnet_resource_id = string
    virtual_network_resource_ids        = optional(list(string), [])
    private_dns_zone_resource_id        = optional(string)
    tags                                = optional(map(string), {})
  }))
  description = <<-EOT
    Every region of the deployment, keyed by Azure region name (such as westeurope). Each regional stack takes the whole map and deploys the entry named by var.region.
    - resource_group_name: resource group created for the region's vault, private endpoint and DNS zone.
    - key_vault_name: the region's vault name, globally unique.
    - log_analytics_workspace_resource_id: workspace that receives the vault's diagnostics; use one in the same region, so a regional outage does not lose the other regions' logs.
    - private_endpoint_subnet_resource_id: subnet in the region that receives the vault's private endpoint.
    - virtual_network_resource_ids: virtual networks linked to the region's privatelink.vaultcore.azure.net zone, so the vault's name resolves to its private IP there. Required when private_dns_zone_resource_id is null. Default: none.
    - private_dns_zone_resource_id: an existing privatelink.vaultcore.azure.net zone (for example a hub's, managed by a platform team) to register the endpoint in. Default: null, which creates a zone in the region's resource group and links virtual_network_resource_ids to it.
    - tags: tags for this region's resources, merged over var.tags. Default: none.
  EOT
  nullable    = false

  validation {
    condition     = length(var.regions) > 0
    error_message = "regions needs at least one entry."
  }
  validation {
    condition     = alltrue([for key in keys(var.regions) : can(regex("^[a-z0-9]+$", key))])
    error_message = "Every regions key must be an Azure region name in lower case without spaces, such as westeurope."
  }
  validation {
    condition     = length(distinct([for entry in values(var.regions) : lower(entry.key_vault_name)])) == length(var.regions)
    error_message = "Every region needs its own key_vault_name: vault names are global."
  }
  validation {
    condition     = alltrue([for entry in values(var.regions) : entry.private_dns_zone_resource_id != null || length(entry.virtual_network_resource_ids) > 0])
    error_message = "A region without private_dns_zone_resource_id needs at least one virtual_network_resource_ids entry to link the zone created for it."
  }
  validation {
    condition     = alltrue([for entry in values(var.regions) : can(regex("(?i)/subnets/[^/]+$", entry.private_endpoint_subnet_resource_id))])
    error_message = "Every private_endpoint_subnet_resource_id must be a subnet resource ID ending in /subnets/<name>."
  }
  validation {
    condition     = alltrue([for entry in values(var.regions) : alltrue([for network in entry.virtual_network_resource_ids : can(regex("(?i)/providers/Microsoft.Network/virtualNetworks/[^/]+$", network))])])
    error_message = "Every virtual_network_resource_ids entry must be a virtual network resource ID ending in /virtualNetworks/<name>."
  }
  validation {
    condition     = alltrue([for entry in values(var.regions) : entry.private_dns_zone_resource_id == null || can(regex("(?i)/privateDnsZones/privatelink\\.vaultcore\\.", coalesce(entry.private_dns_zone_resource_id, "-")))])
    error_message = "private_dns_zone_resource_id must be the resource ID of a privatelink.vaultcore.* private DNS zone."
  }
}

variable "subscription_id" {
  type        = string
  description = "Subscription that receives every region's resources. Default: null, which takes ARM_SUBSCRIPTION_ID from the environment."
  default     = null
}

variable "tenant_id" {
  type        = string
  description = "Microsoft Entra tenant of the vaults. Default: null, which takes the tenant of the identity running Terraform."
  default     = null
}

variable "sku_name" {
  type        = string
  description = "Key Vault SKU of every region: standard (the default) or premium."
  default     = "standard"
  nullable    = false

  validation {
    condition     = contains(["standard", "premium"], var.sku_name)
    error_message = "sku_name must be standard or premium."
  }
}

variable "soft_delete_retention_days" {
  type        = number
  description = "Days a deleted vault or secret stays recoverable (7-90, default 90). Purge protection is always on, so a deleted name, such as a drill's canary, stays reserved this long."
  default     = 90
  nullable    = false

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90
    error_message = "soft_delete_retention_days must be between 7 and 90."
  }
}

variable "private_dns_zone_name" {
  type        = string
  description = "Name of the Key Vault private DNS zone created per region: privatelink.vaultcore.azure.net (the default) in the public cloud, privatelink.vaultcore.usgovcloudapi.net or privatelink.vaultcore.azure.cn in sovereign clouds."
  default     = "privatelink.vaultcore.azure.net"
  nullable    = false

  validation {
    condition     = startswith(var.private_dns_zone_name, "privatelink.vaultcore.")
    error_message = "private_dns_zone_name must be a privatelink.vaultcore.* zone, such as privatelink.vaultcore.azure.net."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource; each region's tags are merged over them. Default: none."
  default     = {}
  nullable    = false
}
