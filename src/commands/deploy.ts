/**
 * `kvdr deploy`: runs terraform init, plan and apply for each region's stack with its own state,
 * so a region's outage does not stop the other regions from deploying. The same code runs behind
 * the CLI, the KeyVaultDeploy task and the deploy action.
 */
import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { invalidInput } from '../core/errors';
import { parseDurationInMs } from '../core/duration';
import {
  normalizeStateKeyPrefix,
  parseBackendConfig,
  sensitiveBackendValues,
  validateRegions,
  validateStateIsolation,
} from '../core/terraform/backend';
import { DEPLOY_COMMANDS, deployRegions, type DeployCommand, type DeployResult } from '../core/terraform/deploy';
import { describeCounts } from '../core/terraform/plan-summary';
import { renderDeployMarkdown } from '../core/terraform/markdown';
import { ensureStateStorage, stateStorageSpecFromBackend, validateStateStorageLocation, type StateStorageSpec } from '../core/terraform/state-storage';
import type { Host } from './host';
import { ExitCode, limitOptions, outputOptions, type CommandSpec, type OptionSpec } from './spec';

/** Changed addresses printed per region; the report and the Markdown summary list more. */
const MAX_PRINTED_CHANGES = 50;

const timeoutOption = limitOptions.find((option) => option.name === 'timeout')!;

/** The deploy command's options, in the order help lists them. */
export const deployOptions: readonly OptionSpec[] = [
  { name: 'terraformDir', kind: 'path', valueName: '<dir>', help: 'Terraform root configuration to deploy once per region; it declares the region variable (see --region-variable).' },
  { name: 'region', kind: 'list', valueName: '<region>', help: 'Region to deploy, as a key of the regions map; repeat for several. Each region gets its own state.' },
  { name: 'command', kind: 'choice', choices: DEPLOY_COMMANDS, defaultValue: 'plan', valueName: '<command>', help: 'plan: plan and record it for approval; apply: apply the approved plan; plan-apply: both in one run.' },
  { name: 'stateKeyPrefix', kind: 'string', valueName: '<prefix>', group: 'backend', help: 'State key prefix for the azurerm backend; each region\'s state is <prefix>/<region>.tfstate.' },
  { name: 'backendConfig', kind: 'list', valueName: '<key=value>', group: 'backend', help: 'Backend setting passed to terraform init, such as storage_account_name=sttfstate; {region} in a value becomes the region. Repeat for several.' },
  { name: 'createStateStorage', kind: 'boolean', defaultValue: 'false', group: 'backend', help: 'Create the resource group, storage account (Standard_RAGZRS) and container named in --backend-config when missing.' },
  { name: 'stateStorageLocation', kind: 'string', valueName: '<location>', group: 'backend', help: 'Azure location for --create-state-storage; choose a region other than the vaults\' regions.' },
  { name: 'varFile', kind: 'list', valueName: '<file>', group: 'terraform', help: 'Variable file passed as -var-file, relative to the working directory; repeat for several.' },
  { name: 'regionVariable', kind: 'string', valueName: '<name>', defaultValue: 'region', group: 'terraform', help: 'Name of the root variable that receives the region being deployed.' },
  { name: 'planDir', kind: 'path', valueName: '<dir>', group: 'terraform', help: 'Directory for each region\'s plan (may contain sensitive values) and its approved-plan record (contains none). Default: <terraform-dir>/.kvdr/plans.' },
  { name: 'maxParallelRegions', kind: 'number', valueName: '<n>', defaultValue: '4', group: 'terraform', help: 'Regions planned and applied at the same time, so a region that hangs during an outage delays only its own slot; 1 deploys one region after another.' },
  { name: 'terraformPath', kind: 'path', valueName: '<file>', defaultValue: 'terraform', group: 'terraform', help: 'The terraform executable (1.5 or newer), as a path or a name on PATH.' },
  { ...timeoutOption, defaultValue: '2h' },
  ...outputOptions.filter((option) => option.name !== 'junit'),
];

/** Typed, validated deploy options. */
interface DeployInputs {
  terraformDir: string;
  regions: string[];
  command: DeployCommand;
  stateKeyPrefix?: string;
  backendConfig: Record<string, string>;
  createStateStorage: boolean;
  stateStorageLocation?: string;
  varFiles: string[];
  regionVariable: string;
  planDir: string;
  terraformPath?: string;
  maxParallelRegions: number;
  timeoutInMs: number;
  report?: string;
  markdown?: string;
}

function readInputs(host: Host): DeployInputs {
  const terraformDir = resolve(host.getInput('terraformDir', { required: true })!);
  if (!isDirectory(terraformDir)) throw invalidInput(`--terraform-dir "${terraformDir}" is not a directory. Give the Terraform root configuration to deploy.`);

  const regions = host.getListInput('region', { required: true });
  validateRegions(regions);

  const command = (host.getInput('command') ?? 'plan') as DeployCommand;
  if (!DEPLOY_COMMANDS.includes(command)) throw invalidInput(`Invalid --command "${command}": use plan, apply or plan-apply.`);

  const prefixText = host.getInput('stateKeyPrefix');
  const stateKeyPrefix = prefixText === undefined ? undefined : normalizeStateKeyPrefix(prefixText);
  const backendConfig = parseBackendConfig(host.getListInput('backendConfig'));
  validateStateIsolation({ backendConfig, stateKeyPrefix });

  const varFiles = host.getListInput('varFile').map((file) => resolve(file));
  for (const file of varFiles) {
    if (!isFile(file)) throw invalidInput(`--var-file "${file}" does not exist. Give a .tfvars file relative to the working directory.`);
  }

  const regionVariable = host.getInput('regionVariable') ?? 'region';
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(regionVariable)) throw invalidInput(`Invalid --region-variable "${regionVariable}": use a Terraform variable name such as region.`);

  const parallelText = host.getInput('maxParallelRegions') ?? '4';
  const maxParallelRegions = Number(parallelText);
  if (!/^\d+$/.test(parallelText) || maxParallelRegions < 1) {
    throw invalidInput(`Invalid --max-parallel-regions "${parallelText}": use a whole number of 1 or more, such as 4.`);
  }

  return {
    terraformDir,
    regions,
    maxParallelRegions,
    command,
    stateKeyPrefix,
    backendConfig,
    createStateStorage: host.getBooleanInput('createStateStorage', false),
    stateStorageLocation: host.getInput('stateStorageLocation'),
    varFiles,
    regionVariable,
    planDir: resolve(host.getInput('planDir') ?? join(terraformDir, '.kvdr', 'plans')),
    terraformPath: host.getInput('terraformPath'),
    timeoutInMs: parseDurationInMs(host.getInput('timeout') ?? '2h', '--timeout'),
    report: host.getInput('report'),
    markdown: host.getInput('markdown'),
  };
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

async function writeOutputFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

/** Sets outputs, the summary, the report files and the run's result; returns the exit code. */
async function reportResult(host: Host, inputs: DeployInputs, result: DeployResult): Promise<ExitCode> {
  host.setOutput('changesPresent', String(result.changesPresent));
  host.setOutput('destroyPresent', String(result.destroyPresent));
  host.setOutput('failedRegions', result.failedRegions.join(','));

  for (const region of result.regions) {
    host.print(`${region.region}: ${region.outcome}${region.plan ? `, ${describeCounts(region.plan)}` : ''}${region.applied ? ', applied' : ''}`);
    for (const change of region.plan?.changes.slice(0, MAX_PRINTED_CHANGES) ?? []) host.print(`  ${change.kind} ${change.address}`);
    const hidden = (region.plan?.changes.length ?? 0) - MAX_PRINTED_CHANGES;
    if (hidden > 0) host.print(`  and ${hidden} more (see --markdown or --report)`);
  }
  const markdown = renderDeployMarkdown(result);
  await host.writeSummary(markdown);
  if (inputs.markdown) await writeOutputFile(inputs.markdown, markdown);
  const report = { kind: 'deploy', ...result };
  if (inputs.report) await writeOutputFile(inputs.report, JSON.stringify(report, null, 2) + '\n');
  host.writeResult(report);

  const failed = result.failedRegions.length;
  if (failed === 0) {
    host.setResult('succeeded', `Deploy ${result.command} succeeded in ${result.regions.length} region(s).`);
    return ExitCode.Success;
  }
  const message = `Deploy ${result.command} failed in ${failed} of ${result.regions.length} region(s): ${result.failedRegions.join(', ')}.`;
  host.setResult(failed === result.regions.length ? 'failed' : 'partial', message);
  return ExitCode.Partial;
}

async function runDeploy(host: Host): Promise<ExitCode> {
  const inputs = readInputs(host);
  for (const value of sensitiveBackendValues(inputs.backendConfig)) host.setSecret(value);
  if (sensitiveBackendValues(inputs.backendConfig).length > 0) {
    host.log.warning('A credential was given in --backend-config, where it reaches terraform\'s command line; prefer the ARM_* environment variables or the task\'s service connection.');
  }

  const stateStorage = inputs.createStateStorage ? stateStorageSpecFromBackend(inputs.backendConfig, inputs.stateStorageLocation) : undefined;
  if (stateStorage) validateStateStorageLocation(stateStorage, inputs.regions);

  // terraform runs in its own process group, so it does not see the Ctrl-C or the agent's
  // cancellation signal: forward them, and terraform gets to release its state lock.
  const controller = new AbortController();
  const cancel = (): void => controller.abort(new Error('cancelled'));
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  // A plain timer rather than AbortSignal.timeout: in testing, a deadline built from
  // AbortSignal.any and AbortSignal.timeout never fired, as when Node collects the timeout signal.
  const deadline = setTimeout(() => controller.abort(new DOMException('The deploy deadline passed.', 'TimeoutError')), inputs.timeoutInMs);
  try {
    return await deployWithSignal(host, inputs, stateStorage, controller.signal);
  } finally {
    clearTimeout(deadline);
    process.removeListener('SIGINT', cancel);
    process.removeListener('SIGTERM', cancel);
  }
}

async function deployWithSignal(host: Host, inputs: DeployInputs, stateStorage: StateStorageSpec | undefined, abortSignal: AbortSignal): Promise<ExitCode> {
  const env: Record<string, string | undefined> = { ...process.env, ...((await host.getChildProcessEnv?.()) ?? {}) };

  if (stateStorage) {
    await ensureStateStorage(stateStorage, { credential: await host.getCredential(), abortSignal, logger: host.log });
  }

  const result = await deployRegions({
    terraformDir: inputs.terraformDir,
    regions: inputs.regions,
    command: inputs.command,
    backendConfig: inputs.backendConfig,
    stateKeyPrefix: inputs.stateKeyPrefix,
    planDir: inputs.planDir,
    workDir: join(inputs.terraformDir, '.kvdr', 'data'),
    regionVariable: inputs.regionVariable,
    varFiles: inputs.varFiles,
    maxParallelRegions: inputs.maxParallelRegions,
    env,
    terraformPath: inputs.terraformPath,
    abortSignal,
    logger: host.log,
  });
  return reportResult(host, inputs, result);
}

/** The `deploy` command. */
export const deployCommand: CommandSpec = {
  name: 'deploy',
  summary: 'Plan and apply the Terraform stack of each region, each with its own state.',
  options: deployOptions,
  run: runDeploy,
};
