/**
 * Structural parsers for what the agent and the runner read from a task or action: Azure Pipelines
 * `##vso[...]` logging commands, GitHub workflow commands (`::name props::data`) and the
 * GITHUB_OUTPUT file format, including heredoc delimiters.
 */

/** One `##vso[area.action key=value;...]data` command, with properties and data unescaped. */
export interface LoggingCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
}

/** Reverses the agent's escaping of logging command data. */
export function unescapeLoggingData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%AZP25/g, '%');
}

/** Reverses the agent's escaping of logging command properties. */
export function unescapeLoggingProperty(text: string): string {
  return unescapeLoggingData(text.replace(/%3B/g, ';').replace(/%5D/g, ']'));
}

/** Parses every `##vso[...]` command in a task's stdout, in order. */
export function parseLoggingCommands(stdout: string): LoggingCommand[] {
  const commands: LoggingCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const start = line.indexOf('##vso[');
    if (start < 0) continue;
    const close = line.indexOf(']', start);
    if (close < 0) continue;
    const head = line.slice(start + '##vso['.length, close);
    const space = head.indexOf(' ');
    const command = space < 0 ? head : head.slice(0, space);
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const pair of head.slice(space + 1).split(';')) {
        const equals = pair.indexOf('=');
        if (equals > 0) properties[pair.slice(0, equals).trim()] = unescapeLoggingProperty(pair.slice(equals + 1));
      }
    }
    commands.push({ command, properties, data: unescapeLoggingData(line.slice(close + 1)) });
  }
  return commands;
}

/** Returns stdout without the `##vso[task.setsecret]` lines, whose purpose is to carry the value. */
export function withoutSecretRegistrations(stdout: string): string {
  return stdout
    .split(/\r?\n/)
    .filter((line) => !line.includes('##vso[task.setsecret]') && !/##vso\[task\.setvariable[^\]]*issecret=true/.test(line))
    .join('\n');
}

/** One GitHub workflow command such as `::add-mask::value` or `::error title=x::message`. */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
}

function unescapeWorkflowData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeWorkflowProperty(text: string): string {
  return unescapeWorkflowData(text.replace(/%3A/g, ':').replace(/%2C/g, ','));
}

/** Parses every workflow command in an action's stdout, in order. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',')) {
      const equals = pair.indexOf('=');
      if (equals > 0) properties[pair.slice(0, equals)] = unescapeWorkflowProperty(pair.slice(equals + 1));
    }
    commands.push({ command: match[1], properties, data: unescapeWorkflowData(match[3]) });
  }
  return commands;
}

/** Returns stdout without `::add-mask::` lines, whose purpose is to carry the value. */
export function withoutMaskCommands(stdout: string): string {
  return stdout
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/**
 * Parses a GITHUB_OUTPUT (or GITHUB_ENV) file: `name<<DELIMITER` heredocs and single-line
 * `name=value` entries. A later entry for the same name wins, as on the runner.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index].replace(/\r$/, '');
    if (line.length === 0) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      index += 1;
      while (index < lines.length && lines[index].replace(/\r$/, '') !== delimiter) {
        value.push(lines[index]);
        index += 1;
      }
      if (index >= lines.length) throw new Error(`GITHUB_OUTPUT entry "${name}" has no closing delimiter ${delimiter}.`);
      result[name] = value.join('\n');
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`GITHUB_OUTPUT line is neither name=value nor a heredoc: ${line}`);
    result[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return result;
}
