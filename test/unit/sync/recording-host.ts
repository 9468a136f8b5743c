/**
 * A {@link Host} that records everything a command writes, unmasked, so tests can assert that no
 * secret value reaches any output even without the front end's masking.
 */
import type { TokenCredential } from '@azure/identity';

import type { Host, InputOptions, RunResult } from '../../../src/commands/host';
import { flagOf } from '../../../src/commands/spec';
import { invalidInput } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/log';

export type Inputs = Record<string, string | string[] | boolean | undefined>;

export class RecordingHost implements Host {
  readonly kind = 'cli' as const;
  readonly lines: string[] = [];
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
    private readonly credential?: TokenCredential,
  ) {
    this.log = {
      debug: (message) => void this.lines.push(`debug: ${message}`),
      info: (message) => void this.lines.push(message),
      warning: (message) => void this.lines.push(`warning: ${message}`),
      error: (message) => void this.lines.push(`error: ${message}`),
      group: (name, fn) => {
        this.lines.push(name);
        return fn();
      },
    };
  }

  getInput(name: string, options: InputOptions = {}): string | undefined {
    const raw = this.inputs[name];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : typeof raw === 'boolean' ? String(raw) : raw;
    if (!value?.trim()) {
      if (options.required) throw invalidInput(`Missing required option ${flagOf(name)}.`);
      return undefined;
    }
    return value.trim();
  }

  getListInput(name: string): string[] {
    const raw = this.inputs[name];
    return (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).map((item) => item.trim()).filter((item) => item.length > 0);
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
    if (this.credential === undefined) throw new Error('This test host has no credential.');
    return this.credential;
  }

  /** Everything the command wrote, joined, for absence checks. */
  allText(): string {
    return [...this.lines, ...this.printed, ...this.summaries, JSON.stringify(this.results), JSON.stringify(this.outputs), this.message ?? ''].join('\n');
  }
}
