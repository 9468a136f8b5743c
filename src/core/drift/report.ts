/**
 * Turns a drift check into the shared report: one entry per secret and vault pair, one per drifted
 * Terraform resource and one per region that could not be checked, plus the per-vault request
 * figures. Entries name secrets and resources; no field can hold a value.
 */
import { describeError } from '../errors';
import { countEntries, reportVault, type ReportEntry, type ReportVault, type RunReport } from '../report/model';
import type { VaultStore } from '../vault/port';
import type { RegionDriftResult, SecretDriftFinding, TerraformDriftFinding } from './model';
import type { SecretDriftResult } from './secrets';
import type { TerraformDriftResult } from './terraform';

/** The drift report: the shared report plus the Terraform regions checked. */
export interface DriftReport extends RunReport {
  /** Number of entries whose outcome is `drift`. */
  driftCount: number;
  terraform?: { terraformVersion: string; regions: RegionDriftResult[] };
}

/** Options of {@link buildDriftReport}. */
export interface DriftReportOptions {
  stores: readonly VaultStore[];
  hasSource: boolean;
  settings: RunReport['settings'];
  startedAt: Date;
  finishedAt: Date;
  result: string;
  exitCode: number;
  message: string;
}

/** Returns the pseudo vault id under which a region's Terraform findings are reported. */
export function terraformVaultId(region: string): string {
  return `terraform/${region}`;
}

function secretEntry(finding: SecretDriftFinding): ReportEntry {
  const entry: ReportEntry = { secret: finding.name, vault: finding.vaultId, action: finding.state, outcome: finding.outcome };
  if (finding.reason !== undefined) entry.reason = finding.reason;
  return entry;
}

function terraformEntry(finding: TerraformDriftFinding): ReportEntry {
  const attributes = finding.changedAttributes.length > 0 ? ` (attributes: ${finding.changedAttributes.join(', ')})` : '';
  const what = finding.kind === 'changed-outside-terraform' ? 'Changed outside Terraform' : 'The next apply would change it';
  const fix =
    finding.kind === 'changed-outside-terraform'
      ? 'Apply the configuration to undo the change, or bring the change into the configuration.'
      : 'Review the plan and apply it, or update the configuration.';
  return {
    secret: finding.address,
    vault: terraformVaultId(finding.region),
    action: finding.kind,
    outcome: 'drift',
    reason: `${what}: ${finding.action}${attributes}. ${fix}`,
  };
}

function roleOf(hasSource: boolean, index: number): string {
  if (hasSource) return index === 0 ? 'source' : 'target';
  return index === 0 ? 'primary' : 'vault';
}

/** Counts the drifted pairs and resources of a check. */
export function countDrift(secrets: SecretDriftResult | undefined, terraform: TerraformDriftResult | undefined): number {
  const secretDrift = secrets?.findings.filter((finding) => finding.outcome === 'drift').length ?? 0;
  const terraformDrift = terraform?.regions.reduce((sum, region) => sum + region.findings.length, 0) ?? 0;
  return secretDrift + terraformDrift;
}

/** Builds the report of a drift check. */
export function buildDriftReport(secrets: SecretDriftResult | undefined, terraform: TerraformDriftResult | undefined, options: DriftReportOptions): DriftReport {
  const entries: ReportEntry[] = (secrets?.findings ?? []).map(secretEntry);
  // A vault that could not be listed has no pairs, so one failed entry keeps it visible in JUnit and the summary.
  for (const [vaultId, error] of secrets?.unreachable ?? []) {
    entries.push({ secret: 'list secrets', vault: vaultId, action: 'error', outcome: 'failed', error: describeError(error) });
  }
  for (const region of terraform?.regions ?? []) {
    entries.push(...region.findings.map(terraformEntry));
    if (region.outcome === 'failed') {
      entries.push({ secret: 'terraform plan', vault: terraformVaultId(region.region), action: 'error', outcome: 'failed', error: region.error ?? 'failed' });
    }
  }

  const vaults: ReportVault[] = options.stores.map((store, index) =>
    reportVault(store, roleOf(options.hasSource, index), secrets?.stats.get(store.vaultId) ?? store.stats(), secrets?.unreachable.get(store.vaultId)),
  );

  const warnings: string[] = [];
  const valuesRead = secrets?.valuesRead ?? 0;
  if (valuesRead > 0 && options.settings.deep !== true) {
    warnings.push(`${valuesRead} value(s) were read to compare secrets with 15 tags, which carry no lineage.`);
  }

  const driftCount = entries.filter((entry) => entry.outcome === 'drift').length;
  const report: DriftReport = {
    command: 'drift',
    result: options.result,
    exitCode: options.exitCode,
    message: options.message,
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
    durationInMs: options.finishedAt.getTime() - options.startedAt.getTime(),
    settings: options.settings,
    dryRun: true,
    changesPresent: driftCount > 0,
    vaults,
    counts: countEntries(entries),
    entries,
    warnings,
    driftCount,
  };
  if (terraform !== undefined) report.terraform = terraform;
  return report;
}
