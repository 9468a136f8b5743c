// The drill action's entry point; everything else lives in src/. GitHub runs this bundle twice: as
// the step (runs.main), then after the job (runs.post). State the step writes to GITHUB_STATE
// reaches the post step alone, as STATE_<name>, which distinguishes the two.
import { appendFileSync } from 'node:fs';
import { runGitHubAction } from '../../src/hosts/github-actions';
import { drillCommand, drillPostJobCommand } from '../../src/commands/drill';

const STARTED_STATE = 'kvdrDrillStarted';

if (process.env[`STATE_${STARTED_STATE}`] !== 'true') {
  if (process.env.GITHUB_STATE) appendFileSync(process.env.GITHUB_STATE, `${STARTED_STATE}=true\n`);
  void runGitHubAction(drillCommand);
} else {
  void runGitHubAction(drillPostJobCommand);
}
