/**
 * What the Azure Pipelines agent gives a task and what it reads back: service connection
 * variables in, task results, output variables and secret registrations out.
 */
import assert from 'node:assert/strict';

import type { LoggingCommand } from './commands';

/** Returns the agent's variables for a service connection: the authorization as JSON, its scheme, each parameter, and its data. */
export function connectionEnv(id: string, scheme: string, parameters: Record<string, string>, data: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters, scheme }),
    [`ENDPOINT_AUTH_SCHEME_${id}`]: scheme,
  };
  for (const [key, value] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(data)) env[`ENDPOINT_DATA_${id}_${key.toUpperCase()}`] = value;
  return env;
}

/** Returns the output variables a task set, by name. */
export function outputVariables(commands: LoggingCommand[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const command of commands) {
    if (command.command === 'task.setvariable' && command.properties.isOutput === 'true') result[command.properties.variable] = command.data;
  }
  return result;
}

/** Returns every value a task registered as secret, directly or as a secret variable. */
export function registeredSecrets(commands: LoggingCommand[]): Set<string> {
  return new Set(
    commands
      .filter((command) => command.command === 'task.setsecret' || (command.command === 'task.setvariable' && command.properties.issecret === 'true'))
      .map((command) => command.data),
  );
}

/** Returns the task's one `task.complete` command. */
export function taskResult(commands: LoggingCommand[]): LoggingCommand {
  const complete = commands.filter((command) => command.command === 'task.complete');
  assert.equal(complete.length, 1, 'exactly one task.complete');
  return complete[0];
}
