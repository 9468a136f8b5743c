/**
 * Approval of plans across pipeline stages: the plan stage records each region's plan by address,
 * action and fingerprint, and the apply stage applies either the saved plan file or a new plan
 * whose fingerprint matches the approved record.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { EngineError } from '../errors';
import type { Logger } from '../log';
import type { DeployRegionsOptions, RegionDeployResult, RegionPaths } from './deploy';
import { describeChangeDifferences, describeCounts, fingerprintPlan, summarizePlan, type PlanSummary } from './plan-summary';
import { applyPlan, planStack, showPlanJson, type StackContext } from './stack';

/** The approved-plan record kept beside each plan. It is safe to publish, because it contains no values. */
export interface ApprovedPlanRecord {
  region: string;
  fingerprint: string;
  summary: PlanSummary;
  terraformVersion: string;
  createdAt: string;
}

/** Plans into the region's plan file and writes the approved-plan record beside it. */
export async function planAndRecord(
  options: DeployRegionsOptions,
  context: StackContext,
  region: string,
  paths: RegionPaths,
  terraformVersion: string,
): Promise<PlanSummary> {
  // An earlier run's files must never be mistaken for this plan's, even when this plan fails.
  await rm(paths.planFile, { force: true });
  await rm(paths.approvedFile, { force: true });
  try {
    await planStack(context, {
      planFile: paths.planFile,
      variables: { [options.regionVariable ?? 'region']: region },
      varFiles: options.varFiles,
    });
  } catch (error) {
    await rm(paths.planFile, { force: true });
    throw error;
  }
  const planJson = await showPlanJson(context, paths.planFile);
  const summary = summarizePlan(planJson);
  const record: ApprovedPlanRecord = { region, fingerprint: fingerprintPlan(planJson), summary, terraformVersion, createdAt: new Date().toISOString() };
  await writeFile(paths.approvedFile, JSON.stringify(record, null, 2) + '\n');
  return summary;
}

/**
 * Applies the approved plan of a region: the saved plan file when it travelled with the run, or
 * else a fresh plan that must match the approved record's fingerprint.
 */
export async function applyApproved(
  options: DeployRegionsOptions,
  context: StackContext,
  region: string,
  paths: RegionPaths,
  result: RegionDeployResult,
  logger: Logger,
): Promise<void> {
  if (existsSync(paths.planFile)) {
    result.plan = summarizePlan(await showPlanJson(context, paths.planFile));
    result.planSource = 'saved-plan';
  } else if (existsSync(paths.approvedFile)) {
    const approved = JSON.parse(await readFile(paths.approvedFile, 'utf8')) as ApprovedPlanRecord;
    await planStack(context, { planFile: paths.planFile, variables: { [options.regionVariable ?? 'region']: region }, varFiles: options.varFiles });
    const planJson = await showPlanJson(context, paths.planFile);
    result.plan = summarizePlan(planJson);
    result.planSource = 're-planned';
    if (fingerprintPlan(planJson) !== approved.fingerprint) {
      await rm(paths.planFile, { force: true });
      const differences = describeChangeDifferences(approved.summary.changes, result.plan.changes);
      const detail = differences.length > 0 ? differences.slice(0, 10).join('; ') : 'the same resources change, but with different values';
      throw new EngineError('conflict', `The new plan differs from the approved plan (${detail}). Nothing was applied; run the plan stage again and approve the new plan.`);
    }
    logger.info('The new plan matches the approved plan.');
  } else {
    throw new EngineError('not-found', `No approved plan for region ${region} in ${options.planDir}: run --command plan first and keep its plan directory, or use --command plan-apply.`);
  }

  logger.info(`Plan: ${describeCounts(result.plan)}`);
  if (!result.plan.changesPresent) {
    await rm(paths.planFile, { force: true });
    return;
  }
  await applyPlan(context, paths.planFile);
  result.applied = true;
  logger.info('terraform apply succeeded');
  await rm(paths.planFile, { force: true });
}
