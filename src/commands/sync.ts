/**
 * `kvdr sync`: makes the secrets of several vaults agree, one-way from a source to targets or as a
 * mesh where every vault is writable. The same code runs behind the CLI, the KeyVaultSync task and
 * the sync action.
 */
import { describeError } from '../core/errors';
import { formatDuration } from '../core/duration';
import { ACTION_KINDS, CONFLICT_POLICIES, defaultConflictPolicy, DELETE_POLICIES, SOFT_DELETED_POLICIES, SYNC_MODES, type SyncMode, type SyncPolicy } from '../core/sync/model';
import { buildSyncReport, countSyncResults, type SyncCounts } from '../core/sync/report';
import { runSync, type SyncRunResult } from '../core/sync/run';
import { formatPlanTable, formatSummary } from '../core/sync/table';
import type { VaultReference } from '../core/vault/url';
import { invalidInput } from '../core/errors';
import {
  assertDistinctVaults,
  createRunDeadline,
  finishRun,
  openStores,
  publishReport,
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

/** The sync command's options, in the order help lists them. */
export const syncOptions: readonly OptionSpec[] = [
  { name: 'mode', kind: 'choice', choices: SYNC_MODES, defaultValue: 'one-way', help: 'one-way: copy --source to every --target; mesh: every --vault is writable and they converge.' },
  { name: 'source', kind: 'string', valueName: '<vault>', help: 'The source vault (one-way): a vault name or its URL.' },
  { name: 'target', kind: 'list', valueName: '<vault>', help: 'A target vault (one-way): a vault name or its URL; repeat for several.' },
  { name: 'vault', kind: 'list', valueName: '<vault>', help: 'A vault of the mesh, the primary first: a vault name or its URL; repeat for each vault.' },
  { name: 'dryRun', kind: 'boolean', defaultValue: 'false', help: 'Compute and print the plan, change nothing, and report whether changes are present.' },
  { name: 'deletes', kind: 'choice', choices: DELETE_POLICIES, defaultValue: 'none', group: 'policies', help: 'none: deletes do not replicate; soft-delete: a replicated secret deleted at its source or origin is soft-deleted in the other vaults (never purged).' },
  { name: 'prune', kind: 'boolean', defaultValue: 'false', group: 'policies', help: 'One-way only: soft-delete target secrets that were never replicated.' },
  { name: 'onConflict', kind: 'choice', choices: CONFLICT_POLICIES, valueName: '<policy>', group: 'policies', help: 'How to resolve a write the winning side never saw. Default: source-wins in one-way, newest-wins in mesh (source-wins there means the first --vault).' },
  { name: 'onSoftDeleted', kind: 'choice', choices: SOFT_DELETED_POLICIES, defaultValue: 'recover', group: 'policies', help: 'A name to create is soft-deleted in the target: recover it and write, or fail that pair.' },
  ...filterOptions,
  ...limitOptions,
  ...outputOptions,
];

/** Typed, validated sync options. */
export interface SyncInputs {
  mode: SyncMode;
  /** One-way: the source first, then the targets. Mesh: the primary first. */
  vaults: VaultReference[];
  policy: SyncPolicy;
  dryRun: boolean;
  limits: RunLimits;
  outputs: OutputPaths;
}

/** Reads and validates every option; calls no vault. */
export function readSyncInputs(host: Host, env: NodeJS.ProcessEnv = process.env): SyncInputs {
  const mode = readChoice(host, 'mode', SYNC_MODES, 'one-way');
  const source = readVaultReference(host, 'source', env);
  const targets = readVaultReferences(host, 'target', env);
  const meshVaults = readVaultReferences(host, 'vault', env);
  const prune = host.getBooleanInput('prune', false);

  let vaults: VaultReference[];
  if (mode === 'one-way') {
    if (meshVaults.length > 0) throw invalidInput('--vault is for --mode mesh. In one-way mode give --source and --target.');
    if (source === undefined) throw invalidInput('Missing --source: give the vault to copy from, as a name or URL.');
    if (targets.length === 0) throw invalidInput('Missing --target: give at least one vault to copy to; repeat --target for several.');
    vaults = [source, ...targets];
  } else {
    if (source !== undefined || targets.length > 0) throw invalidInput('--source and --target are for one-way mode. In mesh mode give every vault with --vault, the primary first.');
    if (meshVaults.length < 2) throw invalidInput('A mesh needs at least two vaults: give --vault for each, the primary first.');
    if (prune) throw invalidInput('--prune applies to one-way mode only: in a mesh every secret is replicated to every vault.');
    vaults = meshVaults;
  }
  assertDistinctVaults(vaults);

  const policy: SyncPolicy = {
    mode,
    onConflict: readChoice(host, 'onConflict', CONFLICT_POLICIES, defaultConflictPolicy(mode)),
    deletes: readChoice(host, 'deletes', DELETE_POLICIES, 'none'),
    prune,
    onSoftDeleted: readChoice(host, 'onSoftDeleted', SOFT_DELETED_POLICIES, 'recover'),
    filter: readSecretFilter(host),
  };
  return { mode, vaults, policy, dryRun: host.getBooleanInput('dryRun', false), limits: readLimits(host), outputs: readOutputPaths(host) };
}

/**
 * Runs `kvdr sync` in `host`. `overrides` let tests and the demo reach the emulator in-process.
 * Returns the exit code; a fatal error is reported through the host and returns 1.
 */
export async function runSyncCommand(host: Host, overrides: VaultAccessOverrides = {}): Promise<ExitCode> {
  const startedAt = new Date();
  let inputs: SyncInputs;
  try {
    inputs = readSyncInputs(host, overrides.env);
  } catch (error) {
    return finishRun(host, 'failed', describeError(error));
  }

  const deadline = createRunDeadline(inputs.limits.timeoutInMs);
  try {
    const stores = await openStores(host, inputs.vaults, inputs.limits, deadline, overrides);
    const described = inputs.mode === 'mesh' ? `mesh of ${stores.map((store) => store.vaultId).join(', ')}` : `${stores[0].vaultId} to ${stores.slice(1).map((store) => store.vaultId).join(', ')}`;
    host.log.info(`kvdr sync ${described}${inputs.dryRun ? ' (dry run)' : ''}; filter: ${inputs.policy.filter.description}.`);

    let run: SyncRunResult;
    try {
      run = await runSync({
        policy: inputs.policy,
        stores,
        dryRun: inputs.dryRun,
        abortSignal: deadline.signal,
        logger: host.log,
        onValueRead: (value) => host.setSecret(value),
        concurrencyPerVault: overrides.concurrencyPerVault,
        maxRequestsPerSecond: inputs.limits.maxRequestsPerSecond,
        onProgress: progressReporter(host, inputs.outputs),
        onPlan: (plan) => host.print(formatPlanTable(plan)),
      });
    } catch (error) {
      return finishRun(host, 'failed', `kvdr sync stopped before its plan was complete: ${describeError(error)}`);
    }

    const counts = countSyncResults(run);
    const { result, message } = describeOutcome(run, counts);
    const finishedAt = new Date();
    const report = buildSyncReport(run, { stores, policy: inputs.policy, startedAt, finishedAt, result, exitCode: exitCodeFor(result), message });
    host.print(formatSummary(report));
    await publishReport(host, report, inputs.outputs, { markdown: { actionOrder: ACTION_KINDS } });
    setCountOutputs(host, counts, run.changesPresent);
    return finishRun(host, result, `${message} (${formatDuration(finishedAt.getTime() - startedAt.getTime())})`);
  } catch (error) {
    return finishRun(host, 'failed', `kvdr sync failed: ${describeError(error)}`);
  } finally {
    deadline.dispose();
  }
}

function exitCodeFor(result: RunResult): number {
  return result === 'succeeded' ? ExitCode.Success : result === 'partial' ? ExitCode.Partial : ExitCode.Fatal;
}

/** Decides how the run ended and describes it in one line, naming vaults that could not be used. */
function describeOutcome(run: SyncRunResult, counts: SyncCounts): { result: RunResult; message: string } {
  const unusable = [...run.unreachable.keys()];
  const unusableText = unusable.length > 0 ? ` Could not use ${unusable.join(', ')}.` : '';
  if (run.dryRun) {
    const changes = run.changesPresent ? `${counts.planned} change(s) planned` : 'no changes';
    if (unusable.length > 0) return { result: 'failed', message: `Dry run: ${changes}.${unusableText}` };
    return { result: 'succeeded', message: `Dry run: ${changes}; ${counts.conflicts} conflict(s), ${counts.skipped} skipped.` };
  }
  const applied = `${counts.created} created, ${counts.updated} updated, ${counts.propertiesUpdated} properties updated, ${counts.recovered} recovered, ${counts.deleted} deleted, ${counts.skipped} skipped`;
  if (counts.failed > 0 || counts.conflicts > 0) {
    const failedVaults = [...new Set(run.results.filter((item) => item.outcome === 'failed').map((item) => item.errorVaultId ?? item.action.vaultId))];
    const where = failedVaults.length > 0 ? ` Failures in ${failedVaults.join(', ')}.` : '';
    return { result: 'partial', message: `Sync finished with ${counts.failed} failed and ${counts.conflicts} conflicting pair(s): ${applied}.${where}${unusableText}` };
  }
  return { result: 'succeeded', message: `Sync succeeded: ${applied}.` };
}

function setCountOutputs(host: Host, counts: SyncCounts, changesPresent: boolean): void {
  host.setOutput('created', String(counts.created));
  host.setOutput('updated', String(counts.updated));
  host.setOutput('propertiesUpdated', String(counts.propertiesUpdated));
  host.setOutput('recovered', String(counts.recovered));
  host.setOutput('deleted', String(counts.deleted));
  host.setOutput('skipped', String(counts.skipped));
  host.setOutput('conflicts', String(counts.conflicts));
  host.setOutput('failed', String(counts.failed));
  host.setOutput('changesPresent', String(changesPresent));
}

/** Logs progress every tenth of the run on an interactive CLI; nothing elsewhere. */
function progressReporter(host: Host, outputs: OutputPaths): ((done: number, total: number) => void) | undefined {
  if (host.kind !== 'cli' || outputs.json || !process.stderr.isTTY) return undefined;
  let nextTenth = 1;
  return (done, total) => {
    if (total < 100) return;
    if (done * 10 >= nextTenth * total) {
      host.log.info(`Applied ${done} of ${total} pairs.`);
      nextTenth = Math.floor((done * 10) / total) + 1;
    }
  };
}

/** `kvdr sync`. */
export const syncCommand: CommandSpec = {
  name: 'sync',
  summary: 'Make the secrets of several vaults agree: one-way from a source, or as a mesh.',
  options: syncOptions,
  run: (host) => runSyncCommand(host),
};
