/**
 * Turns a sync run into the shared report: one entry per secret and vault pair, the per-vault
 * request and throttling figures, and the warnings (copies without lineage, unusable vaults).
 */
import { countEntries, reportVault, type ReportEntry, type ReportVault, type RunReport } from '../report/model';
import type { VaultStore } from '../vault/port';
import type { SyncRunResult } from './run';
import type { SyncPolicy } from './model';

/** Options of {@link buildSyncReport}. */
export interface SyncReportOptions {
  stores: readonly VaultStore[];
  policy: SyncPolicy;
  startedAt: Date;
  finishedAt: Date;
  result: string;
  exitCode: number;
  message: string;
}

/** Outcome counts of a run, the numbers behind outputs and summaries. */
export interface SyncCounts {
  created: number;
  updated: number;
  propertiesUpdated: number;
  recovered: number;
  deleted: number;
  skipped: number;
  inSync: number;
  conflicts: number;
  failed: number;
  planned: number;
}

/** Counts a run's pairs: changes applied by kind, skips, conflicts and failures. */
export function countSyncResults(run: SyncRunResult): SyncCounts {
  const counts: SyncCounts = { created: 0, updated: 0, propertiesUpdated: 0, recovered: 0, deleted: 0, skipped: 0, inSync: 0, conflicts: 0, failed: 0, planned: 0 };
  for (const { action, outcome } of run.results) {
    if (outcome === 'failed') counts.failed += 1;
    else if (outcome === 'conflict') counts.conflicts += 1;
    else if (outcome === 'skipped') counts.skipped += 1;
    else if (outcome === 'planned') counts.planned += 1;
    else if (action.kind === 'create') counts.created += 1;
    else if (action.kind === 'update') counts.updated += 1;
    else if (action.kind === 'update-properties') counts.propertiesUpdated += 1;
    else if (action.kind === 'recover-then-update') counts.recovered += 1;
    else if (action.kind === 'delete') counts.deleted += 1;
    else counts.inSync += 1;
  }
  return counts;
}

/** Builds the shared report of a sync run. */
export function buildSyncReport(run: SyncRunResult, options: SyncReportOptions): RunReport {
  const entries: ReportEntry[] = run.results.map(({ action, outcome, error }) => {
    const entry: ReportEntry = { secret: action.name, vault: action.vaultId, action: action.kind, outcome };
    if (action.reason !== undefined) entry.reason = action.reason;
    if (error !== undefined) entry.error = error;
    if (action.warning !== undefined) entry.warning = action.warning;
    return entry;
  });

  const warnings: string[] = [];
  const noLineage = run.results.filter(({ action }) => action.warning !== undefined && action.kind !== 'in-sync');
  if (noLineage.length > 0) {
    const names = [...new Set(noLineage.map(({ action }) => action.name))];
    warnings.push(`${names.length} secret(s) copied without lineage because they have 15 tags: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`);
  }

  const vaults: ReportVault[] = options.stores.map((store, index) =>
    reportVault(store, roleOf(options.policy, index), run.stats.get(store.vaultId) ?? store.stats(), run.unreachable.get(store.vaultId)),
  );

  return {
    command: 'sync',
    result: options.result,
    exitCode: options.exitCode,
    message: options.message,
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
    durationInMs: options.finishedAt.getTime() - options.startedAt.getTime(),
    settings: {
      mode: options.policy.mode,
      onConflict: options.policy.onConflict,
      deletes: options.policy.deletes,
      prune: options.policy.prune,
      onSoftDeleted: options.policy.onSoftDeleted,
      filter: options.policy.filter.description,
    },
    dryRun: run.dryRun,
    changesPresent: run.changesPresent,
    vaults,
    counts: countEntries(entries),
    entries,
    warnings,
  };
}

function roleOf(policy: SyncPolicy, index: number): string {
  if (policy.mode === 'mesh') return index === 0 ? 'primary' : 'vault';
  return index === 0 ? 'source' : 'target';
}
