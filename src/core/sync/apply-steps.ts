/**
 * The steps of apply for one secret: copy a value to every vault that needs it, update properties
 * in place, soft-delete, and wait out Key Vault's transient 409s. Every step records its own
 * outcome and never throws.
 */
import { describeError, EngineError, isEngineError } from '../errors';
import type { Logger } from '../log';
import type { SecretWithValue, VaultStore, WritableSecretProperties } from '../vault/port';
import type { ApplyOptions, PairResult } from './apply';
import { delay, type Semaphore } from './concurrency';
import type { Origin } from './lineage';
import type { PlannedAction } from './model';
import { propertiesToWrite } from './properties';

const DEFAULT_TRANSIENT_WAIT_IN_MS = 60_000;

/** The state the steps share with the applier: options, per-vault slots, vaults known down, and recording. */
export interface StepContext {
  options: ApplyOptions;
  slot: (vaultId: string) => Semaphore;
  down: Map<string, EngineError>;
  fail: (action: PlannedAction, error: unknown) => void;
  record: (result: PairResult) => void;
  logger: Logger;
}

export function storeOf(options: ApplyOptions, vaultId: string): VaultStore {
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
export async function copyValue(context: StepContext, actions: readonly PlannedAction[]): Promise<void> {
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

export async function updateProperties(context: StepContext, action: PlannedAction): Promise<void> {
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

export async function softDelete(context: StepContext, action: PlannedAction): Promise<void> {
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
