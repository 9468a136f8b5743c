// The sync action's entry point; everything else lives in src/.
import { runGitHubAction } from '../../src/hosts/github-actions';
import { syncCommand } from '../../src/commands/sync';

void runGitHubAction(syncCommand);
