// The drift action's entry point; everything else lives in src/.
import { runGitHubAction } from '../../src/hosts/github-actions';
import { driftCommand } from '../../src/commands/drift';

void runGitHubAction(driftCommand);
