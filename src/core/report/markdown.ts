/**
 * The Markdown summary: how the run ended, counts per action and per vault, conflicts and
 * failures by secret and vault, and the throttling each vault saw. Used for `--markdown` and the
 * job summary of Azure Pipelines and GitHub Actions.
 */
import { formatDuration } from '../duration';
import { DEFAULT_FAILURE_OUTCOMES, type ReportEntry, type RunReport } from './model';

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Outcomes listed as failures; default `conflict` and `failed`. */
  failureOutcomes?: readonly string[];
  /** Most failure rows listed; the rest are counted. Default 100. */
  maxRows?: number;
  /** Column order of actions; actions not listed follow in the order met. */
  actionOrder?: readonly string[];
}

/** Escapes text for a Markdown table cell, including HTML, which job summaries render. */
export function escapeCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const lines = [`| ${header.map((cell) => escapeCell(cell)).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map((cell) => escapeCell(String(cell))).join(' | ')} |`);
  return lines.join('\n');
}

function orderedActions(report: RunReport, order: readonly string[]): string[] {
  const present = Object.keys(report.counts.byAction);
  return [...order.filter((action) => present.includes(action)), ...present.filter((action) => !order.includes(action))];
}

/** Renders the report as Markdown. */
export function renderMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  const failureOutcomes = options.failureOutcomes ?? DEFAULT_FAILURE_OUTCOMES;
  const maxRows = options.maxRows ?? 100;
  const actions = orderedActions(report, options.actionOrder ?? []);
  const parts: string[] = [];

  parts.push(`## kvdr ${report.command}: ${report.result}${report.dryRun ? ' (dry run)' : ''}`);
  parts.push(escapeCell(report.message));
  const settings = Object.entries(report.settings).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value)]);
  parts.push(table(['setting', 'value'], [...settings, ['duration', formatDuration(report.durationInMs)], ['changes present', String(report.changesPresent)]]));

  parts.push('### Actions');
  parts.push(table(['action', 'pairs'], actions.map((action) => [action, report.counts.byAction[action]])));
  parts.push(table(['outcome', 'pairs'], Object.entries(report.counts.byOutcome)));

  parts.push('### Per vault');
  const vaultRows = report.vaults.map((vault) => [vault.vaultId, ...actions.map((action) => report.counts.byVault[vault.vaultId]?.[action] ?? 0)]);
  parts.push(table(['vault', ...actions], vaultRows));

  const failures = report.entries.filter((entry) => failureOutcomes.includes(entry.outcome));
  if (failures.length > 0) {
    parts.push('### Conflicts and failures');
    parts.push(table(['secret', 'vault', 'outcome', 'detail'], failures.slice(0, maxRows).map((entry) => [entry.secret, entry.vault, entry.outcome, detailOf(entry)])));
    if (failures.length > maxRows) parts.push(`… and ${failures.length - maxRows} more; see the JSON report.`);
  }

  const unusable = report.vaults.filter((vault) => vault.error !== undefined);
  if (unusable.length > 0) {
    parts.push('### Vaults that could not be used');
    parts.push(table(['vault', 'error'], unusable.map((vault) => [vault.vaultUrl, vault.error ?? ''])));
  }

  if (report.warnings.length > 0) {
    parts.push('### Warnings');
    parts.push(report.warnings.map((warning) => `- ${escapeCell(warning)}`).join('\n'));
  }

  parts.push('### Requests and throttling');
  parts.push(
    table(
      ['vault', 'requests', 'throttled responses', 'throttled wait', 'retries'],
      report.vaults.map((vault) => [vault.vaultId, vault.requests, vault.throttledResponses, formatDuration(vault.throttledWaitInMs), vault.retries]),
    ),
  );
  return parts.join('\n\n') + '\n';
}

function detailOf(entry: ReportEntry): string {
  return entry.error ?? entry.reason ?? entry.action;
}
