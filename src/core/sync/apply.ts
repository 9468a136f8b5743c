/**
 * Applies a plan. Values are read only for copies, each once, and written to every vault that needs
 * it. Work runs with bounded concurrency per vault. Every pair ends in one outcome, and one failing
 * vault never stops the others.
 */
import { describeError, EngineError, isEngineError, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { VaultStore } from '../vault/port';
import { copyValue, softDelete, updateProperties, type StepContext } from './apply-steps';
import { Semaphore } from './concurrency';
import type { PairOutcome, PlannedAction, SoftDeletedPolicy, SyncPlan } from './model';

/** Options of {@link applyPlan}. */
export interface ApplyOptions {
  /** Stores by vault id; every vault the plan changes or reads must be here. */
  stores: ReadonlyMap<string, VaultStore>;
  /** The run's deadline; pairs not done when it fires end as failed. */
  abortSignal?: AbortSignal;
  logger?: Logger;
  /** Receives every value as soon as it is read, before any other use, to register it for masking. */
  onValueRead?: (value: string) => void;
  /** Requests in flight per vault; default 32, enough to reach 400 requests per second at 80 ms. */
  concurrencyPerVault?: number;
  /** Maximum total wait for a transient 409 (being deleted or recovered) per pair; default 60 s. */
  transientWaitInMs?: number;
  /**
   * Vaults known to fail (for example their list call failed): their pairs fail at once. The map is
   * shared, so vaults found down later, by apply or by the caller, are added to it.
   */
  failedVaults?: Map<string, EngineError>;
  /**
   * The policy for a create that finds the name soft-deleted, because it was deleted after the target
   * was listed or its delete was still completing: recover and write (default), or leave a conflict.
   */
  onSoftDeleted?: SoftDeletedPolicy;
  /** Called after each pair with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** The outcome of one planned action. */
export interface PairResult {
  action: PlannedAction;
  outcome: PairOutcome;
  /** The error message when the pair failed; it never contains a value. */
  error?: string;
  errorCode?: ErrorCode;
  /** The vault whose call failed: the pair's own vault, or the vault its value is read from. */
  errorVaultId?: string;
}

const DEFAULT_CONCURRENCY_PER_VAULT = 32;
/** Taken tasks at the front of the queue before it is cut down to the tasks still waiting. */
const QUEUE_COMPACTION_THRESHOLD = 1024;

/** Applies `plan` and returns one result per action, in the plan's order. */
export async function applyPlan(plan: SyncPlan, options: ApplyOptions): Promise<PairResult[]> {
  const applier = new PlanApplier(options);
  applier.submit(plan.actions);
  await applier.drain();
  return applier.resultsOf(plan.actions);
}

/**
 * Applies actions as they are submitted, so that copies can start before the whole plan is known.
 * Submit all actions of one secret together: its copies share one read of the value.
 */
export class PlanApplier {
  private readonly context: StepContext;
  private readonly perVault: number;
  private readonly maxWorkers: number;
  /** Tasks not started yet. Workers take them in order, so a waiting task keeps no promise alive. */
  private queue: Array<(() => Promise<void>) | undefined> = [];
  private queueHead = 0;
  private workers = 0;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;
  private readonly slots = new Map<string, Semaphore>();
  private readonly results = new Map<PlannedAction, PairResult>();
  private submitted = 0;
  private done = 0;

  constructor(options: ApplyOptions) {
    const logger = options.logger ?? silentLogger;
    const perVault = options.concurrencyPerVault ?? DEFAULT_CONCURRENCY_PER_VAULT;
    this.perVault = perVault;
    this.maxWorkers = perVault * 2;
    const slot = (vaultId: string): Semaphore => this.slotOf(vaultId);
    const down = options.failedVaults ?? new Map<string, EngineError>();
    const record = (result: PairResult): void => {
      // One field order for every result, so they share one hidden class.
      this.results.set(result.action, { action: result.action, outcome: result.outcome, error: result.error, errorCode: result.errorCode, errorVaultId: result.errorVaultId });
      this.done += 1;
      options.onProgress?.(this.done, this.submitted);
    };
    const vaultIdByUrl = new Map([...options.stores].map(([vaultId, store]) => [store.vaultUrl, vaultId]));
    const fail = (action: PlannedAction, error: unknown): void => {
      const engineError = isEngineError(error) ? error : undefined;
      markDownOnConnectionFailure(engineError, vaultIdByUrl, down, logger);
      const message = describeError(error);
      logger.debug(`Failed: ${action.kind} ${action.name} in ${action.vaultId}: ${message}`);
      const errorVaultId = (engineError?.vaultUrl === undefined ? undefined : vaultIdByUrl.get(engineError.vaultUrl)) ?? action.vaultId;
      record({ action, outcome: 'failed', error: message, errorCode: engineError?.code ?? 'internal', errorVaultId });
    };
    this.context = { options, slot, down, fail, record, logger };
  }

  /** Lowers a vault's requests in flight, or restores the default when `limit` is undefined. */
  limitVault(vaultId: string, limit: number | undefined): void {
    this.slotOf(vaultId).setLimit(Math.min(limit ?? this.perVault, this.perVault));
  }

  private slotOf(vaultId: string): Semaphore {
    let semaphore = this.slots.get(vaultId);
    if (semaphore === undefined) this.slots.set(vaultId, (semaphore = new Semaphore(this.perVault)));
    return semaphore;
  }

  /** Starts applying `actions`; returns at once. */
  submit(actions: readonly PlannedAction[]): void {
    const { context } = this;
    this.submitted += actions.length;
    const copies = new Map<string, PlannedAction[]>();
    for (const action of actions) {
      if (action.kind === 'in-sync') context.record({ action, outcome: 'converged' });
      else if (action.kind === 'skip') context.record({ action, outcome: 'skipped' });
      else if (action.kind === 'conflict') context.record({ action, outcome: 'conflict' });
      else if (action.kind === 'unplanned') context.fail(action, context.down.get(action.vaultId) ?? new EngineError('internal', `Nothing was planned for ${action.vaultId}.`));
      else if (action.kind === 'update-properties') this.start(() => updateProperties(context, action));
      else if (action.kind === 'delete') this.start(() => softDelete(context, action));
      else {
        const groupKey = `${action.key}\n${action.valueSource?.vaultId ?? ''}`;
        const group = copies.get(groupKey);
        if (group === undefined) copies.set(groupKey, [action]);
        else group.push(action);
      }
    }
    for (const group of copies.values()) this.start(() => copyValue(context, group));
  }

  /** Waits until every submitted action has a result. */
  async drain(): Promise<void> {
    await this.idle;
  }

  /** Counts the results so far that changed a vault (outcome converged, action other than in-sync). */
  countApplied(): number {
    let applied = 0;
    for (const result of this.results.values()) if (result.outcome === 'converged' && result.action.kind !== 'in-sync') applied += 1;
    return applied;
  }

  /** Returns the results of `actions`, in their order. */
  resultsOf(actions: readonly PlannedAction[]): PairResult[] {
    return actions.map((action) => this.results.get(action) ?? { action, outcome: 'failed', error: 'The pair was not applied.', errorCode: 'internal' });
  }

  private start(task: () => Promise<void>): void {
    this.queue.push(task);
    if (this.workers >= this.maxWorkers) return;
    if (this.workers === 0) this.idle = new Promise((resolve) => (this.markIdle = resolve));
    this.workers += 1;
    void this.work();
  }

  private async work(): Promise<void> {
    for (let task = this.next(); task !== undefined; task = this.next()) {
      try {
        await task();
      } catch (error) {
        // Tasks record their own failures; reaching here is a bug, logged so the run still ends.
        this.context.logger.error(`An apply step failed unexpectedly: ${describeError(error)}`);
      }
    }
    this.workers -= 1;
    if (this.workers === 0) this.markIdle();
  }

  private next(): (() => Promise<void>) | undefined {
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
      return undefined;
    }
    const task = this.queue[this.queueHead];
    // Early copies keep the queue from ever running empty, so a task is dropped as a worker takes it
    // and the taken part is cut off now and then. Otherwise every finished task would stay alive.
    this.queue[this.queueHead] = undefined;
    this.queueHead += 1;
    if (this.queueHead >= QUEUE_COMPACTION_THRESHOLD && this.queueHead * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return task;
  }
}

/**
 * Marks a vault as down after a connection-level failure (no HTTP status: refused, unresolvable,
 * reset after retries), so its remaining pairs fail at once instead of each waiting out retries.
 * Failures with a status, such as a 503 after retries, stay per pair.
 */
function markDownOnConnectionFailure(error: EngineError | undefined, vaultIdByUrl: ReadonlyMap<string, string>, down: Map<string, EngineError>, logger: Logger): void {
  if (error?.code !== 'unavailable' || error.statusCode !== undefined || error.vaultUrl === undefined) return;
  const vaultId = vaultIdByUrl.get(error.vaultUrl);
  if (vaultId === undefined || down.has(vaultId)) return;
  down.set(vaultId, error);
  logger.warning(`${error.vaultUrl} cannot be reached; its remaining steps fail without further calls.`);
}
