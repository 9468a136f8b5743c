primary_region = "westeurope"
sync_mode      = "mesh"

sync_identity = {
  principal_id = "11111111-1111-1111-1111-111111111111"
}
