/**
 * The drift summary in Markdown, for `--markdown` and the job summary: counts by state and vault,
 * then the drifted secrets grouped by state and vault, then Terraform. Secrets are named, but values
 * never appear, because the report contains none.
 */
import { formatDuration } from '../duration';
import { escapeCell } from '../report/markdown';
import type { ReportEntry } from '../report/model';
import { DRIFT_STATES } from './model';
import type { DriftReport } from './report';

/** Options of {@link renderDriftMarkdown}. */
export interface DriftMarkdownOptions {
  /** Maximum secret names listed in one cell; the rest are counted. Default 50. */
  maxNamesPerCell?: number;
  /** Maximum rows in one table; the rest are counted. Default 200. */
  maxRows?: number;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const lines = [`| ${header.map(escapeCell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map((cell) => escapeCell(String(cell))).join(' | ')} |`);
  return lines.join('\n');
}

function namesCell(entries: readonly ReportEntry[], max: number): string {
  const names = entries.slice(0, max).map((entry) => `\`${entry.secret}\``);
  return entries.length > max ? `${names.join(', ')} … and ${entries.length - max} more` : names.join(', ');
}

/** Groups entries by state, then by vault, in the order of {@link DRIFT_STATES} and of the report's vaults. */
function groupByStateAndVault(report: DriftReport, entries: readonly ReportEntry[]): Array<{ state: string; vault: string; entries: ReportEntry[] }> {
  const groups = new Map<string, { state: string; vault: string; entries: ReportEntry[] }>();
  for (const entry of entries) {
    const key = `${entry.action}\n${entry.vault}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { state: entry.action, vault: entry.vault, entries: [entry] });
    else group.entries.push(entry);
  }
  const stateRank = (state: string): number => (DRIFT_STATES as readonly string[]).indexOf(state);
  const vaultRank = (vault: string): number => report.vaults.findIndex((item) => item.vaultId === vault);
  return [...groups.values()].sort((a, b) => stateRank(a.state) - stateRank(b.state) || vaultRank(a.vault) - vaultRank(b.vault));
}

/** Renders the drift report as Markdown. */
export function renderDriftMarkdown(report: DriftReport, options: DriftMarkdownOptions = {}): string {
  const maxNames = options.maxNamesPerCell ?? 50;
  const maxRows = options.maxRows ?? 200;
  const parts: string[] = [];

  parts.push(`## kvdr drift: ${report.driftCount > 0 ? `${report.driftCount} drifted` : 'no drift'} (${report.result})`);
  parts.push(escapeCell(report.message));
  const settings = Object.entries(report.settings).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value)]);
  parts.push(table(['setting', 'value'], [...settings, ['duration', formatDuration(report.durationInMs)]]));

  const secretEntries = report.entries.filter((entry) => report.vaults.some((vault) => vault.vaultId === entry.vault));
  if (report.vaults.length > 0) {
    parts.push('### Secrets by state and vault');
    const states = DRIFT_STATES.filter((state) => report.counts.byAction[state] !== undefined);
    const rows = states.map((state) => [state, ...report.vaults.map((vault) => report.counts.byVault[vault.vaultId]?.[state] ?? 0)]);
    parts.push(rows.length > 0 ? table(['state', ...report.vaults.map((vault) => vault.vaultId)], rows) : 'No secrets were compared.');
  }

  for (const [title, outcome] of [['Drifted secrets', 'drift'], ['Reported, not drift', 'reported']] as const) {
    const groups = groupByStateAndVault(report, secretEntries.filter((entry) => entry.outcome === outcome));
    if (groups.length === 0) continue;
    parts.push(`### ${title}`);
    parts.push(table(['state', 'vault', 'count', 'secrets'], groups.slice(0, maxRows).map((group) => [group.state, group.vault, group.entries.length, namesCell(group.entries, maxNames)])));
    if (groups.length > maxRows) parts.push(`… and ${groups.length - maxRows} more groups; see the JSON report.`);
  }

  if (report.terraform !== undefined) {
    parts.push('### Terraform');
    parts.push(
      table(
        ['region', 'outcome', 'drifted resources', 'changed outputs (not drift)', 'error'],
        report.terraform.regions.map((region) => [region.region, region.outcome, region.findings.length, region.outputChanges.join(', ') || '-', region.error ?? '']),
      ),
    );
    const findings = report.terraform.regions.flatMap((region) => region.findings);
    if (findings.length > 0) {
      const rows = findings.slice(0, maxRows).map((finding) => [finding.region, finding.address, finding.kind, finding.action, finding.changedAttributes.join(', ') || '-']);
      parts.push(table(['region', 'resource', 'drift', 'action', 'attributes'], rows));
      if (findings.length > maxRows) parts.push(`… and ${findings.length - maxRows} more resources; see the JSON report.`);
    }
  }

  const unusable = report.vaults.filter((vault) => vault.error !== undefined);
  if (unusable.length > 0) {
    parts.push('### Vaults that could not be checked');
    parts.push(table(['vault', 'error'], unusable.map((vault) => [vault.vaultUrl, vault.error ?? ''])));
  }

  if (report.warnings.length > 0) {
    parts.push('### Warnings');
    parts.push(report.warnings.map((warning) => `- ${escapeCell(warning)}`).join('\n'));
  }

  if (report.vaults.length > 0) {
    parts.push('### Requests and throttling');
    parts.push(
      table(
        ['vault', 'requests', 'by operation', 'throttled responses', 'throttled wait'],
        report.vaults.map((vault) => [
          vault.vaultId,
          vault.requests,
          Object.entries(vault.requestsByOperation).map(([operation, count]) => `${operation} ${count}`).join(', ') || '-',
          vault.throttledResponses,
          formatDuration(vault.throttledWaitInMs),
        ]),
      ),
    );
  }
  return parts.join('\n\n') + '\n';
}
