# Two private regions whose networks reach both vaults, plus the optional DR drill role.
subscription_id = "00000000-0000-0000-0000-000000000000"

regions = {
  swedencentral = {
    resource_group_name                 = "rg-kv-pay-sec"
    key_vault_name                      = "kv-pay-sec"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-sec/providers/Microsoft.OperationalInsights/workspaces/log-sec"
    private_endpoint_subnet_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-sec/providers/Microsoft.Network/virtualNetworks/vnet-sec/subnets/snet-endpoints"
    virtual_network_resource_ids        = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-sec/providers/Microsoft.Network/virtualNetworks/vnet-sec"]
  }
  germanywestcentral = {
    resource_group_name                 = "rg-kv-pay-gwc"
    key_vault_name                      = "kv-pay-gwc"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-gwc/providers/Microsoft.OperationalInsights/workspaces/log-gwc"
    private_endpoint_subnet_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-gwc/providers/Microsoft.Network/virtualNetworks/vnet-gwc/subnets/snet-endpoints"
    virtual_network_resource_ids = [
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-gwc/providers/Microsoft.Network/virtualNetworks/vnet-gwc",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-agents-gwc/providers/Microsoft.Network/virtualNetworks/vnet-agents-gwc",
    ]
  }
}

soft_delete_retention_days = 30
