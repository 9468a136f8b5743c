# Variables only the shared stack declares.
primary_region = "westeurope"
sync_mode      = "one-way"

sync_identity = {
  principal_id = "11111111-1111-1111-1111-111111111111"
}
