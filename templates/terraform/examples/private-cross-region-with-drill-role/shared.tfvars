primary_region = "swedencentral"
sync_mode      = "one-way"

sync_identity = {
  principal_id = "11111111-1111-1111-1111-111111111111"
}

# Agents in either region reach both vaults over private IPs.
cross_region_private_endpoints_enabled = true

# The drill identity may change the primary vault's network settings to simulate its loss.
drill_role = {
  enabled      = true
  principal_id = "22222222-2222-2222-2222-222222222222"
}
