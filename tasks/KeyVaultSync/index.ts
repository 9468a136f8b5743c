// The KeyVaultSync task's entry point; everything else lives in src/.
import { runAzurePipelinesTask } from '../../src/hosts/azure-pipelines';
import { syncCommand } from '../../src/commands/sync';

void runAzurePipelinesTask(syncCommand);
