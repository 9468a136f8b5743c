/**
 * Declarative option specs. Each command lists its options once here, and the CLI builds its flags
 * from them. Tests check that every task.json and action.yml declares the same inputs, so an option
 * means the same thing in every front end.
 */
import type { Host } from './host';

/** How an option's text is read. `list` options repeat on the CLI and are multi-line in YAML. */
export type OptionKind = 'string' | 'list' | 'boolean' | 'choice' | 'duration' | 'number' | 'path';

export interface OptionSpec {
  /** camelCase input name; the CLI flag is its kebab-case form (`onConflict` is `--on-conflict`). */
  name: string;
  kind: OptionKind;
  /** One sentence saying what the option sets and in what unit. */
  help: string;
  /** Default as text, shown in help and declared in task.json and action.yml. */
  defaultValue?: string;
  choices?: readonly string[];
  /** Placeholder for the CLI help, such as `<vault>`. */
  valueName?: string;
  /** Group name in task.json. */
  group?: string;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  /** Nothing failed and no conflict is left. */
  Success: 0,
  /** Bad input, rejected before anything was written, or a fatal error such as an unreachable source. */
  Fatal: 1,
  /** The run finished, but some pairs failed or conflict, or drift was found under `--on-drift fail`. */
  Partial: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CommandSpec {
  name: string;
  summary: string;
  options: readonly OptionSpec[];
  /** Runs the command; the result was already reported through the host. */
  run(host: Host): Promise<ExitCode>;
}

/** Converts a camelCase input name to its CLI flag. */
export function flagOf(name: string): string {
  return '--' + name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());
}

/** Filter options, identical for sync and drift. */
export const filterOptions: readonly OptionSpec[] = [
  { name: 'include', kind: 'list', valueName: '<glob>', group: 'filters', help: 'Secret name glob to include (case-insensitive); repeat for several. Default: all secrets.' },
  { name: 'exclude', kind: 'list', valueName: '<glob>', group: 'filters', help: 'Secret name glob to exclude (case-insensitive); repeat for several.' },
  { name: 'tag', kind: 'list', valueName: '<key=value>', group: 'filters', help: 'Only secrets whose tag has this value; repeat to require several tags.' },
  { name: 'contentType', kind: 'list', valueName: '<type>', group: 'filters', help: 'Only secrets with this content type; repeat to accept several.' },
];

/** Request pacing and deadlines, identical for every command that calls a vault. */
export const limitOptions: readonly OptionSpec[] = [
  { name: 'maxRps', kind: 'number', defaultValue: '300', valueName: '<n>', group: 'advanced', help: 'Requests per second per vault (Key Vault allows 400; the default keeps 25 % headroom).' },
  { name: 'timeout', kind: 'duration', defaultValue: '30m', valueName: '<duration>', group: 'advanced', help: 'Deadline for the whole run, such as 90s, 10m or 1h.' },
  { name: 'callTimeout', kind: 'duration', defaultValue: '30s', valueName: '<duration>', group: 'advanced', help: 'Deadline for one request, retries excluded.' },
];

/** Output files and formats, identical for every command. */
export const outputOptions: readonly OptionSpec[] = [
  { name: 'report', kind: 'path', valueName: '<file>', group: 'output', help: 'Write the JSON report to this file.' },
  { name: 'markdown', kind: 'path', valueName: '<file>', group: 'output', help: 'Write the Markdown summary to this file.' },
  { name: 'junit', kind: 'path', valueName: '<file>', group: 'output', help: 'Write a JUnit XML file with one test case per secret and vault pair.' },
  { name: 'json', kind: 'boolean', defaultValue: 'false', group: 'output', help: 'Print the JSON report on stdout and send logs to stderr (CLI only).' },
];
