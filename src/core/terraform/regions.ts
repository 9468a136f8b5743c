/**
 * The parts of a run over region stacks that `kvdr deploy` and the Terraform drift check share: the
 * run's options, each stack's context, and an init that rejects a root configuration whose regions
 * would share one state.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors';
import type { Logger } from '../log';
import { backendConfigForRegion, type RegionBackendOptions } from './backend';
import { initStack, type StackContext } from './stack';
import { checkTerraformVersion } from './version';

/** Options of a run over region stacks, each region with its own data directory and state. */
export interface RegionStacksOptions extends RegionBackendOptions {
  /** Absolute path of the Terraform root configuration. */
  terraformDir: string;
  regions: readonly string[];
  /** Parent directory of each region's `TF_DATA_DIR` (`<workDir>/<region>`). */
  workDir: string;
  /** The root variable that receives the region, for example to select it in a map of regions. Default: `region`. */
  regionVariable?: string;
  varFiles?: readonly string[];
  /** Environment of terraform, with the ARM_* credentials. */
  env: Record<string, string | undefined>;
  terraformPath?: string;
  abortSignal?: AbortSignal;
  killGraceInMs?: number;
  logger?: Logger;
}

/**
 * Checks the run's terraform in the root configuration's directory and returns its version.
 * Rejects when terraform is missing or older than 1.5, which concerns every region of the run.
 */
export function checkTerraformVersionFor(options: RegionStacksOptions): Promise<string> {
  return checkTerraformVersion({
    cwd: options.terraformDir,
    env: { ...options.env, CHECKPOINT_DISABLE: '1' },
    terraformPath: options.terraformPath,
    abortSignal: options.abortSignal,
  });
}

/** Returns the context of one stack of the run: the run's terraform, environment and cancellation, with `dataDir`. */
export function stackContext(options: RegionStacksOptions, dataDir: string, logger: Logger): StackContext {
  return {
    terraformDir: options.terraformDir,
    dataDir,
    env: options.env,
    terraformPath: options.terraformPath,
    abortSignal: options.abortSignal,
    killGraceInMs: options.killGraceInMs,
    logger,
  };
}

/**
 * Runs `terraform init` for `region` with its backend settings. Rejects with `invalid-input` when
 * the root configuration declares no backend, because terraform would then keep state in
 * `<terraform-dir>/terraform.tfstate`, shared by every region.
 */
export async function initRegionStack(context: StackContext, region: string, options: RegionStacksOptions): Promise<void> {
  await initStack(context, { backendConfig: backendConfigForRegion(region, options) });
  if (!existsSync(join(context.dataDir, 'terraform.tfstate'))) {
    throw new EngineError(
      'invalid-input',
      `${options.terraformDir} declares no backend, so every region would share one local state. Add terraform { backend "azurerm" {} } to the root configuration.`,
    );
  }
}
