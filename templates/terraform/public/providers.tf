provider "azurerm" {
  subscription_id = var.subscription_id

  features {
    key_vault {
      # Destroying a vault leaves it soft-deleted and recoverable; purge protection forbids a purge anyway.
      purge_soft_delete_on_destroy = false
      # Re-creating a vault whose name is soft-deleted recovers it instead of failing.
      recover_soft_deleted_key_vaults = true
      # These templates manage no secrets, keys or certificates: kvdr sync does. If a stack adds some,
      # destroying them must not purge them, and re-creating one recovers it.
      purge_soft_deleted_secrets_on_destroy      = false
      purge_soft_deleted_keys_on_destroy         = false
      purge_soft_deleted_certificates_on_destroy = false
      recover_soft_deleted_secrets               = true
      recover_soft_deleted_keys                  = true
      recover_soft_deleted_certificates          = true
    }
  }
}
