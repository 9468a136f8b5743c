variable "region" {
  type        = string
  description = "Label of this stack's state, set by kvdr deploy from --region (such as shared, giving the state key <prefix>/shared.tfstate). The shared stack spans every region, so the label names no Azure region."
  default     = "shared"
  nullable    = false
}

variable "regions" {
  type = map(object({
    resource_group_name                 = string
    key_vault_name                      = string
    private_endpoint_subnet_resource_id = optional(string)
    private_dns_zone_resource_id        = optional(string)
  }))
  description = <<-EOT
    The same regions map the regional stacks take, keyed by Azure region name; attributes this stack does not read are ignored.
    - resource_group_name and key_vault_name: locate each region's vault, so this stack builds every vault's resource ID without reading it (a region that is down does not stop the plan).
    - private_endpoint_subnet_resource_id: the region's endpoint subnet, which receives the cross-region endpoints of the other vaults. Needed only with cross_region_private_endpoints_enabled.
    - private_dns_zone_resource_id: the zone the region's cross-region endpoints register in. Default: the zone the private regional stack creates in the region's resource group.
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
}

variable "subscription_id" {
  type        = string
  description = "Subscription of every region's vault; it is part of the vault resource IDs this stack builds."
  nullable    = false

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.subscription_id))
    error_message = "subscription_id must be a GUID such as 00000000-0000-0000-0000-000000000000."
  }
}

variable "primary_region" {
  type        = string
  description = "The key of var.regions whose vault is the primary: the sync source in one-way mode and the vault a DR drill takes offline."
  nullable    = false
}

variable "sync_identity" {
  type = object({
    principal_id   = string
    principal_type = optional(string, "ServicePrincipal")
  })
  description = <<-EOT
    The identity kvdr sync and drift run as (a service connection's or workload identity's service principal).
    - principal_id: its object ID in Microsoft Entra ID.
    - principal_type: ServicePrincipal (the default), User or Group.
  EOT
  nullable    = false

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.sync_identity.principal_id))
    error_message = "sync_identity.principal_id must be an object ID (a GUID)."
  }
  validation {
    condition     = contains(["ServicePrincipal", "User", "Group"], var.sync_identity.principal_type)
    error_message = "sync_identity.principal_type must be ServicePrincipal, User or Group."
  }
}

variable "sync_mode" {
  type        = string
  description = "How kvdr sync replicates: one-way (the default; the primary is the source and gets Key Vault Secrets User, the others Key Vault Secrets Officer) or mesh (every vault is writable and gets Key Vault Secrets Officer)."
  default     = "one-way"
  nullable    = false

  validation {
    condition     = contains(["one-way", "mesh"], var.sync_mode)
    error_message = "sync_mode must be one-way or mesh."
  }
}

variable "cross_region_private_endpoints_enabled" {
  type        = bool
  description = "Whether every region's network also gets a private endpoint to every other region's vault (private variant only), so agents in one region reach all vaults over private IPs. Default: false. Needs a separate private DNS zone per region."
  default     = false
  nullable    = false
}

variable "drill_role" {
  type = object({
    enabled        = optional(bool, false)
    principal_id   = optional(string)
    principal_type = optional(string, "ServicePrincipal")
  })
  description = <<-EOT
    An extra role for DR drills that change the primary vault's network settings to simulate its loss: Key Vault Contributor on the primary vault only. Off by default.
    - enabled: whether to assign it. Default: false.
    - principal_id: object ID of the identity that runs kvdr drill. Required when enabled.
    - principal_type: ServicePrincipal (the default), User or Group.
  EOT
  default     = {}
  nullable    = false

  validation {
    condition     = !var.drill_role.enabled || var.drill_role.principal_id != null
    error_message = "drill_role.principal_id is required when drill_role.enabled is true."
  }
  validation {
    condition     = var.drill_role.principal_id == null || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", coalesce(var.drill_role.principal_id, "-")))
    error_message = "drill_role.principal_id must be an object ID (a GUID)."
  }
}

variable "private_dns_zone_name" {
  type        = string
  description = "Name of the per-region Key Vault private DNS zone, as given to the private regional stacks. Default: privatelink.vaultcore.azure.net."
  default     = "privatelink.vaultcore.azure.net"
  nullable    = false
}

variable "key_vault_dns_suffix" {
  type        = string
  description = "DNS suffix of Key Vault in the cloud used: vault.azure.net (the default), vault.usgovcloudapi.net or vault.azure.cn. Only the vault_uris output uses it."
  default     = "vault.azure.net"
  nullable    = false
}

variable "tags" {
  type        = map(string)
  description = "Tags for the cross-region private endpoints. Default: none."
  default     = {}
  nullable    = false
}
