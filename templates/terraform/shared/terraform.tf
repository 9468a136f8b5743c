terraform {
  required_version = ">= 1.5"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.31.0, < 5.0.0"
    }
  }

  # kvdr deploy --region shared gives this stack the state key <prefix>/shared.tfstate.
  backend "azurerm" {}
}
