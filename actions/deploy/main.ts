// The deploy action's entry point; everything else lives in src/.
import { runGitHubAction } from '../../src/hosts/github-actions';
import { deployCommand } from '../../src/commands/deploy';

void runGitHubAction(deployCommand);
