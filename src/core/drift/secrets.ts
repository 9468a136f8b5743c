/**
 * Secret drift between vaults: the same inventories, lineage and filters as sync, planned with the
 * sync planner and classified into drift states. By default only list calls are made (secrets, and
 * soft-deleted secrets or versions where a decision needs them); `--deep` also reads values.
 */
import { describeError, EngineError, isEngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { buildInventory, hashValue, listDeletedNames, listOriginHistory, type VaultInventory } from '../sync/inventory';
import { emptyFacts, factKey, type DeletePolicy, type PlanFacts, type SyncPlan, type SyncPolicy } from '../sync/model';
import { planIsIncomplete, planSync } from '../sync/plan';
import type { SecretFilter } from '../sync/filters';
import type { VaultStats, VaultStore } from '../vault/port';
import { classifyAction } from './classify';
import { compareValueHashes } from './deep';
import type { SecretDriftFinding } from './model';

/** Options of {@link checkSecretDrift}. */
export interface CheckSecretDriftOptions {
  /** With a source: the source first, then the targets. In a mesh: every vault, the primary first. */
  stores: readonly VaultStore[];
  /** True when `stores[0]` is the source; otherwise the vaults form a mesh. */
  hasSource: boolean;
  filter: SecretFilter;
  /** Count target-only secrets as drift, as `sync --prune` would delete them. Source only. */
  prune?: boolean;
  /** `soft-delete`: replicas whose source or origin was deleted count as drift. Default `none`. */
  deletes?: DeletePolicy;
  /** Also compare the SHA-256 of values that claim the same origin. */
  deep?: boolean;
  abortSignal?: AbortSignal;
  logger?: Logger;
  /** Receives every value read (`--deep`, or a secret with 15 tags), to register it for masking. */
  onValueRead?: (value: string) => void;
  /** Value reads in flight per vault under `--deep`; default 32. */
  concurrencyPerVault?: number;
}

/** The findings of a secret drift check, with the vaults it could not use. */
export interface SecretDriftResult {
  /** One finding per secret and vault pair, in plan order. */
  findings: SecretDriftFinding[];
  /** Vaults that could not be listed or queried, with the error; their pairs are not in `findings`. */
  unreachable: Map<string, EngineError>;
  /** Request and throttling counts per vault id. */
  stats: Map<string, VaultStats>;
  /** Values read: every one under `--deep`, otherwise only secrets with 15 tags. */
  valuesRead: number;
}

/** Maximum planning passes: the first requests lookups, and later ones may request deleted-name lists. */
const MAX_PLAN_PASSES = 4;

/**
 * Checks the vaults for secret drift. Throws for a fatal error: bad input (names colliding after
 * case folding), an unreachable source, or fewer than two vaults that could be listed.
 */
export async function checkSecretDrift(options: CheckSecretDriftOptions): Promise<SecretDriftResult> {
  const logger = options.logger ?? silentLogger;
  const unreachable = new Map<string, EngineError>();
  let valuesRead = 0;
  const onValueRead = (value: string): void => {
    valuesRead += 1;
    options.onValueRead?.(value);
  };

  const inventories = await logger.group('Listing secrets', () => listAll(options, unreachable, logger));
  const stores = new Map(options.stores.map((store) => [store.vaultId, store]));
  const policy: SyncPolicy = {
    mode: options.hasSource ? 'one-way' : 'mesh',
    // Every write that the winning side never saw is reported as diverged, whichever side is newer.
    onConflict: 'fail',
    deletes: options.deletes ?? 'none',
    prune: options.prune === true,
    onSoftDeleted: 'recover',
    filter: options.filter,
  };

  const facts = emptyFacts();
  let plan = planSync(inventories, policy, facts);
  for (let pass = 1; planIsIncomplete(plan) && pass < MAX_PLAN_PASSES; pass += 1) {
    await fetchFacts(plan, facts, stores, unreachable, { abortSignal: options.abortSignal, onValueRead }, logger);
    plan = planSync(inventories, policy, facts);
  }
  if (planIsIncomplete(plan)) throw new EngineError('internal', 'The drift check still needed lookups after every pass; this is a bug in kvdr.');

  const context = { inventories: new Map(inventories.map((inventory) => [inventory.vaultId, inventory])), prune: policy.prune };
  const findings: SecretDriftFinding[] = [];
  for (const action of plan.actions) {
    const finding = classifyAction(action, context);
    if (finding !== undefined) findings.push(finding);
  }

  if (options.deep) {
    await logger.group('Comparing value hashes (--deep)', () =>
      compareValueHashes(findings, {
        stores,
        inventories,
        sourceVaultId: options.hasSource ? options.stores[0].vaultId : undefined,
        concurrencyPerVault: options.concurrencyPerVault,
        abortSignal: options.abortSignal,
        logger,
        onValueRead,
      }),
    );
  }

  const stats = new Map(options.stores.map((store) => [store.vaultId, store.stats()]));
  return { findings, unreachable, stats, valuesRead };
}

async function listAll(options: CheckSecretDriftOptions, unreachable: Map<string, EngineError>, logger: Logger): Promise<VaultInventory[]> {
  const listed = await Promise.all(
    options.stores.map(async (store, index) => {
      try {
        const inventory = await buildInventory(store, { abortSignal: options.abortSignal });
        logger.info(`${store.vaultUrl}: ${inventory.entries.size} secrets`);
        return inventory;
      } catch (error) {
        const fatal = !isEngineError(error) || error.code === 'invalid-input' || error.code === 'aborted' || (options.hasSource && index === 0);
        if (fatal) throw error;
        logger.error(`${store.vaultUrl} could not be listed, so its drift is unknown: ${describeError(error)}`);
        unreachable.set(store.vaultId, error);
        return undefined;
      }
    }),
  );
  const reachable = listed.filter((inventory): inventory is VaultInventory => inventory !== undefined);
  if (reachable.length < 2) {
    const [first] = unreachable.values();
    throw first ?? new EngineError('invalid-input', 'A drift check needs at least two vaults.');
  }
  return reachable;
}

/**
 * Fetches what the plan asked for. A lookup that fails marks its vault as unreachable, because the
 * drift found there is then incomplete. A neutral fact takes its place so that planning can finish.
 */
async function fetchFacts(
  plan: SyncPlan,
  facts: PlanFacts,
  stores: ReadonlyMap<string, VaultStore>,
  unreachable: Map<string, EngineError>,
  options: { abortSignal?: AbortSignal; onValueRead: (value: string) => void },
  logger: Logger,
): Promise<void> {
  const callOptions = { abortSignal: options.abortSignal };
  const storeOf = (vaultId: string): VaultStore => stores.get(vaultId) as VaultStore;
  const failed = (vaultId: string, what: string) => (error: unknown): void => {
    if (!isEngineError(error) || error.code === 'aborted') throw error;
    logger.error(`${what} in ${storeOf(vaultId).vaultUrl} could not be listed or read: ${describeError(error)}`);
    if (!unreachable.has(vaultId)) unreachable.set(vaultId, error);
  };

  const tasks: Array<Promise<void>> = [];
  for (const vaultId of plan.needs.deletedNames) {
    tasks.push(
      listDeletedNames(storeOf(vaultId), callOptions).then(
        (names) => void facts.deletedNames.set(vaultId, names),
        (error: unknown) => {
          failed(vaultId, 'Soft-deleted secrets')(error);
          facts.deletedNames.set(vaultId, new Set());
        },
      ),
    );
  }
  for (const request of plan.needs.histories) {
    tasks.push(
      listOriginHistory(storeOf(request.vaultId), request.name, callOptions).then(
        (history) => void facts.histories.set(factKey(request.key, request.vaultId), history),
        (error: unknown) => {
          failed(request.vaultId, `Versions of ${request.name}`)(error);
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
            options.onValueRead(secret.value);
            facts.valueHashes.set(factKey(request.key, request.vaultId), hashValue(secret.value));
          },
          (error: unknown) => {
            failed(request.vaultId, request.name)(error);
            facts.valueHashes.set(factKey(request.key, request.vaultId), `unreadable:${request.vaultId}`);
          },
        ),
    );
  }
  await Promise.all(tasks);
}
