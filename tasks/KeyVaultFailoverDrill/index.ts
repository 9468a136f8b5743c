// The KeyVaultFailoverDrill task's entry point; everything else lives in src/. The agent runs this
// bundle twice: as the step, then as the post-job step (postjobexecution in task.json). A task
// variable, which the agent keeps for the post-job step of the same task, distinguishes the two.
import { getTaskVariable, setTaskVariable } from 'azure-pipelines-task-lib/task';
import { runAzurePipelinesTask } from '../../src/hosts/azure-pipelines';
import { drillCommand, drillPostJobCommand } from '../../src/commands/drill';

const STARTED_VARIABLE = 'kvdrDrillStarted';

// NOTE: this assumes the agent runs a task's post-job step only after its main step started, so
// the variable is set. A separate post-job bundle would not depend on that, but scripts/build.mjs
// bundles one entry point per task.

if (getTaskVariable(STARTED_VARIABLE) !== 'true') {
  setTaskVariable(STARTED_VARIABLE, 'true');
  void runAzurePipelinesTask(drillCommand);
} else {
  void runAzurePipelinesTask(drillPostJobCommand);
}
