/**
 * `kvdr drift`: finds where vaults no longer agree (the same inventories, lineage and filters as
 * sync) and where each region's Terraform stack differs from Azure. The same code runs behind the
 * CLI, the KeyVaultDriftCheck task and the drift action.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDuration } from '../core/duration';
import { describeError, invalidInput, isEngineError } from '../core/errors';
import { checkSecretDrift, type SecretDriftResult } from '../core/drift/secrets';
import { checkTerraformDrift, type TerraformDriftResult } from '../core/drift/terraform';
import { buildDriftReport, countDrift, type DriftReport } from '../core/drift/report';
import { renderDriftMarkdown } from '../core/drift/markdown';
import { DRIFT_STATES, ON_DRIFT_POLICIES, type OnDriftPolicy } from '../core/drift/model';
import { writeJsonReportFile, renderJunit, writeReportFile } from '../core/report';
import { normalizeStateKeyPrefix, parseBackendConfig, sensitiveBackendValues, validateRegions, validateStateIsolation } from '../core/terraform/backend';
import { DELETE_POLICIES, type DeletePolicy } from '../core/sync/model';
import type { SecretFilter } from '../core/sync/filters';
import { formatTable } from '../core/sync/table';
import type { VaultReference } from '../core/vault/url';
import {
  assertDistinctVaults,
  createRunDeadline,
  openStores,
  readChoice,
  readLimits,
  readOutputPaths,
  readSecretFilter,
  readVaultReference,
  readVaultReferences,
  type OutputPaths,
  type RunLimits,
  type VaultAccessOverrides,
} from './common';
import type { Host, RunResult } from './host';
import { ExitCode, filterOptions, limitOptions, outputOptions, type CommandSpec, type OptionSpec } from './spec';

/** The drift command's options, in the order help lists them. */
export const driftOptions: readonly OptionSpec[] = [
  { name: 'vault', kind: 'list', valueName: '<vault>', help: 'A vault to compare, the primary first: a vault name or its URL; repeat for each vault.' },
  { name: 'source', kind: 'string', valueName: '<vault>', help: 'The source vault: missing and extra secrets are judged against it. Without it, the vaults form a mesh.' },
  { name: 'deep', kind: 'boolean', defaultValue: 'false', help: 'Also read every replica and compare the SHA-256 of its value with its source, to catch values edited with their lineage tag kept.' },
  { name: 'onDrift', kind: 'choice', choices: ON_DRIFT_POLICIES, defaultValue: 'fail', valueName: '<policy>', help: 'What drift does to the run: fail (exit code 2), warn (succeeded with issues), or ignore.' },
  { name: 'prune', kind: 'boolean', defaultValue: 'false', group: 'policies', help: 'With --source: count secrets that exist only in a target as drift, as kvdr sync --prune would delete them.' },
  { name: 'deletes', kind: 'choice', choices: DELETE_POLICIES, defaultValue: 'none', valueName: '<policy>', group: 'policies', help: 'soft-delete: count replicas whose source or origin was deleted as drift, as kvdr sync --deletes soft-delete would delete them.' },
  { name: 'terraformDir', kind: 'path', valueName: '<dir>', group: 'terraform', help: 'Terraform root configuration to check once per region for drift; it declares the region variable (see --region-variable).' },
  { name: 'region', kind: 'list', valueName: '<region>', group: 'terraform', help: 'Region stack to check, as a key of the regions map; repeat for several.' },
  { name: 'stateKeyPrefix', kind: 'string', valueName: '<prefix>', group: 'terraform', help: 'State key prefix for the azurerm backend; each region\'s state is <prefix>/<region>.tfstate.' },
  { name: 'backendConfig', kind: 'list', valueName: '<key=value>', group: 'terraform', help: 'Backend setting passed to terraform init, such as storage_account_name=sttfstate; {region} in a value becomes the region. Repeat for several.' },
  { name: 'varFile', kind: 'list', valueName: '<file>', group: 'terraform', help: 'Variable file passed as -var-file, relative to the working directory; repeat for several.' },
  { name: 'regionVariable', kind: 'string', valueName: '<name>', defaultValue: 'region', group: 'terraform', help: 'Name of the root variable that receives the region being checked.' },
  { name: 'terraformPath', kind: 'path', valueName: '<file>', defaultValue: 'terraform', group: 'terraform', help: 'The terraform executable (1.5 or newer), as a path or a name on PATH.' },
  ...filterOptions,
  ...limitOptions,
  ...outputOptions,
];

/** Terraform settings of a drift check. */
interface TerraformInputs {
  terraformDir: string;
  regions: string[];
  stateKeyPrefix?: string;
  backendConfig: Record<string, string>;
  varFiles: string[];
  regionVariable: string;
  terraformPath?: string;
}

/** Typed, validated drift options. */
export interface DriftInputs {
  /** With a source: the source first, then the other vaults. Otherwise every vault, the primary first. */
  vaults: VaultReference[];
  hasSource: boolean;
  deep: boolean;
  prune: boolean;
  deletes: DeletePolicy;
  onDrift: OnDriftPolicy;
  filter: SecretFilter;
  terraform?: TerraformInputs;
  limits: RunLimits;
  outputs: OutputPaths;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function readVaults(host: Host, env: NodeJS.ProcessEnv): { vaults: VaultReference[]; hasSource: boolean } {
  const listed = readVaultReferences(host, 'vault', env);
  const source = readVaultReference(host, 'source', env);
  if (source === undefined) {
    if (listed.length === 1) throw invalidInput('A drift check compares at least two vaults: give --vault for each, or add --source.');
    assertDistinctVaults(listed);
    return { vaults: listed, hasSource: false };
  }
  // The source may also be listed among --vault; the other vaults are its targets.
  const targets = listed.filter((reference) => reference.url !== source.url);
  if (targets.length === 0) throw invalidInput(`--source ${source.url} has nothing to be compared with: give the other vaults with --vault.`);
  assertDistinctVaults([source, ...targets]);
  return { vaults: [source, ...targets], hasSource: true };
}

function readTerraformInputs(host: Host): TerraformInputs | undefined {
  const dirText = host.getInput('terraformDir');
  const regions = host.getListInput('region');
  if (dirText === undefined) {
    if (regions.length > 0) throw invalidInput('--region needs --terraform-dir: give the Terraform root configuration whose region stacks to check.');
    return undefined;
  }
  const terraformDir = resolve(dirText);
  if (!isDirectory(terraformDir)) throw invalidInput(`--terraform-dir "${terraformDir}" is not a directory. Give the Terraform root configuration deployed per region.`);
  validateRegions(regions);

  const prefixText = host.getInput('stateKeyPrefix');
  const stateKeyPrefix = prefixText === undefined ? undefined : normalizeStateKeyPrefix(prefixText);
  const backendConfig = parseBackendConfig(host.getListInput('backendConfig'));
  validateStateIsolation({ backendConfig, stateKeyPrefix });

  const varFiles = host.getListInput('varFile').map((file) => resolve(file));
  for (const file of varFiles) {
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) throw invalidInput(`--var-file "${file}" does not exist. Give a .tfvars file relative to the working directory.`);
  }
  const regionVariable = host.getInput('regionVariable') ?? 'region';
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(regionVariable)) throw invalidInput(`Invalid --region-variable "${regionVariable}": use a Terraform variable name such as region.`);
  return { terraformDir, regions, stateKeyPrefix, backendConfig, varFiles, regionVariable, terraformPath: host.getInput('terraformPath') };
}

/** Reads and validates every option; calls no vault and runs nothing. */
export function readDriftInputs(host: Host, env: NodeJS.ProcessEnv = process.env): DriftInputs {
  const { vaults, hasSource } = readVaults(host, env);
  const terraform = readTerraformInputs(host);
  if (vaults.length === 0 && terraform === undefined) {
    throw invalidInput('Nothing to check: give the vaults with --vault (repeat it, and add --source for one-way replication), and/or --terraform-dir with --region.');
  }
  const prune = host.getBooleanInput('prune', false);
  if (prune && !hasSource) throw invalidInput('--prune needs --source: in a mesh every secret is replicated to every vault, so no secret is extra.');
  return {
    vaults,
    hasSource,
    deep: host.getBooleanInput('deep', false),
    prune,
    deletes: readChoice(host, 'deletes', DELETE_POLICIES, 'none'),
    onDrift: readChoice(host, 'onDrift', ON_DRIFT_POLICIES, 'fail'),
    filter: readSecretFilter(host),
    terraform,
    limits: readLimits(host),
    outputs: readOutputPaths(host),
  };
}

/** The end of a run: the result the front end shows, the exit code and the message. */
interface Outcome {
  result: RunResult;
  exitCode: ExitCode;
  message: string;
}

/** Decides the outcome: an incomplete check is an error; drift follows `--on-drift`. */
function decideOutcome(inputs: DriftInputs, driftCount: number, problems: string[]): Outcome {
  if (problems.length > 0) {
    const found = driftCount > 0 ? `${driftCount} drifted so far` : 'no drift so far';
    return { result: 'failed', exitCode: ExitCode.Fatal, message: `The drift check is incomplete (${found}): ${problems.join(' ')}` };
  }
  if (driftCount === 0) return { result: 'succeeded', exitCode: ExitCode.Success, message: 'No drift found.' };
  const found = `Drift found: ${driftCount} drifted secret and vault pair(s) or Terraform resource(s); see the summary or the report.`;
  if (inputs.onDrift === 'fail') return { result: 'failed', exitCode: ExitCode.Partial, message: found };
  if (inputs.onDrift === 'warn') return { result: 'partial', exitCode: ExitCode.Success, message: `${found} (--on-drift warn)` };
  return { result: 'succeeded', exitCode: ExitCode.Success, message: `${found} (--on-drift ignore)` };
}

/** Lists why a check is incomplete: vaults that could not be used and regions that could not be checked. */
function problemsOf(secrets: SecretDriftResult | undefined, terraform: TerraformDriftResult | undefined): string[] {
  const problems: string[] = [];
  if (secrets !== undefined && secrets.unreachable.size > 0) problems.push(`Could not check ${[...secrets.unreachable.keys()].join(', ')}.`);
  const failedRegions = terraform?.regions.filter((region) => region.outcome === 'failed').map((region) => region.region) ?? [];
  if (failedRegions.length > 0) problems.push(`Could not check the Terraform stack of ${failedRegions.join(', ')}.`);
  return problems;
}

/** Formats the plain-text summary: pairs per state, then each drifted pair up to `maxRows`. */
function formatDriftText(report: DriftReport, maxRows = 200): string {
  const counts = DRIFT_STATES.filter((state) => report.counts.byAction[state] !== undefined).map((state) => `${state} ${report.counts.byAction[state]}`);
  const lines = [`Secrets by state: ${counts.length > 0 ? counts.join(', ') : 'none compared'}.`];
  const drifted = report.entries.filter((entry) => entry.outcome === 'drift');
  if (drifted.length > 0) {
    lines.push(formatTable(['state', 'secret or resource', 'vault or stack'], drifted.slice(0, maxRows).map((entry) => [entry.action, entry.secret, entry.vault])));
    if (drifted.length > maxRows) lines.push(`… and ${drifted.length - maxRows} more; the JSON report (--report) lists every pair.`);
  }
  return lines.join('\n');
}

/** Writes the report files, the job summary and the outputs. */
async function publishDriftReport(host: Host, report: DriftReport, paths: OutputPaths): Promise<void> {
  const markdown = renderDriftMarkdown(report);
  let reportPath: string | undefined;
  if (paths.report !== undefined) reportPath = await writeJsonReportFile(paths.report, report);
  if (paths.markdown !== undefined) await writeReportFile(paths.markdown, markdown);
  if (paths.junit !== undefined) {
    await writeReportFile(paths.junit, renderJunit(report, { failureOutcomes: ['drift', 'failed'], skippedOutcomes: ['excluded', 'reported'] }));
  }
  await host.writeSummary(markdown);
  host.writeResult(report);
  host.setOutput('reportPath', reportPath ?? '');
  host.setOutput('driftDetected', String(report.driftCount > 0));
  host.setOutput('driftCount', String(report.driftCount));
}

/**
 * Returns a signal that aborts with the deadline, its reason named `TimeoutError`, because the
 * terraform runner reports only such an abort as a timeout and any other as a cancellation.
 */
function asTimeoutSignal(deadline: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => {
    const reason = new Error(deadline.reason instanceof Error ? deadline.reason.message : 'The run deadline passed.');
    reason.name = 'TimeoutError';
    controller.abort(reason);
  };
  if (deadline.aborted) abort();
  else deadline.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

/** Runs the Terraform part of the check with the host's credentials for terraform. */
async function runTerraformPart(host: Host, terraform: TerraformInputs, abortSignal: AbortSignal): Promise<TerraformDriftResult> {
  for (const value of sensitiveBackendValues(terraform.backendConfig)) host.setSecret(value);
  const env: Record<string, string | undefined> = { ...process.env, ...((await host.getChildProcessEnv?.()) ?? {}) };
  return checkTerraformDrift({
    terraformDir: terraform.terraformDir,
    regions: terraform.regions,
    workDir: join(terraform.terraformDir, '.kvdr', 'drift'),
    backendConfig: terraform.backendConfig,
    stateKeyPrefix: terraform.stateKeyPrefix,
    regionVariable: terraform.regionVariable,
    varFiles: terraform.varFiles,
    env,
    terraformPath: terraform.terraformPath,
    abortSignal: asTimeoutSignal(abortSignal),
    logger: host.log,
  });
}

/**
 * Runs `kvdr drift` in `host`. `overrides` let tests and the demo reach the emulator in-process.
 * Returns the exit code: 0 without drift (or under `--on-drift warn|ignore`), 2 for drift under
 * `--on-drift fail`, 1 for bad input or a check that could not finish.
 */
export async function runDriftCommand(host: Host, overrides: VaultAccessOverrides = {}): Promise<ExitCode> {
  const startedAt = new Date();
  let inputs: DriftInputs;
  try {
    inputs = readDriftInputs(host, overrides.env);
  } catch (error) {
    host.setOutput('result', 'failed');
    host.setResult('failed', describeError(error));
    return ExitCode.Fatal;
  }

  const deadline = createRunDeadline(inputs.limits.timeoutInMs);
  try {
    const stores = inputs.vaults.length > 0 ? await openStores(host, inputs.vaults, inputs.limits, deadline, overrides) : [];
    let secrets: SecretDriftResult | undefined;
    if (stores.length > 0) {
      const described = inputs.hasSource ? `${stores[0].vaultId} against ${stores.slice(1).map((store) => store.vaultId).join(', ')}` : `mesh of ${stores.map((store) => store.vaultId).join(', ')}`;
      host.log.info(`kvdr drift: ${described}${inputs.deep ? ' (--deep)' : ''}; filter: ${inputs.filter.description}.`);
      secrets = await checkSecretDrift({
        stores,
        hasSource: inputs.hasSource,
        filter: inputs.filter,
        prune: inputs.prune,
        deletes: inputs.deletes,
        deep: inputs.deep,
        abortSignal: deadline.signal,
        logger: host.log,
        onValueRead: (value) => host.setSecret(value),
        concurrencyPerVault: overrides.concurrencyPerVault,
      });
    }
    const terraform = inputs.terraform === undefined ? undefined : await runTerraformPart(host, inputs.terraform, deadline.signal).catch((error: unknown) => {
      // terraform missing or too old concerns every region; the secret findings are still reported.
      if (isEngineError(error) && error.code === 'aborted') throw error;
      const message = describeError(error);
      host.log.error(`Terraform drift could not be checked: ${message}`);
      const regions = (inputs.terraform as TerraformInputs).regions.map((region) => ({ region, outcome: 'failed' as const, findings: [], outputChanges: [], error: message }));
      return { terraformVersion: 'unknown', regions };
    });

    const driftCount = countDrift(secrets, terraform);
    const outcome = decideOutcome(inputs, driftCount, problemsOf(secrets, terraform));
    const finishedAt = new Date();
    const report = buildDriftReport(secrets, terraform, {
      stores,
      hasSource: inputs.hasSource,
      settings: settingsOf(inputs),
      startedAt,
      finishedAt,
      result: outcome.result,
      exitCode: outcome.exitCode,
      message: outcome.message,
    });
    host.print(formatDriftText(report));
    await publishDriftReport(host, report, inputs.outputs);
    host.setOutput('result', outcome.result);
    host.setResult(outcome.result, `${outcome.message} (${formatDuration(finishedAt.getTime() - startedAt.getTime())})`);
    return outcome.exitCode;
  } catch (error) {
    host.setOutput('result', 'failed');
    host.setResult('failed', `kvdr drift failed: ${describeError(error)}`);
    return ExitCode.Fatal;
  } finally {
    deadline.dispose();
  }
}

function settingsOf(inputs: DriftInputs): DriftReport['settings'] {
  const settings: DriftReport['settings'] = {
    mode: inputs.hasSource ? 'source' : 'mesh',
    deep: inputs.deep,
    onDrift: inputs.onDrift,
    prune: inputs.prune,
    deletes: inputs.deletes,
    filter: inputs.filter.description,
  };
  if (inputs.terraform !== undefined) settings.terraformRegions = inputs.terraform.regions;
  return settings;
}

/** `kvdr drift`. */
export const driftCommand: CommandSpec = {
  name: 'drift',
  summary: 'Find secrets that differ between vaults, and Terraform stacks that differ from Azure.',
  options: driftOptions,
  run: (host) => runDriftCommand(host),
};
