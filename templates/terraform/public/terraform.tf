terraform {
  required_version = ">= 1.5"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.31.0, < 5.0.0"
    }
  }

  # kvdr deploy passes the storage account and one state key per region (<prefix>/<region>.tfstate)
  # through -backend-config, so every region's stack has its own state.
  backend "azurerm" {}
}
