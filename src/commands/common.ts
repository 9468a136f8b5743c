/**
 * Helpers that sync, drift and drill share: reading and validating vault references, filters and
 * limits, the run deadline, opening stores, publishing reports and outputs, and mapping outcomes to
 * exit codes. Every read here validates, and nothing here calls a vault.
 */
import { setMaxListeners } from 'node:events';
import { statSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { dirname, join, resolve } from 'node:path';

import { parseDurationInMs } from '../core/duration';
import { EngineError, invalidInput } from '../core/errors';
import { writeJsonReportFile, renderJunit, renderMarkdown, writeReportFile, type JunitOptions, type MarkdownOptions, type RunReport } from '../core/report';
import { createSecretFilter, type SecretFilter } from '../core/sync/filters';
import { openVault } from '../core/vault/factory';
import type { VaultStore } from '../core/vault/port';
import { customHostsAllowed, parseVaultReference, type VaultReference } from '../core/vault/url';
import type { Host, RunResult } from './host';
import { ExitCode, flagOf } from './spec';

/** Ways for tests and the demo to reach the emulator in-process; the front ends pass none. */
export interface VaultAccessOverrides {
  /** Environment for KVDR_ALLOW_CUSTOM_HOSTS; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Extra CA certificate (PEM) to trust. */
  tlsCa?: string;
  /** DNS lookup in place of the system's. */
  lookup?: LookupFunction;
  /** Requests in flight per vault during apply. */
  concurrencyPerVault?: number;
  /** Opens a store in place of {@link openVault}, for unit tests with in-memory vaults. */
  openStore?: (reference: VaultReference) => VaultStore;
}

/** Request pacing and deadlines read from the shared limit options. */
export interface RunLimits {
  maxRequestsPerSecond: number;
  timeoutInMs: number;
  callTimeoutInMs: number;
}

/** Output files and formats read from the shared output options. */
export interface OutputPaths {
  report?: string;
  markdown?: string;
  junit?: string;
  json: boolean;
}

/** Reads one vault option (`--source`): a bare name or a URL; custom hosts need KVDR_ALLOW_CUSTOM_HOSTS=1. */
export function readVaultReference(host: Host, name: string, env: NodeJS.ProcessEnv = process.env): VaultReference | undefined {
  const text = host.getInput(name);
  return text === undefined ? undefined : parseVaultReferenceFor(name, text, env);
}

/** Reads a repeated vault option (`--target`, `--vault`). */
export function readVaultReferences(host: Host, name: string, env: NodeJS.ProcessEnv = process.env): VaultReference[] {
  return host.getListInput(name).map((text) => parseVaultReferenceFor(name, text, env));
}

function parseVaultReferenceFor(name: string, text: string, env: NodeJS.ProcessEnv): VaultReference {
  try {
    return parseVaultReference(text, customHostsAllowed(env));
  } catch (error) {
    if (error instanceof EngineError) throw invalidInput(`${flagOf(name)}: ${error.message}`);
    throw error;
  }
}

/**
 * Rejects a vault given twice, because a vault cannot be synced with itself, and two vaults with the
 * same vault id, because lineage names a vault by that id and could not tell them apart.
 */
export function assertDistinctVaults(references: readonly VaultReference[]): void {
  const seen = new Map<string, VaultReference>();
  for (const reference of references) {
    const known = seen.get(reference.id);
    if (known?.url === reference.url) throw invalidInput(`Vault ${reference.url} is given more than once. Give each vault once.`);
    if (known !== undefined) {
      throw invalidInput(`Vaults ${known.url} and ${reference.url} have the same vault id "${reference.id}", which lineage uses to name a vault. Sync vaults with different names in separate runs.`);
    }
    seen.set(reference.id, reference);
  }
}

/** Reads the filter options into one {@link SecretFilter}. */
export function readSecretFilter(host: Host): SecretFilter {
  return createSecretFilter({
    include: host.getListInput('include'),
    exclude: host.getListInput('exclude'),
    tags: host.getListInput('tag'),
    contentTypes: host.getListInput('contentType'),
  });
}

/** Reads `--max-rps`, `--timeout` and `--call-timeout`. */
export function readLimits(host: Host, defaults: { timeout?: string } = {}): RunLimits {
  const rpsText = host.getInput('maxRps') ?? '300';
  // Decimal only: Number() would also take "0x10", "1e3" and surrounding spaces.
  const maxRequestsPerSecond = /^\d+(\.\d+)?$/.test(rpsText) ? Number(rpsText) : Number.NaN;
  if (!Number.isFinite(maxRequestsPerSecond) || maxRequestsPerSecond <= 0) {
    throw invalidInput(`Invalid --max-rps "${rpsText}": give a positive number of requests per second per vault, such as 300.`);
  }
  const timeoutInMs = parseDurationInMs(host.getInput('timeout') ?? defaults.timeout ?? '30m', '--timeout');
  const callTimeoutInMs = parseDurationInMs(host.getInput('callTimeout') ?? '30s', '--call-timeout');
  if (timeoutInMs <= 0) throw invalidInput('Invalid --timeout: give a positive duration, such as 30m.');
  if (callTimeoutInMs <= 0) throw invalidInput('Invalid --call-timeout: give a positive duration, such as 30s.');
  return { maxRequestsPerSecond, timeoutInMs, callTimeoutInMs };
}

/** Reads a choice option, rejecting values outside `choices`. */
export function readChoice<T extends string>(host: Host, name: string, choices: readonly T[], defaultValue: T): T {
  const value = host.getInput(name) ?? defaultValue;
  if (!(choices as readonly string[]).includes(value)) {
    throw invalidInput(`Invalid ${flagOf(name)} "${value}": use one of ${choices.join(', ')}.`);
  }
  return value as T;
}

const REPORT_EXTENSIONS = { report: 'json', markdown: 'md', junit: 'xml' } as const;

/**
 * Reads `--report`, `--markdown`, `--junit` and `--json`. Rejects a path that is a folder and one
 * path given for two outputs, because either would fail or lose a report after the run has written.
 */
export function readOutputPaths(host: Host): OutputPaths {
  const paths = { report: host.getInput('report'), markdown: host.getInput('markdown'), junit: host.getInput('junit') };
  const seen = new Map<string, string>();
  for (const [name, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    const absolute = resolve(path);
    const file = fileAncestorOf(absolute);
    if (file !== undefined) {
      throw invalidInput(`${flagOf(name)} "${path}" is inside "${file}", which is a file. Give a path in a folder, or move that file away.`);
    }
    if (statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) {
      throw invalidInput(`${flagOf(name)} "${path}" is a folder. Give a file path, such as ${join(path, `${name}.${REPORT_EXTENSIONS[name as keyof typeof paths]}`)}.`);
    }
    const other = seen.get(absolute);
    if (other !== undefined) throw invalidInput(`${flagOf(name)} and ${flagOf(other)} name the same file "${path}". Give each output its own file.`);
    seen.set(absolute, name);
  }
  return { ...paths, json: host.getBooleanInput('json', false) };
}

/** Returns the nearest existing ancestor of `absolute` when it is a file rather than a folder. */
function fileAncestorOf(absolute: string): string | undefined {
  for (let parent = dirname(absolute); parent !== dirname(parent); parent = dirname(parent)) {
    try {
      const stats = statSync(parent, { throwIfNoEntry: false });
      if (stats !== undefined) return stats.isDirectory() ? undefined : parent;
    } catch (error) {
      // ENOTDIR means that a path above `parent` is a file, and a later pass of the loop reaches it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
  }
  return undefined;
}

/** The run's deadline: an AbortSignal that fires after `timeoutInMs`. Call `dispose` when done. */
export interface RunDeadline {
  signal: AbortSignal;
  dispose(): void;
}

/** Starts the run's deadline. */
export function createRunDeadline(timeoutInMs: number): RunDeadline {
  const controller = new AbortController();
  // Every request in flight listens to the deadline, so Node's warning at 10 listeners would be noise.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => {
    controller.abort(new EngineError('timeout', `The run did not finish within --timeout (${timeoutInMs / 1000} s). Raise --timeout, or narrow the run with filters.`));
  }, timeoutInMs);
  timer.unref();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/** Opens a store per vault with the host's credential; no request is sent until a store is used. */
export async function openStores(host: Host, references: readonly VaultReference[], limits: RunLimits, deadline: RunDeadline, overrides: VaultAccessOverrides = {}): Promise<VaultStore[]> {
  if (overrides.openStore !== undefined) return references.map(overrides.openStore);
  const credential = await host.getCredential();
  return references.map((reference) =>
    openVault(reference, {
      credential,
      maxRequestsPerSecond: limits.maxRequestsPerSecond,
      callTimeoutInMs: limits.callTimeoutInMs,
      abortSignal: deadline.signal,
      logger: host.log,
      tlsCa: overrides.tlsCa,
      lookup: overrides.lookup,
    }),
  );
}

/** Options of {@link publishReport}. */
export interface PublishOptions {
  markdown?: MarkdownOptions;
  junit?: JunitOptions;
}

/**
 * Writes the report files that were asked for, appends the Markdown summary to the job summary,
 * prints the JSON report under `--json`, and sets the `reportPath` output. Returns the report path.
 */
export async function publishReport(host: Host, report: RunReport, paths: OutputPaths, options: PublishOptions = {}): Promise<string | undefined> {
  const markdown = renderMarkdown(report, options.markdown);
  let reportPath: string | undefined;
  if (paths.report !== undefined) reportPath = await writeJsonReportFile(paths.report, report);
  if (paths.markdown !== undefined) await writeReportFile(paths.markdown, markdown);
  if (paths.junit !== undefined) await writeReportFile(paths.junit, renderJunit(report, options.junit));
  await host.writeSummary(markdown);
  host.writeResult(report);
  host.setOutput('reportPath', reportPath ?? '');
  return reportPath;
}

/** Maps a result to its exit code. */
export function exitCodeOf(result: RunResult): ExitCode {
  if (result === 'succeeded') return ExitCode.Success;
  if (result === 'partial') return ExitCode.Partial;
  return ExitCode.Fatal;
}

/** Reports how the run ended through the host and returns the exit code. */
export function finishRun(host: Host, result: RunResult, message: string): ExitCode {
  host.setOutput('result', result);
  host.setResult(result, message);
  return exitCodeOf(result);
}
