/**
 * One sync run: inventories from list calls, a plan completed with the lookups it requests, then
 * apply (unless a dry run). Commands, the demo and the drill start a sync here.
 */
import { describeError, EngineError, isEngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { VaultStats, VaultStore } from '../vault/port';
import { PlanApplier, type PairResult } from './apply';
import { EarlyCopier, ListingPacer } from './early';
import { buildInventory, hashValue, listDeletedNames, listOriginHistory, type VaultInventory } from './inventory';
import { emptyFacts, factKey, isChange, type PlanFacts, type PlannedAction, type SyncPlan, type SyncPolicy } from './model';
import { planIsIncomplete, planSync } from './plan';

/** Options of {@link runSync}. */
export interface RunSyncOptions {
  policy: SyncPolicy;
  /** One-way: the source first, then the targets. Mesh: the primary first. */
  stores: readonly VaultStore[];
  /** Stop after the plan. */
  dryRun?: boolean;
  /** The run's deadline. */
  abortSignal?: AbortSignal;
  logger?: Logger;
  /** Receives every value as it is read, to register it for masking (`host.setSecret`). */
  onValueRead?: (value: string) => void;
  /** Requests in flight per vault during apply; default 32. */
  concurrencyPerVault?: number;
  /**
   * The vaults' request budget per second (`--max-rps`). One-way copies that start while the source
   * is still listed are kept under it, so that the sequential list requests never queue behind them.
   */
  maxRequestsPerSecond?: number;
  onProgress?: (done: number, total: number) => void;
  /** Receives the complete plan before it is applied. */
  onPlan?: (plan: SyncPlan) => void;
}

/** The record of a run, for reports and exit codes. */
export interface SyncRunResult {
  plan: SyncPlan;
  /** One result per planned action, in the plan's order. */
  results: PairResult[];
  /** Vaults that could not be listed, with the error. */
  unreachable: Map<string, EngineError>;
  /** Request and throttling counts per vault id. */
  stats: Map<string, VaultStats>;
  /** True when the plan changes at least one vault. */
  changesPresent: boolean;
  dryRun: boolean;
}

/** Maximum planning passes: the first requests lookups, and later ones may request deleted-name lists. */
const MAX_PLAN_PASSES = 4;

/**
 * Runs a sync. Throws for a fatal error: bad input (names colliding after case folding), an
 * unreachable source in one-way mode, or fewer than two reachable vaults in mesh mode.
 */
export async function runSync(options: RunSyncOptions): Promise<SyncRunResult> {
  const logger = options.logger ?? silentLogger;
  const unreachable = new Map<string, EngineError>();
  const stores = new Map(options.stores.map((store) => [store.vaultId, store]));
  const facts = emptyFacts();
  const fetchDeleted = (vaultId: string): Promise<void> => fetchDeletedNames(vaultId, stores, facts, unreachable, options, logger);

  const applier = options.dryRun
    ? undefined
    : new PlanApplier({
        stores,
        abortSignal: options.abortSignal,
        logger,
        onValueRead: options.onValueRead,
        concurrencyPerVault: options.concurrencyPerVault,
        failedVaults: unreachable,
        onSoftDeleted: options.policy.onSoftDeleted,
        onProgress: options.onProgress,
      });
  const [source] = options.stores;
  const early =
    applier !== undefined && options.policy.mode === 'one-way'
      ? new EarlyCopier({
          policy: options.policy,
          facts,
          source: { vaultId: source.vaultId, vaultUrl: source.vaultUrl, entries: new Map() },
          applier,
          fetchDeletedNames: fetchDeleted,
        })
      : undefined;

  const pacer = early !== undefined && applier !== undefined ? new ListingPacer(applier, source.vaultId, options.maxRequestsPerSecond) : undefined;
  let inventories: Array<VaultInventory | undefined>;
  try {
    inventories = await logger.group('Listing secrets', () => listAll(options, unreachable, logger, early, pacer));
    pacer?.finish();
    await early?.settle();
  } catch (error) {
    // Let copies that already started finish before the fatal error is reported.
    await applier?.drain();
    const applied = applier?.countApplied() ?? 0;
    if (applied > 0) logger.warning(`${applied} pair(s) were applied before the run stopped. The next run finds them in sync and does not write them again.`);
    throw error;
  }
  const reachable = inventories.filter((inventory): inventory is VaultInventory => inventory !== undefined);

  // Secrets applied early keep the actions they were applied with, and the full plan decides the rest.
  const planOptions = { decidedKeys: early?.decidedKeys };
  let plan = planSync(reachable, options.policy, facts, planOptions);
  for (let pass = 1; planIsIncomplete(plan) && pass < MAX_PLAN_PASSES; pass += 1) {
    await fetchFacts(plan, facts, stores, options, logger, fetchDeleted);
    // Drop the previous pass's actions before planning again, so that two passes' actions are never live at once.
    plan.actions = [];
    plan = planSync(reachable, options.policy, facts, planOptions);
  }
  if (planIsIncomplete(plan)) throw new EngineError('internal', 'The plan still needed lookups after every pass; this is a bug in kvdr.');

  const remaining = plan.actions;
  plan.actions = early === undefined ? remaining : early.actions.concat(remaining);
  const unplanned = addUnplanned(plan, options.stores, unreachable);
  plan.actions.sort(compareByKey);
  options.onPlan?.(plan);

  const changesPresent = plan.actions.some((action) => isChange(action.kind));
  let results: PairResult[];
  if (applier === undefined) {
    results = plan.actions.map((action) => dryRunResult(action, unreachable));
  } else {
    await logger.group('Applying the plan', async () => {
      applier.submit([...remaining.filter((action) => !unreachable.has(action.vaultId)), ...unplanned]);
      await applier.drain();
    });
    results = applier.resultsOf(plan.actions);
  }
  const stats = new Map(options.stores.map((store) => [store.vaultId, store.stats()]));
  return { plan, results, unreachable, stats, changesPresent, dryRun: options.dryRun === true };
}

async function listAll(
  options: RunSyncOptions,
  unreachable: Map<string, EngineError>,
  logger: Logger,
  early: EarlyCopier | undefined,
  pacer: ListingPacer | undefined,
): Promise<Array<VaultInventory | undefined>> {
  const { stores, policy } = options;
  const list = async (store: VaultStore, index: number): Promise<VaultInventory | undefined> => {
    try {
      const copying = index === 0 && early !== undefined;
      const onEntry = copying
        ? (key: string): void => {
            pacer?.entryListed();
            early.entryListed(key);
          }
        : undefined;
      const entries = copying ? early.source.entries : undefined;
      const inventory = await buildInventory(store, { abortSignal: options.abortSignal, onEntry, entries });
      logger.info(`${store.vaultUrl}: ${inventory.entries.size} secrets`);
      return inventory;
    } catch (error) {
      const fatal = !isEngineError(error) || error.code === 'invalid-input' || error.code === 'aborted' || (policy.mode === 'one-way' && index === 0);
      if (fatal) throw error;
      logger.error(`${store.vaultUrl} could not be listed, so it is left out of this run: ${describeError(error)}`);
      unreachable.set(store.vaultId, error);
      return undefined;
    }
  };

  const sourceListing = list(stores[0], 0);
  const otherListings = Promise.all(stores.slice(1).map((store, index) => list(store, index + 1)));
  if (early !== undefined) {
    // NOTE: a case-folding collision in the source is found only when its listing ends, after
    // early copies began; Key Vault itself never lists two names that differ only in case.
    void otherListings.then((targets) => early.startWith(targets.filter((target): target is VaultInventory => target !== undefined)), () => undefined);
  }
  const listed = [await sourceListing, ...(await otherListings)];

  const reachable = listed.filter((inventory) => inventory !== undefined).length;
  if (policy.mode === 'mesh' && reachable < 2) {
    throw new EngineError('unavailable', `A mesh sync needs at least two reachable vaults; ${reachable} could be listed.`);
  }
  if (policy.mode === 'one-way' && reachable < 2) {
    const [first] = unreachable.values();
    throw first ?? new EngineError('invalid-input', 'A one-way sync needs a source and at least one target.');
  }
  return listed;
}

/** Lists a vault's soft-deleted names into `facts`; a failure makes the vault unusable for this run. */
async function fetchDeletedNames(
  vaultId: string,
  stores: ReadonlyMap<string, VaultStore>,
  facts: PlanFacts,
  unreachable: Map<string, EngineError>,
  options: RunSyncOptions,
  logger: Logger,
): Promise<void> {
  if (facts.deletedNames.has(vaultId)) return;
  const store = stores.get(vaultId) as VaultStore;
  try {
    facts.deletedNames.set(vaultId, await listDeletedNames(store, { abortSignal: options.abortSignal }));
  } catch (error) {
    if (!isEngineError(error) || error.code === 'aborted') throw error;
    logger.error(`Soft-deleted secrets of ${store.vaultUrl} could not be listed: ${describeError(error)}`);
    unreachable.set(vaultId, error);
    facts.deletedNames.set(vaultId, new Set());
  }
}

/** Fetches what the plan asked for: deleted-name lists, version histories and value hashes. */
async function fetchFacts(
  plan: SyncPlan,
  facts: PlanFacts,
  stores: ReadonlyMap<string, VaultStore>,
  options: RunSyncOptions,
  logger: Logger,
  fetchDeleted: (vaultId: string) => Promise<void>,
): Promise<void> {
  const callOptions = { abortSignal: options.abortSignal };
  const storeOf = (vaultId: string): VaultStore => stores.get(vaultId) as VaultStore;
  const tasks: Array<Promise<void>> = [];

  // One list of deleted secrets per target with creates costs ceil(deleted / 25) requests, while a
  // lookup per name would cost one request per create, which in a back-fill is far more.
  for (const vaultId of plan.needs.deletedNames) tasks.push(fetchDeleted(vaultId));
  for (const request of plan.needs.histories) {
    tasks.push(
      listOriginHistory(storeOf(request.vaultId), request.name, callOptions).then(
        (history) => void facts.histories.set(factKey(request.key, request.vaultId), history),
        (error: unknown) => {
          if (!isEngineError(error) || error.code === 'aborted') throw error;
          // Without the history the other write counts as unseen: a conflict under the policy.
          logger.warning(`Versions of ${request.name} in ${storeOf(request.vaultId).vaultUrl} could not be listed: ${describeError(error)}`);
          facts.histories.set(factKey(request.key, request.vaultId), []);
        },
      ),
    );
  }
  for (const request of plan.needs.valueHashes) {
    tasks.push(
      storeOf(request.vaultId)
        .getSecret(request.name, undefined, callOptions)
        .then(
          (secret) => {
            options.onValueRead?.(secret.value);
            facts.valueHashes.set(factKey(request.key, request.vaultId), hashValue(secret.value));
          },
          (error: unknown) => {
            if (!isEngineError(error) || error.code === 'aborted') throw error;
            logger.warning(`${request.name} in ${storeOf(request.vaultId).vaultUrl} could not be read for comparison: ${describeError(error)}`);
            facts.valueHashes.set(factKey(request.key, request.vaultId), `unreadable:${request.vaultId}`);
          },
        ),
    );
  }
  await Promise.all(tasks);
}

/** Adds a failed pair for each vault that could not be listed and each secret the plan changes or checks. */
function addUnplanned(plan: SyncPlan, stores: readonly VaultStore[], unreachable: ReadonlyMap<string, EngineError>): PlannedAction[] {
  const added: PlannedAction[] = [];
  if (unreachable.size === 0) return added;
  const names = new Map<string, string>();
  for (const action of plan.actions) if (action.kind !== 'skip' && !names.has(action.key)) names.set(action.key, action.name);
  for (const store of stores) {
    if (!unreachable.has(store.vaultId)) continue;
    plan.actions = plan.actions.filter((action) => action.vaultId !== store.vaultId);
    for (const [key, name] of names) added.push({ key, name, vaultId: store.vaultId, kind: 'unplanned', reason: 'The vault could not be listed.' });
  }
  plan.actions.push(...added);
  return added;
}

function compareByKey(a: PlannedAction, b: PlannedAction): number {
  if (a.key === b.key) return 0;
  return a.key < b.key ? -1 : 1;
}

function dryRunResult(action: PlannedAction, unreachable: ReadonlyMap<string, EngineError>): PairResult {
  if (action.kind === 'in-sync') return { action, outcome: 'converged' };
  if (action.kind === 'skip') return { action, outcome: 'skipped' };
  if (action.kind === 'conflict') return { action, outcome: 'conflict' };
  if (action.kind === 'unplanned') {
    const error = unreachable.get(action.vaultId);
    return { action, outcome: 'failed', error: error === undefined ? undefined : describeError(error), errorCode: error?.code };
  }
  return { action, outcome: 'planned' };
}
