/**
 * Input reading shared by the Azure Pipelines and GitHub Actions hosts. Both platforms hand inputs
 * over as text keyed by the camelCase input name, so trimming, list splitting, strict booleans and
 * the error messages live here once.
 */
import { invalidInput } from '../core/errors';
import type { InputOptions } from '../commands/host';

/** Returns the raw text of one input, or `undefined` when the platform has none. */
export type RawInputReader = (name: string) => string | undefined;

/** Options that only the CLI accepts; tasks and actions do not declare them. */
export const CLI_ONLY_OPTIONS: readonly string[] = ['json'];

/** Inputs the Azure Pipelines host reads itself, in addition to the command's options. */
export const AZURE_PIPELINES_HOST_INPUTS: readonly string[] = ['azureSubscription'];

/** Inputs the GitHub Actions host reads itself, in addition to the command's options. */
export const GITHUB_ACTIONS_HOST_INPUTS: readonly string[] = ['authMode', 'clientId', 'tenantId'];

/**
 * Splits a list input into entries: one per line, and lines split again at commas that are not
 * inside a `{...}` glob alternative, so `a-*,b-*` is two globs and `{a,b}-*` stays one.
 */
export function splitListInput(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split(/\r?\n|\r/)) {
    let depth = 0;
    let current = '';
    for (const character of line) {
      if (character === '{') depth += 1;
      if (character === '}' && depth > 0) depth -= 1;
      if (character === ',' && depth === 0) {
        entries.push(current);
        current = '';
      } else {
        current += character;
      }
    }
    entries.push(current);
  }
  return entries.map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}

/**
 * Typed reading of a platform's text inputs. `where` completes the sentence "Set it ..." in error
 * messages, so each platform names where its inputs are declared.
 */
export class PlatformInputs {
  constructor(
    private readonly read: RawInputReader,
    private readonly where: string,
  ) {}

  get(name: string, options: InputOptions = {}): string | undefined {
    const value = this.read(name)?.trim();
    if (!value) {
      if (options.required) throw invalidInput(`Missing required input "${name}". Set it ${this.where}.`);
      return undefined;
    }
    return value;
  }

  list(name: string, options: InputOptions = {}): string[] {
    const values = splitListInput(this.read(name) ?? '');
    if (values.length === 0 && options.required) {
      throw invalidInput(`Missing required input "${name}". Set it ${this.where}, one value per line.`);
    }
    return values;
  }

  boolean(name: string, defaultValue: boolean): boolean {
    const text = this.read(name)?.trim();
    if (!text) return defaultValue;
    const lower = text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw invalidInput(`Invalid value for input "${name}": "${text}". Use true or false.`);
  }
}
