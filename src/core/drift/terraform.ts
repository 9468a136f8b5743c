/**
 * Terraform drift per region stack. `terraform plan -refresh-only` followed by `terraform show
 * -json` lists in `resource_drift` what changed outside Terraform; a normal plan lists in
 * `resource_changes` what the next apply would do. Drift is judged from that JSON only, because a
 * refresh-only plan exits 2 under `-detailed-exitcode` when nothing but an output changed.
 * Findings keep resource addresses and attribute names, never attribute values.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, isEngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { changeKindOf, type PlanJson, type PlanResourceChange } from '../terraform/plan-summary';
import { checkTerraformVersionFor, initRegionStack, stackContext, type RegionStacksOptions } from '../terraform/regions';
import { planStack, showPlanJson } from '../terraform/stack';
import type { RegionDriftResult, TerraformDriftFinding, TerraformDriftKind } from './model';

/** Options of {@link checkTerraformDrift}. */
export interface CheckTerraformDriftOptions extends RegionStacksOptions {
  /** Parent folder of each region's `TF_DATA_DIR` (`<workDir>/<region>`) and plan files. */
  workDir: string;
}

/** The Terraform drift check's findings, per region. */
export interface TerraformDriftResult {
  terraformVersion: string;
  regions: RegionDriftResult[];
}

/** Names the top-level attributes whose values differ between `before` and `after`; values are compared, never kept. */
export function changedAttributeNames(before: unknown, after: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return [];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name] ?? null) !== JSON.stringify(after[name] ?? null)).sort();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findingOf(region: string, kind: TerraformDriftKind, resource: PlanResourceChange): TerraformDriftFinding {
  return {
    region,
    address: resource.address,
    kind,
    action: changeKindOf(resource.change.actions),
    changedAttributes: changedAttributeNames(resource.change.before, resource.change.after),
  };
}

/**
 * Reads drift from one region's plan JSON: every `resource_drift` entry as changed outside
 * Terraform, and every `resource_changes` entry other than no-op and read as a pending change.
 * Data sources are skipped, because reading them again is not drift.
 */
export function terraformDriftFindings(region: string, plan: PlanJson, sources: { drift: boolean; changes: boolean }): TerraformDriftFinding[] {
  const findings: TerraformDriftFinding[] = [];
  if (sources.drift) {
    for (const resource of plan.resource_drift ?? []) {
      if (resource.mode === 'data' || changeKindOf(resource.change.actions) === 'no-op') continue;
      findings.push(findingOf(region, 'changed-outside-terraform', resource));
    }
  }
  if (sources.changes) {
    for (const resource of plan.resource_changes ?? []) {
      const kind = changeKindOf(resource.change.actions);
      if (resource.mode === 'data' || kind === 'no-op' || kind === 'read') continue;
      findings.push(findingOf(region, 'pending-change', resource));
    }
  }
  return findings;
}

/** Names the root outputs a plan changes. */
function changedOutputs(plan: PlanJson): string[] {
  return Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => !['no-op', 'read'].includes(changeKindOf(change.actions)))
    .map(([name]) => name)
    .sort();
}

/**
 * Checks every region's stack. Rejects only for problems that concern every region (terraform
 * missing or older than 1.5); a region's own failure is in its result.
 */
export async function checkTerraformDrift(options: CheckTerraformDriftOptions): Promise<TerraformDriftResult> {
  const logger = options.logger ?? silentLogger;
  const terraformVersion = await checkTerraformVersionFor(options);
  logger.info(`Terraform ${terraformVersion}; drift check of ${options.regions.length} region(s): ${options.regions.join(', ')}`);
  await mkdir(options.workDir, { recursive: true });

  const regions: RegionDriftResult[] = [];
  for (const region of options.regions) {
    regions.push(await logger.group(`Terraform drift in ${region}`, () => checkRegion(options, region, logger)));
  }
  return { terraformVersion, regions };
}

async function checkRegion(options: CheckTerraformDriftOptions, region: string, logger: Logger): Promise<RegionDriftResult> {
  const result: RegionDriftResult = { region, outcome: 'checked', findings: [], outputChanges: [] };
  const context = stackContext(options, join(options.workDir, region), logger);
  // Plan files can hold sensitive values, so they live in a private temporary folder, removed below.
  const planDir = await mkdtemp(join(options.workDir, `.plans-${region}-`));
  try {
    await initRegionStack(context, region, options);
    const planOptions = { variables: { [options.regionVariable ?? 'region']: region }, varFiles: options.varFiles };

    const refreshFile = join(planDir, 'refresh-only.tfplan');
    const refreshed = await planStack(context, { ...planOptions, planFile: refreshFile, refreshOnly: true });
    const refreshPlan = await showPlanJson(context, refreshFile);
    result.refreshOnlyExitCodeSignalledChanges = refreshed.exitCodeSignalsChanges;
    result.findings.push(...terraformDriftFindings(region, refreshPlan, { drift: true, changes: false }));
    result.outputChanges = changedOutputs(refreshPlan);

    const changesFile = join(planDir, 'changes.tfplan');
    await planStack(context, { ...planOptions, planFile: changesFile });
    result.findings.push(...terraformDriftFindings(region, await showPlanJson(context, changesFile), { drift: false, changes: true }));

    logger.info(`${region}: ${result.findings.length} drifted resource(s)${refreshed.exitCodeSignalsChanges && result.findings.length === 0 ? ' (the refresh-only plan exited 2, but its JSON shows no resource changed)' : ''}`);
  } catch (error) {
    if (isEngineError(error) && error.code === 'aborted') throw error;
    result.outcome = 'failed';
    result.error = describeError(error);
    logger.error(`Terraform drift in ${region} could not be checked: ${result.error}`);
  } finally {
    await rm(planDir, { recursive: true, force: true });
  }
  return result;
}
