// The KeyVaultDeploy task's entry point; everything else lives in src/.
import { runAzurePipelinesTask } from '../../src/hosts/azure-pipelines';
import { deployCommand } from '../../src/commands/deploy';

void runAzurePipelinesTask(deployCommand);
