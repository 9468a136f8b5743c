# Three regions with public endpoints behind a default-deny firewall; every vault is writable (mesh).
subscription_id = "00000000-0000-0000-0000-000000000000"

# Egress range of the self-hosted agents that run kvdr sync and drift, allowed in every region.
allowed_ip_ranges = ["203.0.113.0/28"]

# Microsoft's trusted services do not need these vaults, so the bypass stays off.
trusted_services_bypass_enabled = false

regions = {
  westeurope = {
    resource_group_name                 = "rg-kv-shop-weu"
    key_vault_name                      = "kv-shop-weu"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-weu/providers/Microsoft.OperationalInsights/workspaces/log-weu"
    allowed_subnet_resource_ids         = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app-weu/providers/Microsoft.Network/virtualNetworks/vnet-app-weu/subnets/snet-app"]
  }
  eastus2 = {
    resource_group_name                 = "rg-kv-shop-eus2"
    key_vault_name                      = "kv-shop-eus2"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-eus2/providers/Microsoft.OperationalInsights/workspaces/log-eus2"
    allowed_subnet_resource_ids         = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app-eus2/providers/Microsoft.Network/virtualNetworks/vnet-app-eus2/subnets/snet-app"]
  }
  southeastasia = {
    resource_group_name                 = "rg-kv-shop-sea"
    key_vault_name                      = "kv-shop-sea"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-sea/providers/Microsoft.OperationalInsights/workspaces/log-sea"
    allowed_ip_ranges                   = ["198.51.100.7"]
  }
}
