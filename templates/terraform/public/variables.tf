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
    allowed_ip_ranges                   = optional(list(string), [])
    allowed_subnet_resource_ids         = optional(list(string), [])
    tags                                = optional(map(string), {})
  }))
  description = <<-EOT
    Every region of the deployment, keyed by Azure region name (such as westeurope). Each regional stack takes the whole map and deploys the entry named by var.region.
    - resource_group_name: resource group created for the region's vault.
    - key_vault_name: the region's vault name, globally unique.
    - log_analytics_workspace_resource_id: workspace that receives the vault's diagnostics; use one in the same region, so a regional outage does not lose the other regions' logs.
    - allowed_ip_ranges: public IPv4 addresses or CIDR ranges the firewall lets through, added to var.allowed_ip_ranges (such as the egress IPs of self-hosted agents). Default: none.
    - allowed_subnet_resource_ids: subnets with the Microsoft.KeyVault service endpoint that the firewall lets through. Default: none.
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
    condition     = alltrue([for entry in values(var.regions) : alltrue([for range in entry.allowed_ip_ranges : can(cidrhost(strcontains(range, "/") ? range : "${range}/32", 0))])])
    error_message = "Every allowed_ip_ranges entry must be an IPv4 address or CIDR range, such as 203.0.113.0/24."
  }
  validation {
    condition     = alltrue([for entry in values(var.regions) : alltrue([for subnet in entry.allowed_subnet_resource_ids : can(regex("(?i)/providers/Microsoft.Network/virtualNetworks/[^/]+/subnets/[^/]+$", subnet))])])
    error_message = "Every allowed_subnet_resource_ids entry must be a subnet resource ID ending in /virtualNetworks/<vnet>/subnets/<subnet>."
  }
}

variable "allowed_ip_ranges" {
  type        = list(string)
  description = "Public IPv4 addresses or CIDR ranges every region's firewall lets through, such as an office egress range. Default: none, so only the listed subnets (and trusted services, if enabled) get through."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for range in var.allowed_ip_ranges : can(cidrhost(strcontains(range, "/") ? range : "${range}/32", 0))])
    error_message = "Every allowed_ip_ranges entry must be an IPv4 address or CIDR range, such as 203.0.113.0/24."
  }
}

variable "trusted_services_bypass_enabled" {
  type        = bool
  description = "Whether Microsoft's trusted services (such as Azure Backup, Resource Manager template deployments and Azure Disk Encryption) pass the firewall (bypass = AzureServices). Default: false. Pipeline agents and GitHub runners are not trusted services: they need an allowed IP range or subnet."
  default     = false
  nullable    = false
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

variable "key_vault_dns_suffix" {
  type        = string
  description = "DNS suffix of Key Vault in the cloud used: vault.azure.net (the default), vault.usgovcloudapi.net or vault.azure.cn. Only the vault_uris output uses it."
  default     = "vault.azure.net"
  nullable    = false
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource; each region's tags are merged over them. Default: none."
  default     = {}
  nullable    = false
}
