/**
 * The CLI host: inputs come from parsed flags, logs go to stderr (stdout is kept for `--json` and
 * the plan table), outputs become fields of the JSON result, and credentials come from the
 * DefaultAzureCredential chain.
 */
import type { TokenCredential } from '@azure/identity';
import { createDefaultCredential } from '../core/vault/factory';
import { invalidInput } from '../core/errors';
import type { Logger } from '../core/log';
import type { Host, InputOptions, RunResult } from '../commands/host';
import { flagOf } from '../commands/spec';
import { SecretMasker } from './masking';
import { GuardedCredential } from './credentials/common';

export type ParsedFlags = Record<string, string | string[] | boolean | undefined>;

export interface CliHostOptions {
  flags: ParsedFlags;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  verbose?: boolean;
}

export class CliHost implements Host {
  readonly kind = 'cli' as const;
  readonly log: Logger;
  readonly outputs: Record<string, string> = {};
  private readonly masker = new SecretMasker();
  private readonly flags: ParsedFlags;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private readonly env: NodeJS.ProcessEnv;
  private readonly json: boolean;
  private resultWritten = false;
  /** Error lines logged so far, kept for the `--json` document of a run that wrote no result. */
  private readonly errorMessages: string[] = [];

  constructor(options: CliHostOptions) {
    this.flags = options.flags;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.env = options.env ?? process.env;
    this.json = options.flags.json === true;
    const verbose = options.verbose ?? Boolean(this.env.KVDR_DEBUG);
    const write = (prefix: string, message: string): void => {
      this.stderr.write(this.masker.redact(prefix + message) + '\n');
    };
    let depth = 0;
    this.log = {
      debug: (message) => (verbose ? write('debug: ', message) : undefined),
      info: (message) => write('  '.repeat(depth), message),
      warning: (message) => write('warning: ', message),
      error: (message) => {
        this.errorMessages.push(message);
        write('error: ', message);
      },
      group: async (name, fn) => {
        write('  '.repeat(depth), name);
        depth += 1;
        try {
          return await fn();
        } finally {
          depth -= 1;
        }
      },
    };
  }

  getInput(name: string, options: InputOptions = {}): string | undefined {
    const trimmed = lastValue(this.flags[name])?.trim();
    if (!trimmed) {
      if (options.required) throw invalidInput(`Missing required option ${flagOf(name)}. Run with --help to see its format.`);
      return undefined;
    }
    return trimmed;
  }

  getListInput(name: string, options: InputOptions = {}): string[] {
    const values = allValues(this.flags[name])
      .flatMap((entry) => entry.split(/\r?\n/))
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    if (values.length === 0 && options.required) {
      throw invalidInput(`Missing required option ${flagOf(name)}. Give it at least once.`);
    }
    return values;
  }

  getBooleanInput(name: string, defaultValue: boolean): boolean {
    const raw = this.flags[name];
    if (raw === undefined) return defaultValue;
    if (typeof raw === 'boolean') return raw;
    const text = (Array.isArray(raw) ? raw[raw.length - 1] : raw).trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw invalidInput(`Invalid value for ${flagOf(name)}: expected true or false.`);
  }

  setSecret(value: string): void {
    this.masker.add(value);
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }

  async writeSummary(_markdown: string): Promise<void> {
    // The CLI writes summaries only to the --markdown file, which the command handles.
  }

  writeResult(value: unknown): void {
    this.resultWritten = true;
    // Redact string values only: redacting the serialized text would turn a secret such as
    // "true" or "300" in a boolean or a number into ***, which is not JSON.
    if (this.json) this.stdout.write(JSON.stringify(value, (_key, field: unknown) => (typeof field === 'string' ? this.masker.redact(field) : field), 2) + '\n');
  }

  /**
   * Writes a minimal JSON document under `--json` when the command ended without a result (bad
   * input or a fatal error), so that a caller piping stdout into a JSON parser always gets one.
   */
  writeFallbackResult(command: string, exitCode: number): void {
    if (this.resultWritten) return;
    this.writeResult({ command, result: exitCode === 0 ? 'succeeded' : 'failed', exitCode, errors: this.errorMessages });
  }

  /** Writes human-readable output (such as the plan table) on stdout, unless `--json` owns stdout. */
  print(text: string): void {
    const stream = this.json ? this.stderr : this.stdout;
    stream.write(this.masker.redact(text) + '\n');
  }

  setResult(result: RunResult, message: string): void {
    if (result === 'succeeded') this.log.info(message);
    else if (result === 'partial') this.log.warning(message);
    else this.log.error(message);
  }

  /**
   * Returns the DefaultAzureCredential chain, or the AZURE_CLIENT_SECRET service principal when
   * the environment names one. With KVDR_ALLOW_CUSTOM_HOSTS=1 it honours AZURE_AUTHORITY_HOST
   * without Entra instance discovery. Every token it issues is masked.
   */
  async getCredential(): Promise<TokenCredential> {
    const { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: clientSecret } = this.env;
    const servicePrincipal = Boolean(tenantId && clientId && clientSecret);
    return new GuardedCredential(createDefaultCredential(this.env), {
      setSecret: (value) => this.setSecret(value),
      description: servicePrincipal
        ? { method: 'the service principal in AZURE_CLIENT_ID and AZURE_CLIENT_SECRET', clientId, tenantId, remedy: 'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.' }
        : { method: 'the default Azure credential chain', remedy: 'Sign in with "az login", or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.' },
    });
  }
}

/** Returns the last value a flag was given, with a boolean flag as `true` or `false`. */
function lastValue(raw: ParsedFlags[string]): string | undefined {
  if (Array.isArray(raw)) return raw[raw.length - 1];
  if (typeof raw === 'boolean') return String(raw);
  return raw;
}

/** Returns every value a repeatable flag was given. */
function allValues(raw: ParsedFlags[string]): string[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string') return [raw];
  return [];
}
