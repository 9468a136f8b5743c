/**
 * Applies a plan. Values are read only for copies, each once, and written to every vault that needs
 * it. Work runs with bounded concurrency per vault. Every pair ends in one outcome, and one failing
 * vault never stops the others.
 */
import { describeError, EngineError, isEngineError, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { SecretWithValue, VaultStore, WritableSecretProperties } from '../vault/port';
import { delay, Semaphore } from './concurrency';
import type { Origin } from './lineage';
import type { PairOutcome, PlannedAction, SoftDeletedPolicy, SyncPlan } from './model';
import { propertiesToWrite } from './properties';

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
}

const DEFAULT_CONCURRENCY_PER_VAULT = 32;
const DEFAULT_TRANSIENT_WAIT_IN_MS = 60_000;

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
  private queue: Array<() => Promise<void>> = [];
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
      this.results.set(result.action, { action: result.action, outcome: result.outcome, error: result.error, errorCode: result.errorCode });
      this.done += 1;
      options.onProgress?.(this.done, this.submitted);
    };
    const vaultIdByUrl = new Map([...options.stores].map(([vaultId, store]) => [store.vaultUrl, vaultId]));
    const fail = (action: PlannedAction, error: unknown): void => {
      const engineError = isEngineError(error) ? error : undefined;
      markDownOnConnectionFailure(engineError, vaultIdByUrl, down, logger);
      const message = describeError(error);
      logger.debug(`Failed: ${action.kind} ${action.name} in ${action.vaultId}: ${message}`);
      record({ action, outcome: 'failed', error: message, errorCode: engineError?.code ?? 'internal' });
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
    this.queueHead += 1;
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

interface StepContext {
  options: ApplyOptions;
  slot: (vaultId: string) => Semaphore;
  down: Map<string, EngineError>;
  fail: (action: PlannedAction, error: unknown) => void;
  record: (result: PairResult) => void;
  logger: Logger;
}

function storeOf(options: ApplyOptions, vaultId: string): VaultStore {
  const store = options.stores.get(vaultId);
  if (store === undefined) throw new EngineError('internal', `No store was opened for vault ${vaultId}.`);
  return store;
}

/** Throws the recorded error of a vault known to be down, or the deadline's error. */
function checkReachable(context: StepContext, vaultId: string): void {
  const known = context.down.get(vaultId);
  if (known !== undefined) throw known;
  if (context.options.abortSignal?.aborted) {
    throw new EngineError('timeout', `The run deadline (--timeout) passed before this step ran in ${storeOf(context.options, vaultId).vaultUrl}.`);
  }
}

/** Reads the value once, then writes it to every vault of the group in parallel. */
async function copyValue(context: StepContext, actions: readonly PlannedAction[]): Promise<void> {
  const source = actions[0].valueSource;
  if (source === undefined) {
    for (const action of actions) context.fail(action, new EngineError('internal', `The plan names no value source for ${action.name}.`));
    return;
  }
  let read: SecretWithValue;
  try {
    checkReachable(context, source.vaultId);
    const store = storeOf(context.options, source.vaultId);
    read = await context.slot(source.vaultId).run(() => store.getSecret(source.name, undefined, { abortSignal: context.options.abortSignal }));
    context.options.onValueRead?.(read.value);
    if (read.properties.createdOn !== source.createdOn) {
      throw new EngineError('conflict', `Secret ${source.name} changed in ${store.vaultUrl} during the run, so it was not copied. Run the sync again.`, {
        vaultUrl: store.vaultUrl,
        secretName: source.name,
      });
    }
  } catch (error) {
    for (const action of actions) context.fail(action, error);
    return;
  }

  const value = read.value;
  await Promise.all(
    actions.map(async (action) => {
      try {
        if (action.from === undefined) throw new EngineError('internal', `The plan names no properties for ${action.name}.`);
        const origin = completeOrigin(action.origin, source.vaultId, read.properties.version);
        const properties = propertiesToWrite(action.from, origin);
        const outcome = await writeValue(context, action, value, properties);
        context.record({ action, outcome, error: outcome === 'conflict' ? SOFT_DELETED_CONFLICT : undefined });
      } catch (error) {
        context.fail(action, error);
      }
    }),
  );
}

/** Fills the version of an origin seen only through a list call, from the version just read there. */
function completeOrigin(origin: Origin | undefined, readVaultId: string, readVersion: string): Origin | undefined {
  if (origin === undefined || origin.version !== '') return origin;
  if (origin.vaultId !== readVaultId) return undefined;
  return { ...origin, version: readVersion };
}

const SOFT_DELETED_CONFLICT = 'The name is soft-deleted in this vault and --on-soft-deleted is fail. Recover or purge it, or run with --on-soft-deleted recover.';

/** Writes a value; returns `conflict` when a create meets a soft-deleted name under the fail policy. */
async function writeValue(context: StepContext, action: PlannedAction, value: string, properties: WritableSecretProperties): Promise<'converged' | 'conflict'> {
  checkReachable(context, action.vaultId);
  const store = storeOf(context.options, action.vaultId);
  const abortSignal = context.options.abortSignal;
  const set = (): Promise<unknown> => withTransientWait(context, () => store.setSecret(action.name, value, properties, { abortSignal }));

  if (action.kind === 'recover-then-update') {
    await recover(context, store, action);
    await context.slot(action.vaultId).run(set);
    return 'converged';
  }
  try {
    await context.slot(action.vaultId).run(set);
    return 'converged';
  } catch (error) {
    // The name is soft-deleted although the deleted list did not show it: deleted after the list,
    // or its delete was still completing when the list was taken.
    if (!isEngineError(error) || error.code !== 'deleted-but-recoverable' || action.kind !== 'create') throw error;
    if (context.options.onSoftDeleted === 'fail') return 'conflict';
    context.logger.info(`${action.name} is soft-deleted in ${store.vaultUrl}; recovering it before the write.`);
    await recover(context, store, action);
    await context.slot(action.vaultId).run(set);
    return 'converged';
  }
}

async function recover(context: StepContext, store: VaultStore, action: PlannedAction): Promise<void> {
  const abortSignal = context.options.abortSignal;
  try {
    await context.slot(action.vaultId).run(() => withTransientWait(context, () => store.recoverDeletedSecret(action.name, { abortSignal })));
  } catch (error) {
    // Purged since the target was listed: the name is free, so the write below creates it.
    if (!isEngineError(error) || error.code !== 'not-found') throw error;
  }
}

async function updateProperties(context: StepContext, action: PlannedAction): Promise<void> {
  try {
    checkReachable(context, action.vaultId);
    const store = storeOf(context.options, action.vaultId);
    if (action.from === undefined) throw new EngineError('internal', `The plan names no properties for ${action.name}.`);
    const properties: WritableSecretProperties = action.enabledOnly ? { enabled: action.from.enabled } : propertiesToWrite(action.from, action.origin, undefined);
    await context.slot(action.vaultId).run(() =>
      withTransientWait(context, () => store.updateSecretProperties(action.name, action.targetVersion ?? '', properties, { abortSignal: context.options.abortSignal })),
    );
    context.record({ action, outcome: 'converged' });
  } catch (error) {
    context.fail(action, error);
  }
}

async function softDelete(context: StepContext, action: PlannedAction): Promise<void> {
  try {
    checkReachable(context, action.vaultId);
    const store = storeOf(context.options, action.vaultId);
    await context.slot(action.vaultId).run(() => withTransientWait(context, () => store.deleteSecret(action.name, { abortSignal: context.options.abortSignal })));
    context.record({ action, outcome: 'converged' });
  } catch (error) {
    context.fail(action, error);
  }
}

/**
 * Repeats `call` while Key Vault returns a transient 409 (being deleted or being recovered), which
 * follows a delete, recover or purge for a few seconds, up to the transient wait.
 */
async function withTransientWait<T>(context: StepContext, call: () => Promise<T>): Promise<T> {
  const limitInMs = context.options.transientWaitInMs ?? DEFAULT_TRANSIENT_WAIT_IN_MS;
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const transient = isEngineError(error) && (error.code === 'being-deleted' || error.code === 'being-recovered');
      const waitInMs = Math.min(250 * 2 ** Math.min(attempt - 1, 4), 4_000);
      if (!transient || Date.now() - started + waitInMs > limitInMs) throw error;
      context.logger.debug(`Waiting ${waitInMs} ms for a transient conflict to clear (attempt ${attempt}): ${describeError(error)}`);
      await delay(waitInMs, context.options.abortSignal);
    }
  }
}
