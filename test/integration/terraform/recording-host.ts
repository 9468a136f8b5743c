/**
 * A Host for command tests: inputs from a plain object, and everything the command writes
 * (logs, prints, outputs, summaries, results) recorded in `transcript` so tests can assert that a
 * secret appears nowhere.
 */
import type { TokenCredential } from '@azure/identity';
import { invalidInput } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/log';
import type { Host, RunResult } from '../../../src/commands/host';

export type Inputs = Record<string, string | string[] | boolean | undefined>;

export class RecordingHost implements Host {
  readonly kind = 'cli' as const;
  readonly outputs: Record<string, string> = {};
  readonly summaries: string[] = [];
  readonly printed: string[] = [];
  readonly logged: string[] = [];
  readonly secrets: string[] = [];
  results: unknown[] = [];
  result?: { result: RunResult; message: string };
  readonly log: Logger;

  constructor(
    private readonly inputs: Inputs,
    private readonly childEnv: Record<string, string> = {},
  ) {
    const record = (level: string) => (message: string) => {
      this.logged.push(`${level}: ${message}`);
    };
    this.log = {
      debug: record('debug'),
      info: record('info'),
      warning: record('warning'),
      error: record('error'),
      group: async (name, fn) => {
        this.logged.push(`group: ${name}`);
        return fn();
      },
    };
  }

  /** Everything the command wrote, as one text. */
  get transcript(): string {
    return [...this.logged, ...this.printed, ...this.summaries, JSON.stringify(this.outputs), JSON.stringify(this.results), JSON.stringify(this.result)].join('\n');
  }

  getInput(name: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.inputs[name];
    const text = Array.isArray(value) ? value[value.length - 1] : typeof value === 'boolean' ? String(value) : value;
    if (!text?.trim()) {
      if (options.required) throw invalidInput(`Missing required input ${name}.`);
      return undefined;
    }
    return text.trim();
  }

  getListInput(name: string, options: { required?: boolean } = {}): string[] {
    const value = this.inputs[name];
    const list = (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).map((entry) => entry.trim()).filter(Boolean);
    if (list.length === 0 && options.required) throw invalidInput(`Missing required input ${name}.`);
    return list;
  }

  getBooleanInput(name: string, defaultValue: boolean): boolean {
    const value = this.inputs[name];
    if (value === undefined) return defaultValue;
    if (typeof value === 'boolean') return value;
    const text = String(value).toLowerCase();
    if (text !== 'true' && text !== 'false') throw invalidInput(`Invalid boolean for ${name}.`);
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
    this.result = { result, message };
  }

  async getCredential(): Promise<TokenCredential> {
    throw new Error('RecordingHost has no credential; tests that need one pass their own.');
  }

  async getChildProcessEnv(): Promise<Record<string, string>> {
    return this.childEnv;
  }
}
