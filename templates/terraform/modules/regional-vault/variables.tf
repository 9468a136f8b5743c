variable "name" {
  type        = string
  description = "Name of the Key Vault: 3-24 letters, digits and hyphens, globally unique. It becomes the host name https://<name>.vault.azure.net/."
  nullable    = false

  validation {
    condition     = length(var.name) >= 3 && length(var.name) <= 24
    error_message = "The Key Vault name must be 3 to 24 characters long."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9-]+$", var.name))
    error_message = "The Key Vault name may contain only letters, digits and hyphens."
  }
  validation {
    condition     = can(regex("^[A-Za-z]", var.name))
    error_message = "The Key Vault name must start with a letter."
  }
  validation {
    condition     = can(regex("[A-Za-z0-9]$", var.name))
    error_message = "The Key Vault name must end with a letter or a digit."
  }
  validation {
    condition     = !strcontains(var.name, "--")
    error_message = "The Key Vault name must not contain two consecutive hyphens."
  }
}

variable "location" {
  type        = string
  description = "Azure region of the vault, such as westeurope."
  nullable    = false
}

variable "resource_group_name" {
  type        = string
  description = "Name of the existing resource group that receives the vault."
  nullable    = false
}

variable "tenant_id" {
  type        = string
  description = "Microsoft Entra tenant ID (a GUID) that authenticates requests to the vault."
  nullable    = false

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.tenant_id))
    error_message = "tenant_id must be a GUID such as 00000000-0000-0000-0000-000000000000."
  }
}

variable "sku_name" {
  type        = string
  description = "Key Vault SKU: standard, or premium for HSM-protected keys."
  default     = "standard"
  nullable    = false

  validation {
    condition     = contains(["standard", "premium"], var.sku_name)
    error_message = "sku_name must be standard or premium."
  }
}

variable "soft_delete_retention_days" {
  type        = number
  description = "Days a deleted vault or secret stays recoverable (7-90). Purge protection is always on, so a deleted name stays reserved this long. Azure cannot change this value after the vault is created."
  default     = 90
  nullable    = false

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90
    error_message = "soft_delete_retention_days must be between 7 and 90."
  }
  validation {
    condition     = floor(var.soft_delete_retention_days) == var.soft_delete_retention_days
    error_message = "soft_delete_retention_days must be a whole number of days."
  }
}

variable "public_network_access_enabled" {
  type        = bool
  description = "Whether the public endpoint accepts traffic at all. When true, network_acls still denies every address it does not list."
  nullable    = false
}

variable "network_acls" {
  type = object({
    bypass                     = optional(string, "None")
    ip_rules                   = optional(list(string), [])
    virtual_network_subnet_ids = optional(list(string), [])
  })
  description = <<-EOT
    Firewall of the public endpoint. The default action is always Deny; only the listed sources get through.
    - bypass: AzureServices lets Microsoft's trusted services (such as Azure Backup and Resource Manager template deployments) through the firewall; None (the default) does not.
    - ip_rules: public IPv4 addresses or CIDR ranges allowed through, such as 203.0.113.0/24. Default: none.
    - virtual_network_subnet_ids: resource IDs of subnets with the Microsoft.KeyVault service endpoint allowed through. Default: none.
  EOT
  default     = {}
  nullable    = false

  validation {
    condition     = contains(["AzureServices", "None"], var.network_acls.bypass)
    error_message = "network_acls.bypass must be AzureServices or None."
  }
  validation {
    condition     = alltrue([for range in var.network_acls.ip_rules : can(cidrhost(strcontains(range, "/") ? range : "${range}/32", 0))])
    error_message = "Every network_acls.ip_rules entry must be an IPv4 address or CIDR range, such as 203.0.113.7 or 203.0.113.0/24."
  }
  validation {
    condition     = alltrue([for subnet in var.network_acls.virtual_network_subnet_ids : can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.Network/virtualNetworks/[^/]+/subnets/[^/]+$", subnet))])
    error_message = "Every network_acls.virtual_network_subnet_ids entry must be a subnet resource ID (/subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>)."
  }
}

variable "private_endpoints" {
  type = map(object({
    name                          = optional(string)
    location                      = optional(string)
    resource_group_name           = optional(string)
    subnet_resource_id            = string
    private_dns_zone_resource_ids = list(string)
  }))
  description = <<-EOT
    Private endpoints of the vault, keyed by an arbitrary stable name (kvdr uses the region of the endpoint's network).
    - name: endpoint name. Default: pe-<vault name>-<key>.
    - location: region of the endpoint, which must be the region of its subnet. Default: the vault's location.
    - resource_group_name: resource group of the endpoint. Default: the vault's resource group.
    - subnet_resource_id: resource ID of the subnet that receives the endpoint's private IP.
    - private_dns_zone_resource_ids: privatelink.vaultcore.azure.net zones in which a DNS zone group registers the endpoint's A record; at least one, so no record is written by hand.
  EOT
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for endpoint in values(var.private_endpoints) : length(endpoint.private_dns_zone_resource_ids) > 0])
    error_message = "Every private endpoint needs at least one private_dns_zone_resource_ids entry, so its A record is managed by a DNS zone group."
  }
  validation {
    condition     = alltrue([for endpoint in values(var.private_endpoints) : can(regex("(?i)/subnets/[^/]+$", endpoint.subnet_resource_id))])
    error_message = "Every private endpoint's subnet_resource_id must be a subnet resource ID ending in /subnets/<name>."
  }
}

variable "log_analytics_workspace_resource_id" {
  type        = string
  description = "Resource ID of the Log Analytics workspace that receives the vault's audit logs and metrics."
  nullable    = false

  validation {
    condition     = can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.OperationalInsights/workspaces/[^/]+$", var.log_analytics_workspace_resource_id))
    error_message = "log_analytics_workspace_resource_id must be a workspace resource ID (/subscriptions/.../providers/Microsoft.OperationalInsights/workspaces/<name>)."
  }
}

variable "diagnostic_log_category_groups" {
  type        = list(string)
  description = "Log category groups sent to Log Analytics: allLogs (every request, the default) or audit (only the audit events)."
  default     = ["allLogs"]
  nullable    = false

  validation {
    condition     = length(var.diagnostic_log_category_groups) > 0
    error_message = "diagnostic_log_category_groups needs at least one group, because diagnostics are always on."
  }
  validation {
    condition     = alltrue([for group in var.diagnostic_log_category_groups : contains(["allLogs", "audit"], group)])
    error_message = "diagnostic_log_category_groups entries must be allLogs or audit."
  }
}

variable "role_assignments" {
  type = map(object({
    role_definition_name = string
    principal_id         = string
    principal_type       = optional(string, "ServicePrincipal")
  }))
  description = <<-EOT
    Role assignments scoped to this vault, keyed by an arbitrary stable name.
    - role_definition_name: a built-in or custom role name, such as Key Vault Secrets User.
    - principal_id: object ID of the user, group or service principal.
    - principal_type: ServicePrincipal (the default), User or Group.
  EOT
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for assignment in values(var.role_assignments) : contains(["ServicePrincipal", "User", "Group"], assignment.principal_type)])
    error_message = "role_assignments principal_type must be ServicePrincipal, User or Group."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the vault, its private endpoints and its diagnostic setting. Default: none."
  default     = {}
  nullable    = false
}
