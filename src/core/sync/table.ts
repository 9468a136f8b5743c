/**
 * Plain-text tables for people: the plan, and the summary with counts per action and per vault and
 * the throttling each vault saw.
 */
import { formatDuration } from '../duration';
import type { RunReport } from '../report/model';
import { ACTION_KINDS, type PlannedAction, type SyncPlan } from './model';

/** Skips that filters cause; the plan table counts them instead of listing each. */
const FILTER_REASONS = new Set(['bookkeeping', 'excluded-by-name', 'excluded-by-tag', 'excluded-by-content-type']);

/** Formats rows as aligned columns. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/**
 * Formats the plan: one row per change, conflict and reported skip, up to `maxRows`; in-sync pairs
 * and filter exclusions are only counted.
 */
export function formatPlanTable(plan: SyncPlan, maxRows = 200): string {
  const listed = plan.actions.filter((action) => action.kind !== 'in-sync' && !(action.kind === 'skip' && FILTER_REASONS.has(action.reason ?? '')));
  const quiet = plan.actions.length - listed.length;
  if (listed.length === 0) return `Plan: nothing to change (${plan.actions.length} pairs in sync or excluded).`;

  const rows = listed.slice(0, maxRows).map((action) => [action.kind, action.name, action.vaultId, detailOf(action)]);
  const lines = [`Plan (${listed.length} pairs listed, ${quiet} in sync or excluded):`, formatTable(['action', 'secret', 'vault', 'detail'], rows)];
  if (listed.length > maxRows) lines.push(`… and ${listed.length - maxRows} more; the JSON report (--report) lists every pair.`);
  return lines.join('\n');
}

function detailOf(action: PlannedAction): string {
  const parts: string[] = [];
  if (action.fromVaultId !== undefined && action.kind !== 'update-properties' && action.valueSource !== undefined) parts.push(`from ${action.valueSource.vaultId}`);
  if (action.reason !== undefined) parts.push(action.reason);
  if (action.warning !== undefined) parts.push(action.warning);
  return parts.join('; ');
}

/** Formats the summary: counts per action and per vault, then requests and throttling per vault. */
export function formatSummary(report: RunReport): string {
  const actions = ACTION_KINDS.filter((kind) => (report.counts.byAction[kind] ?? 0) > 0);
  const perVault = formatTable(
    ['vault', ...actions, 'requests', 'throttled', 'throttled wait'],
    report.vaults.map((vault) => [
      vault.vaultId,
      ...actions.map((kind) => String(report.counts.byVault[vault.vaultId]?.[kind] ?? 0)),
      String(vault.requests),
      String(vault.throttledResponses),
      formatDuration(vault.throttledWaitInMs),
    ]),
  );
  const outcomes = Object.entries(report.counts.byOutcome)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
  return [`Summary: ${outcomes || 'no pairs'}.`, perVault].join('\n');
}
