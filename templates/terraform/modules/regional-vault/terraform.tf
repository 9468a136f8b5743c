terraform {
  # optional() object attributes with defaults need 1.3; kvdr deploy requires 1.5.
  required_version = ">= 1.5"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.31 adds the enabled_metric block of azurerm_monitor_diagnostic_setting.
      version = ">= 4.31.0, < 5.0.0"
    }
  }
}
