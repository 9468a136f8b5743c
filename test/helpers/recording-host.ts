/**
 * A {@link Host} for command tests: inputs come from a plain object, and everything the command
 * writes (logs, prints, outputs, summaries, results) is recorded unmasked, so tests can assert that a
 * secret value reaches no output even without a front end's masking.
 */
import type { TokenCredential } from '@azure/identity';

import type { Host, InputOptions, RunResult } from '../../src/commands/host';
import { flagOf } from '../../src/commands/spec';
import { invalidInput } from '../../src/core/errors';
import type { Logger } from '../../src/core/log';

export type Inputs = Record<string, string | string[] | boolean | undefined>;

/** Options for {@link RecordingHost}. */
export interface RecordingHostOptions {
  /** The credential `getCredential` returns; without one, `getCredential` throws. */
  credential?: TokenCredential;
  /** The environment `getChildProcessEnv` returns, for example `TF_VAR_*` values for terraform. */
  childEnv?: Record<string, string>;
}

export class RecordingHost implements Host {
  readonly kind = 'cli' as const;
  /** Log lines as `level: message`, and `group: name` where a group starts. */
  readonly logged: string[] = [];
  readonly printed: string[] = [];
  readonly summaries: string[] = [];
  readonly results: unknown[] = [];
  readonly secrets: string[] = [];
  readonly outputs: Record<string, string> = {};
  result: RunResult | undefined;
  message: string | undefined;
  readonly log: Logger;

  constructor(
    private readonly inputs: Inputs,
    private readonly options: RecordingHostOptions = {},
  ) {
    const record = (level: string) => (message: string) => {
      this.logged.push(`${level}: ${message}`);
    };
    this.log = {
      debug: record('debug'),
      info: record('info'),
      warning: record('warning'),
      error: record('error'),
      group: (name, fn) => {
        this.logged.push(`group: ${name}`);
        return fn();
      },
    };
  }

  /** Everything the command wrote, joined into one text for absence checks. */
  get transcript(): string {
    return [...this.logged, ...this.printed, ...this.summaries, JSON.stringify(this.results), JSON.stringify(this.outputs), this.message ?? ''].join('\n');
  }

  getInput(name: string, options: InputOptions = {}): string | undefined {
    const raw = this.inputs[name];
    let value: string | undefined;
    if (Array.isArray(raw)) value = raw[raw.length - 1];
    else if (typeof raw === 'boolean') value = String(raw);
    else value = raw;
    if (!value?.trim()) {
      if (options.required) throw invalidInput(`Missing required option ${flagOf(name)}.`);
      return undefined;
    }
    return value.trim();
  }

  getListInput(name: string, options: InputOptions = {}): string[] {
    const raw = this.inputs[name];
    let given: string[] = [];
    if (Array.isArray(raw)) given = raw;
    else if (typeof raw === 'string') given = [raw];
    const list = given.map((item) => item.trim()).filter((item) => item.length > 0);
    if (list.length === 0 && options.required) throw invalidInput(`Missing required option ${flagOf(name)}.`);
    return list;
  }

  getBooleanInput(name: string, defaultValue: boolean): boolean {
    const raw = this.inputs[name];
    if (raw === undefined) return defaultValue;
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (text !== 'true' && text !== 'false') throw invalidInput(`Invalid value for ${flagOf(name)}: expected true or false.`);
    return text === 'true';
  }

  setSecret(value: string): void {
    this.secrets.push(value);
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }

  async writeSummary(markdown: string): Promise<void> {
    this.summaries.push(markdown);
  }

  print(text: string): void {
    this.printed.push(text);
  }

  writeResult(value: unknown): void {
    this.results.push(value);
  }

  setResult(result: RunResult, message: string): void {
    this.result = result;
    this.message = message;
  }

  async getCredential(): Promise<TokenCredential> {
    if (this.options.credential === undefined) throw new Error('This test host has no credential. Pass one as `credential` in the RecordingHost options.');
    return this.options.credential;
  }

  async getChildProcessEnv(): Promise<Record<string, string>> {
    return this.options.childEnv ?? {};
  }
}
