/**
 * Deploys region stacks side by side: init, plan and apply, each region with its own state and data
 * directory. A failing region is recorded and the others carry on, so an outage in one region does
 * not stop the other regions from deploying.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, isEngineError, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';
import { applyApproved, planAndRecord } from './approval';
import { BufferedLogger } from './buffered-logger';
import { describeCounts, type PlanSummary } from './plan-summary';
import { checkTerraformVersionFor, initRegionStack, stackContext, type RegionStacksOptions } from './regions';
import { applyPlan, initStack, readOutputs, type StackOutputs } from './stack';

/** Regions deployed at the same time unless the caller sets `maxParallelRegions`. */
export const DEFAULT_MAX_PARALLEL_REGIONS = 4;

/** `plan` stops after the plan; `apply` applies an approved plan; `plan-apply` does both in one run. */
export type DeployCommand = 'plan' | 'apply' | 'plan-apply';
export const DEPLOY_COMMANDS: readonly DeployCommand[] = ['plan', 'apply', 'plan-apply'];

/** Options for {@link deployRegions}. */
export interface DeployRegionsOptions extends RegionStacksOptions {
  command: DeployCommand;
  /** Directory for plans and approved-plan records, one pair per region. Plans can contain sensitive values. */
  planDir: string;
  /**
   * Regions planned and applied at the same time, so a region that hangs (for example during an
   * outage, until terraform's own timeouts end it) delays no more than its own slot. Default: 4.
   */
  maxParallelRegions?: number;
}

/** Origin of a region's plan: planned in this run, a saved plan file, or planned again to match an approval. */
export type PlanSource = 'planned' | 'saved-plan' | 're-planned';

/** One region's result: addresses, counts and non-sensitive outputs, never attribute values. */
export interface RegionDeployResult {
  region: string;
  outcome: 'succeeded' | 'failed';
  /** Plan counts and changed addresses, when a plan was read. */
  plan?: PlanSummary;
  planSource?: PlanSource;
  applied: boolean;
  outputs?: StackOutputs;
  /** Reason the region failed, as one line. */
  error?: string;
  errorCode?: ErrorCode;
}

/** The result of a deploy run across regions. */
export interface DeployResult {
  command: DeployCommand;
  terraformVersion: string;
  regions: RegionDeployResult[];
  /** True when any region's plan changes a resource or an output. */
  changesPresent: boolean;
  /** True when any region's plan deletes or replaces a resource. */
  destroyPresent: boolean;
  failedRegions: string[];
}

/** Paths of one region's plan, approved-plan record and data directory. */
export interface RegionPaths {
  planFile: string;
  approvedFile: string;
  dataDir: string;
}

/** Returns the paths of one region's plan, approved-plan record and data directory. */
export function regionPaths(options: Pick<DeployRegionsOptions, 'planDir' | 'workDir'>, region: string): RegionPaths {
  return {
    planFile: join(options.planDir, `${region}.tfplan`),
    approvedFile: join(options.planDir, `${region}.approved.json`),
    dataDir: join(options.workDir, region),
  };
}

/**
 * Runs the deploy command for every region and returns one result per region.
 *
 * @remarks Rejects only for problems that concern every region, such as terraform missing or older
 * than 1.5, or a plan directory that cannot be created. A region's own failure is in its result.
 */
export async function deployRegions(options: DeployRegionsOptions): Promise<DeployResult> {
  const logger = options.logger ?? silentLogger;
  const terraformVersion = await checkTerraformVersionFor(options);
  logger.info(`Terraform ${terraformVersion}; ${options.command} for ${options.regions.length} region(s): ${options.regions.join(', ')}`);
  await mkdir(options.planDir, { recursive: true });
  await mkdir(options.workDir, { recursive: true });

  const env = await prepareProviders({ ...options, logger });
  const results = await mapWithConcurrency(options.regions, options.maxParallelRegions ?? DEFAULT_MAX_PARALLEL_REGIONS, async (region) => {
    // Each region logs into its own buffer, replayed in one group when it finishes, so the lines
    // of regions running side by side do not interleave.
    const buffer = new BufferedLogger();
    const result = await deployRegion({ ...options, env }, region, terraformVersion, buffer);
    await logger.group(`Region ${region}`, async () => buffer.replay(logger));
    return result;
  });

  const failedRegions = results.filter((result) => result.outcome === 'failed').map((result) => result.region);
  return {
    command: options.command,
    terraformVersion,
    regions: results,
    changesPresent: results.some((result) => result.plan?.changesPresent === true),
    destroyPresent: results.some((result) => result.plan?.destroyPresent === true),
    failedRegions,
  };
}

/**
 * Installs the providers once, into a plugin cache every region's init then reads, so the regions
 * can initialize in parallel without each downloading the providers. It writes the dependency lock
 * file too, and touches no backend, so it needs neither the state storage nor any region.
 */
async function prepareProviders(options: DeployRegionsOptions & { logger: Logger }): Promise<DeployRegionsOptions['env']> {
  let env = options.env;
  if (!env.TF_PLUGIN_CACHE_DIR) {
    // The leading dot keeps these apart from the region folders, whose names start with a letter or digit.
    const pluginCacheDir = join(options.workDir, '.plugin-cache');
    await mkdir(pluginCacheDir, { recursive: true });
    env = { ...env, TF_PLUGIN_CACHE_DIR: pluginCacheDir };
  }
  const context = stackContext({ ...options, env }, join(options.workDir, '.providers'), options.logger);
  await initStack(context, { backend: false });
  options.logger.info('Providers installed');
  return env;
}

/** Runs `fn` for every item with at most `limit` running at once; results keep the items' order. */
async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

async function deployRegion(options: DeployRegionsOptions, region: string, terraformVersion: string, logger: Logger): Promise<RegionDeployResult> {
  const paths = regionPaths(options, region);
  const context = stackContext(options, paths.dataDir, logger);
  const result: RegionDeployResult = { region, outcome: 'succeeded', applied: false };
  try {
    await initRegionStack(context, region, options);
    logger.info('terraform init succeeded');

    if (options.command === 'apply') {
      await applyApproved(options, context, region, paths, result, logger);
    } else {
      const planned = await planAndRecord(options, context, region, paths, terraformVersion);
      Object.assign(result, { plan: planned, planSource: 'planned' });
      logger.info(`Plan: ${describeCounts(planned)}`);
      if (options.command === 'plan-apply' && planned.changesPresent) {
        await applyPlan(context, paths.planFile);
        result.applied = true;
        logger.info('terraform apply succeeded');
        await rm(paths.planFile, { force: true });
      }
    }
    if (result.applied || options.command === 'plan-apply') result.outputs = await readOutputs(context);
  } catch (error) {
    result.outcome = 'failed';
    result.error = describeError(error);
    result.errorCode = isEngineError(error) ? error.code : 'internal';
    logger.error(`Region ${region} failed: ${result.error}`);
  }
  return result;
}
