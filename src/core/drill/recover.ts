/**
 * Puts back what a drill left when its job was killed: the primary's original network settings
 * and its canaries. The next drill does this for runs whose lock lapsed; a post-job step does it
 * for its own job's run, whatever the lock's expiry.
 */
import { describeError, EngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { VaultStore } from '../vault/port';
import { removeCanary } from './canary';
import type { RecoveredRun } from './model';
import { describeNetworkSettings, waitForProbe, type NetworkControl } from './network';
import { DRILL_STATE_SECRET, listRunClaims, readRunRecord, writeRunRecord, type DrillStateRecord, type RunClaim } from './state';

/** Options of {@link recoverRuns}. */
export interface RecoverRunsOptions {
  /** Every vault to search for bookkeeping secrets and to clean canaries from. */
  stores: readonly VaultStore[];
  /** ARM access, to restore network settings; without it a network-mode run cannot be restored. */
  network?: NetworkControl;
  /** The selection of runs to restore, judged from their claims. */
  select: (claim: RunClaim) => boolean;
  /** Skipped: the current run's own claim. */
  excludeRunId?: string;
  /** How long to wait for a restored primary to respond again, in milliseconds. */
  propagationTimeoutInMs: number;
  probeIntervalInMs: number;
  abortSignal?: AbortSignal;
  logger?: Logger;
}

/**
 * Finds the selected runs in every vault's bookkeeping secret and restores each: the network
 * settings first, then the canaries, then a `restored` version that releases its lock in the
 * state vault. The run's `lock` claims in its other vaults are then marked `restored` too. A vault
 * that cannot be listed may be the primary a killed run closed, so it is listed again once the
 * other vaults' runs are restored, and skipped with a warning only when that fails too.
 */
export async function recoverRuns(options: RecoverRunsOptions): Promise<{ runs: RecoveredRun[]; warnings: string[] }> {
  const logger = options.logger ?? silentLogger;
  const runs: RecoveredRun[] = [];
  const unlisted: Array<{ stateStore: VaultStore; error: unknown }> = [];
  const locks: Array<{ store: VaultStore; claim: RunClaim }> = [];
  for (const stateStore of options.stores) {
    let claims: RunClaim[];
    try {
      claims = await listRunClaims(stateStore, options.abortSignal);
    } catch (error) {
      unlisted.push({ stateStore, error });
      continue;
    }
    await recoverRunsIn(stateStore, claims, options, logger, runs, locks);
  }

  const warnings: string[] = [];
  // Without a restore in between, a second listing would fail again, and slowly for an unreachable vault.
  const restoredAny = runs.some((run) => run.error === undefined);
  for (const { stateStore, error } of unlisted) {
    let claims: RunClaim[];
    try {
      if (!restoredAny) throw error;
      claims = await listRunClaims(stateStore, options.abortSignal);
    } catch (retryError) {
      warnings.push(`Could not look for earlier drills in ${stateStore.vaultId}: ${describeError(retryError)}`);
      continue;
    }
    await recoverRunsIn(stateStore, claims, options, logger, runs, locks);
  }

  // The `lock` claims contain nothing to restore, so they are released once the state is
  // restored. A run that could not be restored keeps them until they lapse.
  for (const { store, claim } of locks) {
    const run = runs.find((candidate) => candidate.runId === claim.runId);
    if (run?.error !== undefined) continue;
    try {
      await writeRunRecord(store, await readRunRecord(store, claim.version, options.abortSignal), 'restored', 0, options.abortSignal, 0, 'lock');
      run?.actions.push(`released the lock in ${store.vaultId}`);
      if (run === undefined) logger.info(`Released the lock of drill ${claim.runId} in ${store.vaultId}.`);
    } catch (error) {
      warnings.push(`Could not release the lock of drill ${claim.runId} in ${store.vaultId}: ${describeError(error)}. It lapses by itself.`);
    }
  }
  return { runs, warnings };
}

async function recoverRunsIn(
  stateStore: VaultStore,
  claims: RunClaim[],
  options: RecoverRunsOptions,
  logger: Logger,
  runs: RecoveredRun[],
  locks: Array<{ store: VaultStore; claim: RunClaim }>,
): Promise<void> {
  for (const claim of claims.filter((candidate) => candidate.runId !== options.excludeRunId && options.select(candidate))) {
    if (claim.role === 'lock') {
      locks.push({ store: stateStore, claim });
      continue;
    }
    logger.warning(`Drill ${claim.runId}${claim.jobId === '' ? '' : ` (job ${claim.jobId})`} did not finish; restoring what it changed.`);
    runs.push(await recoverRun(stateStore, claim, options));
  }
}

async function recoverRun(stateStore: VaultStore, claim: RunClaim, options: RecoverRunsOptions): Promise<RecoveredRun> {
  const recovered: RecoveredRun = { runId: claim.runId, jobId: claim.jobId || undefined, actions: [] };
  try {
    const record = await readRunRecord(stateStore, claim.version, options.abortSignal);
    await restoreNetworkOf(record, options, recovered);
    await removeCanariesOf(record, options, recovered);
    await writeRunRecord(stateStore, record, 'restored', 0, options.abortSignal);
    recovered.actions.push(`marked ${DRILL_STATE_SECRET} restored in ${stateStore.vaultId}`);
  } catch (error) {
    recovered.error = describeError(error);
  }
  return recovered;
}

async function restoreNetworkOf(record: DrillStateRecord, options: RecoverRunsOptions, recovered: RecoveredRun): Promise<void> {
  if (record.originalNetworkSettings === undefined) return;
  const resourceId = record.primaryResourceId ?? '';
  if (options.network === undefined) {
    throw new EngineError(
      'invalid-input',
      `Drill ${record.runId} closed ${record.primaryUrl} (${resourceId}) and did not restore it, and this run has no ARM access (check KVDR_ARM_ENDPOINT). Set these settings by hand: ${describeNetworkSettings(record.originalNetworkSettings)}.`,
    );
  }
  await options.network.setNetworkSettings(resourceId, record.originalNetworkSettings, options.abortSignal);
  recovered.actions.push(`restored the network settings of ${record.primaryUrl} (${describeNetworkSettings(record.originalNetworkSettings)})`);

  const primary = options.stores.find((store) => store.vaultUrl === record.primaryUrl);
  if (primary === undefined) return;
  const wait = await waitForProbe(primary, (outcome) => outcome === 'reachable', {
    timeoutInMs: options.propagationTimeoutInMs,
    intervalInMs: options.probeIntervalInMs,
    abortSignal: options.abortSignal,
  });
  if (!wait.accepted) recovered.actions.push(`${record.primaryUrl} did not respond yet after ${Math.round(wait.waitedInMs / 1000)} s (${wait.outcome})`);
}

async function removeCanariesOf(record: DrillStateRecord, options: RecoverRunsOptions, recovered: RecoveredRun): Promise<void> {
  const vaultUrls = new Set([record.primaryUrl, ...record.secondaryUrls]);
  const stores = options.stores.filter((store) => vaultUrls.has(store.vaultUrl));
  for (const canary of record.canaries) {
    const removal = await removeCanary(stores, canary.name, options.abortSignal);
    if (removal.deletedFrom.length > 0 || removal.purgedFrom.length > 0) recovered.actions.push(`removed canary ${canary.name} from ${removal.deletedFrom.join(', ') || 'no vault'}`);
    for (const note of removal.notes) recovered.actions.push(note);
    if (removal.failed) throw new EngineError('internal', `Could not remove every canary of drill ${record.runId}; see the notes above.`);
  }
}
