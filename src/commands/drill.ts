/**
 * `kvdr drill`: a DR failover drill that proves the secondaries take over when the primary is
 * lost, measures RTO and RPO against targets, and always puts the primary back. The same code
 * runs behind the CLI, the KeyVaultFailoverDrill task and the drill action; their post-job steps
 * run {@link drillPostJobCommand}.
 */
import { hostname } from 'node:os';

import { ArmVaultClient, parseVaultResourceId, resolveArmEndpoint } from '../core/access/arm';
import { describeError, EngineError, invalidInput, isEngineError } from '../core/errors';
import { formatDuration, parseDurationInMs } from '../core/duration';
import { DRILL_DEFAULTS, DRILL_MODES, recoverRuns, runDrill, type DrillMode, type DrillResult, type NetworkControl } from '../core/drill';
import { buildDrillReport, renderDrillJunit, renderDrillMarkdown, type DrillReport } from '../core/drill/report';
import { writeJsonReportFile, writeReportFile, type ReportVault } from '../core/report';
import type { SecretFilter } from '../core/sync/filters';
import type { VaultStore } from '../core/vault/port';
import { customHostsAllowed, type VaultReference } from '../core/vault/url';
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
import type { Host } from './host';
import { ExitCode, filterOptions, limitOptions, outputOptions, type CommandSpec, type OptionSpec } from './spec';

/** The drill command's options, in the order help lists them. */
export const drillOptions: readonly OptionSpec[] = [
  { name: 'primary', kind: 'string', valueName: '<vault>', help: 'The primary vault, whose loss the drill simulates: a vault name or its URL.' },
  { name: 'secondary', kind: 'list', valueName: '<vault>', help: 'A secondary vault, in the application\'s failover order: a vault name or its URL; repeat for each.' },
  { name: 'mode', kind: 'choice', choices: DRILL_MODES, defaultValue: 'logical', help: 'logical: treat the primary as lost and change nothing in Azure; network: close the primary\'s public network access through ARM for the length of the drill (needs --allow-disruption).' },
  { name: 'allowDisruption', kind: 'boolean', defaultValue: 'false', help: 'Confirm that --mode network may close the primary\'s public network access; clients reaching it over the public endpoint fail over while the drill runs.' },
  { name: 'primaryResourceId', kind: 'string', valueName: '<id>', help: 'The primary\'s ARM resource id (/subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>); required by --mode network.' },
  { name: 'rtoTarget', kind: 'duration', defaultValue: '5m', valueName: '<duration>', help: 'RTO target: the longest time from the loss of the primary to the first successful write in a survivor, such as 30s or 5m.' },
  { name: 'rpoTarget', kind: 'duration', defaultValue: '0s', valueName: '<duration>', help: 'RPO target: the oldest write to the primary the first survivor may lack, such as 0s (none) or 15m.' },
  { name: 'lockExpiry', kind: 'duration', defaultValue: '2m', valueName: '<duration>', group: 'advanced', help: 'How long the drill\'s lock lasts without renewal; after a killed drill\'s lock lapses, the next drill restores its primary.' },
  { name: 'propagationTimeout', kind: 'duration', defaultValue: '5m', valueName: '<duration>', group: 'advanced', help: 'How long to wait for a network change of the primary to reach the data plane.' },
  ...filterOptions,
  ...limitOptions,
  ...outputOptions.map((option) => (option.name === 'junit' ? { ...option, help: 'Write a JUnit XML file with one test case per drill step and per target.' } : option)),
];

/** Typed, validated drill options. */
export interface DrillInputs {
  primary: VaultReference;
  secondaries: VaultReference[];
  mode: DrillMode;
  primaryResourceId?: string;
  rtoTargetInMs: number;
  rpoTargetInMs: number;
  lockExpiryInMs: number;
  propagationTimeoutInMs: number;
  filter: SecretFilter;
  limits: RunLimits;
  outputs: OutputPaths;
}

/** Ways for tests to reach the emulator or in-memory vaults; the front ends pass none. */
export interface DrillOverrides extends VaultAccessOverrides {
  /** ARM access in place of an {@link ArmVaultClient}. */
  network?: NetworkControl;
  lockSettleInMs?: number;
  probeIntervalInMs?: number;
  /** Called once the lock is held; the task and action keep the run id for their post-job step. */
  onLockAcquired?: (runId: string) => void;
  /** Called after each step, before the next starts. */
  onStepFinished?: (name: string, status: string) => void;
}

/** Reads and validates every option; calls no vault. */
export function readDrillInputs(host: Host, env: NodeJS.ProcessEnv = process.env): DrillInputs {
  const primary = readVaultReference(host, 'primary', env);
  if (primary === undefined) throw invalidInput('Missing --primary: give the vault whose loss the drill simulates.');
  const secondaries = readVaultReferences(host, 'secondary', env);
  if (secondaries.length === 0) throw invalidInput('Missing --secondary: give each secondary vault, in the application\'s failover order.');
  assertDistinctVaults([primary, ...secondaries]);

  const mode = readChoice(host, 'mode', DRILL_MODES, 'logical');
  const allowDisruption = host.getBooleanInput('allowDisruption', false);
  const resourceIdText = host.getInput('primaryResourceId');
  let primaryResourceId: string | undefined;
  if (mode === 'network') {
    if (!allowDisruption) {
      throw invalidInput('--mode network closes the primary\'s public network access for the length of the drill. Add --allow-disruption to confirm, or use --mode logical.');
    }
    if (resourceIdText === undefined) throw invalidInput('--mode network needs --primary-resource-id: the primary\'s ARM resource id (az keyvault show --name <vault> --query id).');
  }
  if (resourceIdText !== undefined) primaryResourceId = parseVaultResourceId(resourceIdText, '--primary-resource-id');

  const limits = readLimits(host);
  const lockExpiryInMs = parseDurationInMs(host.getInput('lockExpiry') ?? '2m', '--lock-expiry');
  if (lockExpiryInMs < 3000) throw invalidInput(`Invalid --lock-expiry of ${formatDuration(lockExpiryInMs)}: give at least 3s, such as 2m.`);
  const rtoTargetInMs = parseDurationInMs(host.getInput('rtoTarget') ?? '5m', '--rto-target');
  // A first write always takes some time, so a zero target would fail every drill after it changed the primary.
  if (rtoTargetInMs <= 0) throw invalidInput('Invalid --rto-target of 0s: give a positive duration, such as 5m.');
  return {
    primary,
    secondaries,
    mode,
    primaryResourceId,
    rtoTargetInMs,
    rpoTargetInMs: parseDurationInMs(host.getInput('rpoTarget') ?? '0s', '--rpo-target'),
    lockExpiryInMs,
    propagationTimeoutInMs: parseDurationInMs(host.getInput('propagationTimeout') ?? '5m', '--propagation-timeout'),
    filter: readSecretFilter(host),
    limits,
    outputs: readOutputPaths(host),
  };
}

/** Names the job running the drill, so a post-job step restores only its own run. */
export function jobIdOf(env: NodeJS.ProcessEnv): string {
  if (env.SYSTEM_JOBID) return `azure-pipelines:${env.BUILD_BUILDID ?? ''}:${env.SYSTEM_JOBID}`;
  // GITHUB_JOB is the job's key in the workflow, the same in every leg of a matrix. A runner runs
  // one job at a time, so RUNNER_NAME distinguishes the legs that run at once.
  if (env.GITHUB_RUN_ID) return `github:${env.GITHUB_RUN_ID}:${env.GITHUB_RUN_ATTEMPT ?? '1'}:${env.GITHUB_JOB ?? ''}:${env.RUNNER_NAME ?? ''}`;
  return `cli:${hostname()}:${process.pid}`;
}

/** Opens the stores and ARM access. Stores outlive the run's deadline by the restore allowance. */
async function openDrill(host: Host, inputs: DrillInputs, overrides: DrillOverrides, env: NodeJS.ProcessEnv) {
  // The stores' own deadline leaves time to restore the primary after the run's deadline fires.
  const storeDeadline = createRunDeadline(inputs.limits.timeoutInMs + inputs.propagationTimeoutInMs + 120_000);
  const stores = await openStores(host, [inputs.primary, ...inputs.secondaries], inputs.limits, storeDeadline, overrides);
  let network = overrides.network;
  if (network === undefined && overrides.openStore === undefined) {
    try {
      const { endpoint, scope } = resolveArmEndpoint(env, customHostsAllowed(env));
      network = new ArmVaultClient({ credential: await host.getCredential(), endpoint, callTimeoutInMs: inputs.limits.callTimeoutInMs, tlsCa: overrides.tlsCa, lookup: overrides.lookup }, scope);
    } catch (error) {
      // Network mode needs ARM; logical mode uses it only to restore a killed network-mode drill.
      if (inputs.mode === 'network') throw error;
      host.log.debug(`No ARM access: ${describeError(error)}`);
    }
  }
  return { stores, network, storeDeadline };
}

function reportVaults(stores: readonly VaultStore[]): ReportVault[] {
  return stores.map((store, index) => {
    const stats = store.stats();
    return {
      vaultId: store.vaultId,
      vaultUrl: store.vaultUrl,
      role: index === 0 ? 'primary' : 'secondary',
      requests: Object.values(stats.requestsByOperation).reduce((sum, count) => sum + count, 0),
      requestsByOperation: { ...stats.requestsByOperation },
      throttledResponses: stats.throttledResponses,
      throttledWaitInMs: Math.round(stats.throttledWaitInMs),
      retries: stats.retries,
    };
  });
}

function messageOf(drill: DrillResult): string {
  const failed = drill.steps.filter((step) => step.status === 'failed').map((step) => step.name);
  const rto = drill.rto.measuredInMs === undefined ? 'RTO not measured' : `RTO ${formatDuration(drill.rto.measuredInMs)} (target ${formatDuration(drill.rto.targetInMs)}, ${drill.rto.met ? 'met' : 'missed'})`;
  const rpo = drill.rpo === undefined ? 'RPO not measured' : `RPO ${drill.rpo.count} secret(s) at risk, oldest ${formatDuration(drill.rpo.oldestAgeInMs ?? 0)} (target ${formatDuration(drill.rpo.targetInMs)}, ${drill.rpo.met ? 'met' : 'missed'})`;
  const steps = failed.length === 0 ? 'every step passed' : `failed steps: ${failed.join(', ')}`;
  return `Drill ${drill.passed ? 'passed' : 'failed'}: ${steps}; ${rto}; ${rpo}.`;
}

function settingsOf(inputs: DrillInputs): DrillReport['settings'] {
  const settings: DrillReport['settings'] = {
    mode: inputs.mode,
    rtoTarget: formatDuration(inputs.rtoTargetInMs),
    rpoTarget: formatDuration(inputs.rpoTargetInMs),
    filter: inputs.filter.description,
  };
  if (inputs.primaryResourceId !== undefined) settings.primaryResourceId = inputs.primaryResourceId;
  return settings;
}

async function publishDrillReport(host: Host, report: DrillReport, paths: OutputPaths): Promise<void> {
  const markdown = renderDrillMarkdown(report);
  let reportPath: string | undefined;
  if (paths.report !== undefined) reportPath = await writeJsonReportFile(paths.report, report);
  if (paths.markdown !== undefined) await writeReportFile(paths.markdown, markdown);
  if (paths.junit !== undefined) await writeReportFile(paths.junit, renderDrillJunit(report));
  await host.writeSummary(markdown);
  host.writeResult(report);
  host.setOutput('reportPath', reportPath ?? '');
  host.setOutput('passed', String(report.passed));
  host.setOutput('runId', report.runId);
  host.setOutput('rtoSeconds', report.rto.measuredInMs === undefined ? '' : (report.rto.measuredInMs / 1000).toFixed(1));
  host.setOutput('rpoSecretsAtRisk', report.rpo?.count === undefined ? '' : String(report.rpo.count));
  host.setOutput('rpoOldestAgeSeconds', report.rpo?.oldestAgeInMs === undefined ? '' : String(Math.round(report.rpo.oldestAgeInMs / 1000)));
}

function formatDrillText(drill: DrillResult): string {
  return drill.steps.map((step, index) => `${index + 1}. ${step.name.padEnd(15)} ${step.status.padEnd(8)} ${step.durationInMs === undefined ? '' : formatDuration(step.durationInMs)}${step.error ? `  ${step.error}` : ''}`).join('\n');
}

function fail(host: Host, message: string): ExitCode {
  host.setOutput('result', 'failed');
  host.setResult('failed', message);
  return ExitCode.Fatal;
}

/**
 * Runs `kvdr drill` in `host`. Returns 0 when every step passed and both targets were met, and 2
 * when the drill ran but missed a target or a step failed. Returns 1 for bad input or a drill that
 * could not start, because another drill has the lock or a vault or ARM cannot be used.
 */
export async function runDrillCommand(host: Host, overrides: DrillOverrides = {}): Promise<ExitCode> {
  const env = overrides.env ?? process.env;
  let inputs: DrillInputs;
  try {
    inputs = readDrillInputs(host, env);
  } catch (error) {
    return fail(host, describeError(error));
  }

  const deadline = createRunDeadline(inputs.limits.timeoutInMs);
  // A cancelled job gets SIGINT or SIGTERM before it is killed: stop the steps, restore the
  // primary and remove the canaries. A second signal ends the process as usual.
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    host.log.warning(`Received ${signal}: stopping the drill, then restoring the primary and removing the canaries.`);
    cancel.abort(new EngineError('aborted', `The drill was stopped by ${signal}.`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let storeDeadline: { dispose(): void } | undefined;
  try {
    const opened = await openDrill(host, inputs, overrides, env);
    storeDeadline = opened.storeDeadline;
    const [primary, ...secondaries] = opened.stores;
    host.log.info(`kvdr drill (${inputs.mode}): primary ${primary.vaultId}, failover order ${secondaries.map((store) => store.vaultId).join(' → ')}.`);
    const drill = await runDrill({
      primary,
      secondaries,
      mode: inputs.mode,
      primaryResourceId: inputs.primaryResourceId,
      network: opened.network,
      rtoTargetInMs: inputs.rtoTargetInMs,
      rpoTargetInMs: inputs.rpoTargetInMs,
      filter: inputs.filter,
      jobId: jobIdOf(env),
      lockExpiryInMs: inputs.lockExpiryInMs,
      lockSettleInMs: overrides.lockSettleInMs,
      propagationTimeoutInMs: inputs.propagationTimeoutInMs,
      probeIntervalInMs: overrides.probeIntervalInMs,
      abortSignal: AbortSignal.any([deadline.signal, cancel.signal]),
      logger: host.log,
      onValueRead: (value) => host.setSecret(value),
      onLockAcquired: (runId) => overrides.onLockAcquired?.(runId),
      onStepFinished: (name, status) => {
        host.log.info(`Step ${name}: ${status}.`);
        overrides.onStepFinished?.(name, status);
      },
      concurrencyPerVault: overrides.concurrencyPerVault,
      maxRequestsPerSecond: inputs.limits.maxRequestsPerSecond,
    });

    const exitCode = drill.passed ? ExitCode.Success : ExitCode.Partial;
    const message = messageOf(drill);
    const result = drill.passed ? 'succeeded' : 'failed';
    const report = buildDrillReport(drill, { result, exitCode, message, settings: settingsOf(inputs), vaults: reportVaults(opened.stores) });
    host.print(formatDrillText(drill));
    await publishDrillReport(host, report, inputs.outputs);
    host.setOutput('result', result);
    host.setResult(result, message);
    return exitCode;
  } catch (error) {
    const reason = isEngineError(error) && error.code === 'conflict' ? 'kvdr drill could not start' : 'kvdr drill failed';
    return fail(host, `${reason}: ${describeError(error)}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    deadline.dispose();
    storeDeadline?.dispose();
  }
}

/**
 * Restores what this job's drill left when the job was cancelled or killed (the primary's network
 * settings, then its canaries), whatever the lock's expiry. It is the post-job step of the task
 * and the action. A drill that finished has nothing left to restore.
 */
export async function runDrillPostJob(host: Host, overrides: DrillOverrides = {}): Promise<ExitCode> {
  const env = overrides.env ?? process.env;
  let inputs: DrillInputs;
  try {
    inputs = readDrillInputs(host, env);
  } catch (error) {
    host.log.warning(`The drill's post-job step has nothing to restore: ${describeError(error)}`);
    return ExitCode.Success;
  }
  const jobId = jobIdOf(env);
  let opened: Awaited<ReturnType<typeof openDrill>> | undefined;
  try {
    opened = await openDrill(host, inputs, overrides, env);
    const { runs, warnings } = await recoverRuns({
      stores: opened.stores,
      network: opened.network,
      select: (claim) => claim.status === 'running' && claim.jobId === jobId,
      propagationTimeoutInMs: inputs.propagationTimeoutInMs,
      probeIntervalInMs: overrides.probeIntervalInMs ?? DRILL_DEFAULTS.probeIntervalInMs,
      logger: host.log,
    });
    for (const warning of warnings) host.log.warning(warning);
    for (const run of runs) host.log.info(`Drill ${run.runId}: ${run.actions.join('; ') || 'nothing to restore'}${run.error ? `; failed: ${run.error}` : ''}.`);
    const failed = runs.filter((run) => run.error !== undefined);
    if (failed.length > 0) return fail(host, `Could not restore drill ${failed.map((run) => run.runId).join(', ')}: ${failed.map((run) => run.error).join(' ')}`);
    host.setResult('succeeded', runs.length === 0 ? 'No drill of this job was left to restore.' : `Restored drill ${runs.map((run) => run.runId).join(', ')}.`);
    return ExitCode.Success;
  } catch (error) {
    return fail(host, `The drill's post-job step failed: ${describeError(error)}`);
  } finally {
    opened?.storeDeadline.dispose();
  }
}

/** `kvdr drill`. */
export const drillCommand: CommandSpec = {
  name: 'drill',
  summary: 'Run a DR failover drill: lose the primary, write and read in the secondaries, fail back, and measure RTO and RPO.',
  options: drillOptions,
  run: (host) => runDrillCommand(host),
};

/** The post-job step of KeyVaultFailoverDrill@1 and the drill action; not a CLI command. */
export const drillPostJobCommand: CommandSpec = {
  name: 'drill',
  summary: 'Restore what this job\'s drill left when the job was cancelled or killed.',
  options: drillOptions,
  run: (host) => runDrillPostJob(host),
};
