// The KeyVaultDriftCheck task's entry point; everything else lives in src/.
import { runAzurePipelinesTask } from '../../src/hosts/azure-pipelines';
import { driftCommand } from '../../src/commands/drift';

void runAzurePipelinesTask(driftCommand);
