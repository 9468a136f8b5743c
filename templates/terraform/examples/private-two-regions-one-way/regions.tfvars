# Two regions behind private endpoints; the regional stacks (private/) and the shared stack read this file.
subscription_id = "00000000-0000-0000-0000-000000000000"

regions = {
  westeurope = {
    resource_group_name                 = "rg-kv-app-weu"
    key_vault_name                      = "kv-app-weu"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-weu/providers/Microsoft.OperationalInsights/workspaces/log-weu"
    private_endpoint_subnet_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-weu/providers/Microsoft.Network/virtualNetworks/vnet-weu/subnets/snet-endpoints"
    virtual_network_resource_ids        = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-weu/providers/Microsoft.Network/virtualNetworks/vnet-weu"]
  }
  northeurope = {
    resource_group_name                 = "rg-kv-app-neu"
    key_vault_name                      = "kv-app-neu"
    log_analytics_workspace_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitor-neu/providers/Microsoft.OperationalInsights/workspaces/log-neu"
    private_endpoint_subnet_resource_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-neu/providers/Microsoft.Network/virtualNetworks/vnet-neu/subnets/snet-endpoints"
    virtual_network_resource_ids        = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net-neu/providers/Microsoft.Network/virtualNetworks/vnet-neu"]
  }
}

tags = {
  workload = "app"
}
