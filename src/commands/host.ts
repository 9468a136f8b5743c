/**
 * The interface between a command and its front end. Each front end (CLI, Azure Pipelines task,
 * GitHub Action) implements it once in `src/hosts`, and commands read options and report results
 * only through it.
 */
import type { TokenCredential } from '@azure/identity';
import type { Logger } from '../core/log';

/** The end state of a run, as the front end shows it. */
export type RunResult = 'succeeded' | 'partial' | 'failed';

export interface InputOptions {
  /** When true, a missing or empty input is an error naming the input. */
  required?: boolean;
}

export interface Host {
  readonly kind: 'cli' | 'azure-pipelines' | 'github-actions';
  readonly log: Logger;

  /**
   * Reads one input by its camelCase name (`onConflict`). The CLI maps it to the flag
   * (`--on-conflict`), the task to its input, the action to `INPUT_ONCONFLICT`. Returns `undefined`
   * when the input is absent or empty.
   */
  getInput(name: string, options?: InputOptions): string | undefined;
  /** Reads a repeated flag, or a multi-line or comma-separated input, as a list without blanks. */
  getListInput(name: string, options?: InputOptions): string[];
  /** Reads a boolean strictly: `true` or `false` (any case), else an error naming the input. */
  getBooleanInput(name: string, defaultValue: boolean): boolean;

  /** Registers a value with the front end's masking: the whole value, each line and escaped forms. */
  setSecret(value: string): void;
  /** Sets an output (task output variable, action output, or a field of the CLI's `--json`). */
  setOutput(name: string, value: string): void;
  /** Appends Markdown to the job summary; the CLI prints nothing here unless asked. */
  writeSummary(markdown: string): Promise<void>;
  /** Writes human-readable output such as the plan table (stdout for the CLI, the log elsewhere). */
  print(text: string): void;
  /** Writes machine-readable output. The CLI prints it on stdout under `--json`. */
  writeResult(value: unknown): void;
  /** Marks how the run ended, with a one-line message for the job's status. */
  setResult(result: RunResult, message: string): void;

  /** The credential for Key Vault and ARM, built from the front end's own authentication. */
  getCredential(): Promise<TokenCredential>;
  /** The environment a child process such as terraform should authenticate with. */
  getChildProcessEnv?(): Promise<Record<string, string>>;
}
