/**
 * Runs a DR drill: takes the lock, restores drills that were killed, then runs the six steps and
 * always puts the primary back. The primary's original network settings are in the bookkeeping
 * secret before the first change, so a `finally`, a post-job step or the next drill can restore
 * them.
 */
import { describeError, EngineError } from '../errors';
import { silentLogger } from '../log';
import { createRunId } from './canary';
import { DrillLock } from './lock';
import { DRILL_STEPS, STEP_TITLES, type DrillResult, type DrillStep, type DrillStepName } from './model';
import { DRILL_DEFAULTS, type RunDrillOptions } from './options';
import { recoverRuns } from './recover';
import { isAbandoned, type DrillStateRecord } from './state';
import { DrillSteps } from './steps';

export type { RunDrillOptions } from './options';

function validate(options: RunDrillOptions): void {
  if (options.secondaries.length === 0) throw new EngineError('invalid-input', 'A drill needs at least one secondary: give --secondary for each vault of the failover order.');
  if (options.mode === 'network' && (options.network === undefined || options.primaryResourceId === undefined)) {
    throw new EngineError('invalid-input', 'Network mode needs the primary\'s ARM resource id (--primary-resource-id) and ARM access.');
  }
}

/**
 * Runs a drill and returns what it found. Throws an {@link EngineError} when the drill could not
 * start: bad input, another drill holding the lock (`conflict`), or a state vault that cannot be
 * written. Everything after the lock is taken ends in the result, failures included.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillResult> {
  validate(options);
  const logger = options.logger ?? silentLogger;
  const startedAt = new Date();
  const runId = createRunId(startedAt);
  const [stateStore] = options.secondaries;
  const record: DrillStateRecord = {
    schema: 1,
    runId,
    jobId: options.jobId,
    mode: options.mode,
    primaryUrl: options.primary.vaultUrl,
    primaryResourceId: options.primaryResourceId,
    secondaryUrls: options.secondaries.map((store) => store.vaultUrl),
    canaries: [],
    startedAt: startedAt.toISOString(),
  };
  const lockExpiryInMs = options.lockExpiryInMs ?? DRILL_DEFAULTS.lockExpiryInMs;
  const stores = [options.primary, ...options.secondaries];

  const lock = await DrillLock.acquire({
    stateStore,
    stores,
    record,
    lockExpiryInMs,
    settleInMs: options.lockSettleInMs ?? DRILL_DEFAULTS.lockSettleInMs,
    abortSignal: options.abortSignal,
    logger,
  });
  logger.info(`Drill ${runId} acquired the lock; its state is in ${stateStore.vaultId}.`);
  options.onLockAcquired?.(runId, stateStore.vaultUrl);

  const result: DrillResult = {
    runId,
    mode: options.mode,
    primary: { vaultId: options.primary.vaultId, vaultUrl: options.primary.vaultUrl },
    secondaries: options.secondaries.map((store) => ({ vaultId: store.vaultId, vaultUrl: store.vaultUrl })),
    stateVaultUrl: stateStore.vaultUrl,
    startedAt,
    finishedAt: startedAt,
    steps: [],
    rto: { targetInMs: options.rtoTargetInMs, met: false },
    canaries: [],
    reads: [],
    recoveredRuns: [],
    warnings: [],
    passed: false,
  };
  const steps = new DrillSteps(options, result, lock, record);

  const runStep = async (name: DrillStepName, body: (step: DrillStep) => Promise<void>): Promise<boolean> => {
    const started = Date.now();
    const step: DrillStep = { name, title: STEP_TITLES[name], status: 'passed', startedAt: new Date(started).toISOString(), offsetInMs: started - startedAt.getTime(), details: [] };
    result.steps.push(step);
    try {
      await logger.group(`Drill step: ${STEP_TITLES[name]}`, () => body(step));
    } catch (error) {
      step.status = 'failed';
      step.error = describeError(error);
      logger.error(`Drill step ${name} failed: ${step.error}`);
    }
    step.durationInMs = Date.now() - started;
    options.onStepFinished?.(name, step.status);
    return step.status === 'passed';
  };
  const skip = (name: DrillStepName, reason: string): void => {
    result.steps.push({ name, title: STEP_TITLES[name], status: 'skipped', details: [reason] });
    options.onStepFinished?.(name, 'skipped');
  };

  let restoredEverything = true;
  try {
    const recovered = await recoverRuns({
      stores,
      network: options.network,
      select: (claim) => isAbandoned(claim, Math.floor(Date.now() / 1000)),
      excludeRunId: runId,
      propagationTimeoutInMs: options.propagationTimeoutInMs ?? DRILL_DEFAULTS.propagationTimeoutInMs,
      probeIntervalInMs: options.probeIntervalInMs ?? DRILL_DEFAULTS.probeIntervalInMs,
      abortSignal: options.abortSignal,
      logger,
    });
    result.recoveredRuns = recovered.runs;
    result.warnings.push(...recovered.warnings);
    for (const run of recovered.runs.filter((candidate) => candidate.error !== undefined)) {
      result.warnings.push(`Could not restore the earlier drill ${run.runId}: ${run.error}`);
    }

    if (!(await runStep('preflight', (step) => steps.preflight(step)))) {
      for (const name of DRILL_STEPS.slice(1)) skip(name, 'Preflight failed; nothing was changed.');
    } else {
      const lost = await runStep('loss', (step) => steps.loss(step));
      if (lost) {
        await runStep('canary', (step) => steps.canaries(step));
        if (result.canaries.some((canary) => canary.rotated)) await runStep('failover-reads', (step) => steps.failoverReads(step));
        else skip('failover-reads', 'No canary was written.');
        await runStep('failback', (step) => steps.failback(step));
        // The canaries can be deleted from the primary only once it is open again.
        await steps.restoreAfterFailedFailback().catch((error: unknown) => logger.error(`Could not restore ${options.primary.vaultUrl} before cleanup: ${describeError(error)}`));
        // Cleanup also runs after a failed canary step: a write may have landed before the error.
        await runStep('cleanup', (step) => steps.cleanup(step));
      } else {
        skip('canary', 'The loss step failed.');
        skip('failover-reads', 'The loss step failed.');
        await runStep('failback', (step) => steps.failback(step));
        skip('cleanup', 'No canary was written.');
      }
    }
  } finally {
    try {
      await steps.restoreNetwork('finally');
    } catch (error) {
      restoredEverything = false;
      logger.error(`Could not restore the network settings of ${options.primary.vaultUrl}: ${describeError(error)}. A post-job step or the next drill restores them from ${stateStore.vaultId}.`);
    }
    if (restoredEverything) {
      await lock.release('finished').catch((error: unknown) => logger.warning(`Could not release the drill's lock in ${stateStore.vaultId}: ${describeError(error)}. It lapses by itself.`));
    } else {
      lock.abandon();
    }
  }

  if (options.abortSignal?.aborted) result.warnings.push(`The drill stopped early: ${describeError(options.abortSignal.reason)}`);
  result.finishedAt = new Date();
  const rpoMet = result.rpo?.met === true;
  result.passed = result.steps.every((step) => step.status === 'passed') && result.rto.met && rpoMet;
  return result;
}
