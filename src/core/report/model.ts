/**
 * The report every command writes: one entry per secret and vault pair, counts, per-vault request
 * and throttling figures. Secret names appear in reports; values never do, because no report type
 * has a field that could hold one.
 */
import { describeError } from '../errors';
import type { VaultStats, VaultStore } from '../vault/port';

/** Outcomes that count as failures unless a writer's options list others. */
export const DEFAULT_FAILURE_OUTCOMES: readonly string[] = ['conflict', 'failed'];

/** One secret and vault pair. */
export interface ReportEntry {
  secret: string;
  /** The vault id, as lineage names it. */
  vault: string;
  /** The command's action or finding: a sync action (`create`) or a drift state (`missing`). */
  action: string;
  /** The pair's outcome: `converged`, `skipped`, `conflict`, `failed`, `planned`, or a drift outcome. */
  outcome: string;
  /** The reason for a skip, or the cause or resolution of a conflict. */
  reason?: string;
  /** The error message of a failed pair. */
  error?: string;
  /** A warning for the pair, such as a copy without lineage. */
  warning?: string;
}

/** Requests and throttling of one vault during the run. */
export interface ReportVault {
  vaultId: string;
  vaultUrl: string;
  /** `source`, `target`, `primary` or `vault`. */
  role: string;
  requests: number;
  requestsByOperation: Record<string, number>;
  throttledResponses: number;
  throttledWaitInMs: number;
  retries: number;
  /** The error that made the vault unusable, when there was one. */
  error?: string;
}

/** A command's run, as written to `--report` and summarised in Markdown and JUnit. */
export interface RunReport {
  /** `sync`, `drift` or `drill`. */
  command: string;
  /** `succeeded`, `partial` or `failed`. */
  result: string;
  exitCode: number;
  /** One line on how the run ended. */
  message: string;
  startedAt: string;
  finishedAt: string;
  durationInMs: number;
  /** The settings that shaped the run, such as mode and policies; never credentials. */
  settings: Record<string, string | number | boolean | string[]>;
  /** True when the run changed nothing on purpose (`--dry-run`). */
  dryRun: boolean;
  /** True when the plan changes at least one vault. */
  changesPresent: boolean;
  vaults: ReportVault[];
  counts: ReportCounts;
  entries: ReportEntry[];
  warnings: string[];
}

/** Counts of entries. */
export interface ReportCounts {
  byAction: Record<string, number>;
  byOutcome: Record<string, number>;
  /** Per vault id, counts by action. */
  byVault: Record<string, Record<string, number>>;
}

/** Counts entries by action, by outcome and by vault. */
export function countEntries(entries: readonly ReportEntry[]): ReportCounts {
  const counts: ReportCounts = { byAction: {}, byOutcome: {}, byVault: {} };
  for (const entry of entries) {
    counts.byAction[entry.action] = (counts.byAction[entry.action] ?? 0) + 1;
    counts.byOutcome[entry.outcome] = (counts.byOutcome[entry.outcome] ?? 0) + 1;
    const vault = (counts.byVault[entry.vault] ??= {});
    vault[entry.action] = (vault[entry.action] ?? 0) + 1;
  }
  return counts;
}

/**
 * Builds one vault's report figures from the request statistics its store recorded during the run,
 * with the error that made the vault unusable when there was one.
 */
export function reportVault(store: Pick<VaultStore, 'vaultId' | 'vaultUrl'>, role: string, stats: VaultStats, error?: unknown): ReportVault {
  const vault: ReportVault = {
    vaultId: store.vaultId,
    vaultUrl: store.vaultUrl,
    role,
    requests: Object.values(stats.requestsByOperation).reduce((sum, count) => sum + count, 0),
    requestsByOperation: { ...stats.requestsByOperation },
    throttledResponses: stats.throttledResponses,
    throttledWaitInMs: Math.round(stats.throttledWaitInMs),
    retries: stats.retries,
  };
  if (error !== undefined) vault.error = describeError(error);
  return vault;
}
