/**
 * `--deep`: compares the SHA-256 of the values of replicas that claim the same origin. Lineage
 * alone cannot see a replica whose value was edited with its `kvdr-origin` tag copied; the hash can.
 * Values are hashed as they arrive and never kept.
 */
import { describeError, isEngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { entryOrigin, hashValue, type VaultInventory } from '../sync/inventory';
import { sameOrigin, type Origin } from '../sync/lineage';
import type { VaultStore } from '../vault/port';
import type { SecretDriftFinding } from './model';

/** Options of {@link compareValueHashes}. */
export interface CompareValueHashesOptions {
  /** Stores by vault id. */
  stores: ReadonlyMap<string, VaultStore>;
  /** Inventories by vault id, in the order the vaults were given. */
  inventories: readonly VaultInventory[];
  /** The source's vault id with `--source`; `undefined` in a mesh. */
  sourceVaultId?: string;
  /** Reads in flight per vault; default 32. */
  concurrencyPerVault?: number;
  abortSignal?: AbortSignal;
  logger?: Logger;
  /** Receives every value as it is read, to register it for masking. */
  onValueRead?: (value: string) => void;
}

interface Reader {
  vaultId: string;
  name: string;
  hash?: string;
  error?: string;
}

interface Comparison {
  reference: Reader;
  replicas: Array<{ finding: SecretDriftFinding; reader: Reader }>;
}

/** The states whose replicas claim the value of the reference: their value is compared. */
const COMPARED_STATES = new Set(['in-sync', 'properties-differ']);

/**
 * Reads the values of every replica that claims the same origin as its reference (the source, or
 * in a mesh the origin vault, else the first vault holding it) and marks those whose SHA-256
 * differs as `value-differs`. Updates `findings` in place and returns the number of values read.
 */
export async function compareValueHashes(findings: SecretDriftFinding[], options: CompareValueHashesOptions): Promise<number> {
  const logger = options.logger ?? silentLogger;
  const comparisons = planComparisons(findings, options);
  // Each secret has one comparison, and each vault appears once in it, so no value is read twice.
  const readers = comparisons.flatMap((comparison) => [comparison.reference, ...comparison.replicas.map((replica) => replica.reader)]);

  const read = async (reader: Reader): Promise<void> => {
    const store = options.stores.get(reader.vaultId) as VaultStore;
    try {
      const secret = await store.getSecret(reader.name, undefined, { abortSignal: options.abortSignal });
      options.onValueRead?.(secret.value);
      reader.hash = hashValue(secret.value);
    } catch (error) {
      if (!isEngineError(error) || error.code === 'aborted' || error.code === 'timeout') throw error;
      reader.error = describeError(error);
      logger.warning(`${reader.name} in ${store.vaultUrl} could not be read for --deep: ${reader.error}`);
    }
  };
  await readPerVault(readers, options.concurrencyPerVault ?? 32, read);

  for (const { reference, replicas } of comparisons) {
    for (const { finding, reader } of replicas) {
      const unreadable = reference.error ?? reader.error;
      if (unreadable !== undefined) {
        finding.state = 'unverifiable';
        finding.outcome = 'reported';
        finding.reason = `The value could not be read for --deep: ${unreadable}`;
      } else if (reader.hash !== reference.hash) {
        finding.state = 'value-differs';
        finding.outcome = 'drift';
        finding.reason =
          `Same lineage as ${reference.vaultId}, but the SHA-256 of the value differs: the value was changed outside kvdr with its kvdr-origin tag kept. ` +
          'Remove the replica\'s kvdr-origin tag (it then counts as a local write) or write the value again in the source, and run kvdr sync.';
      }
    }
  }
  return readers.length;
}

/**
 * Reads with a fixed number of workers per vault, each taking the next reader of its vault, so
 * memory stays flat however many values there are (a promise per value would not).
 */
async function readPerVault(readers: readonly Reader[], concurrencyPerVault: number, read: (reader: Reader) => Promise<void>): Promise<void> {
  const queues = new Map<string, Reader[]>();
  for (const reader of readers) {
    const queue = queues.get(reader.vaultId);
    if (queue === undefined) queues.set(reader.vaultId, [reader]);
    else queue.push(reader);
  }
  const workers: Array<Promise<void>> = [];
  for (const queue of queues.values()) {
    let next = 0;
    const work = async (): Promise<void> => {
      while (next < queue.length) {
        const reader = queue[next];
        next += 1;
        await read(reader);
      }
    };
    for (let index = 0; index < Math.min(concurrencyPerVault, queue.length); index += 1) workers.push(work());
  }
  await Promise.all(workers);
}

/** Chooses, per secret, the reference version and the replicas to compare with it. */
function planComparisons(findings: readonly SecretDriftFinding[], options: CompareValueHashesOptions): Comparison[] {
  const inventories = new Map(options.inventories.map((inventory) => [inventory.vaultId, inventory]));
  const vaultOrder = options.inventories.map((inventory) => inventory.vaultId);
  const byKey = new Map<string, SecretDriftFinding[]>();
  for (const finding of findings) {
    if (!COMPARED_STATES.has(finding.state)) continue;
    const list = byKey.get(finding.key);
    if (list === undefined) byKey.set(finding.key, [finding]);
    else list.push(finding);
  }

  const originOf = (vaultId: string, key: string): { origin: Origin; enabled: boolean; name: string } | undefined => {
    const entry = inventories.get(vaultId)?.entries.get(key);
    return entry === undefined ? undefined : { origin: entryOrigin(entry, vaultId), enabled: entry.enabled, name: entry.name };
  };

  const comparisons: Comparison[] = [];
  for (const [key, group] of byKey) {
    let reference: { vaultId: string; origin: Origin; enabled: boolean; name: string } | undefined;
    if (options.sourceVaultId !== undefined) {
      const source = originOf(options.sourceVaultId, key);
      if (source !== undefined) reference = { vaultId: options.sourceVaultId, ...source };
    } else {
      const anchor = group.find((finding) => finding.state === 'in-sync') ?? group[0];
      const origin = originOf(anchor.vaultId, key)?.origin;
      const holders = vaultOrder
        .map((vaultId) => ({ vaultId, held: originOf(vaultId, key) }))
        .filter((holder) => origin !== undefined && holder.held !== undefined && holder.held.enabled && sameOrigin(holder.held.origin, origin));
      const chosen = holders.find((holder) => holder.vaultId === origin?.vaultId) ?? holders[0];
      if (chosen?.held !== undefined) reference = { vaultId: chosen.vaultId, ...chosen.held };
    }
    if (reference === undefined || !reference.enabled) {
      for (const finding of group) markDisabled(finding);
      continue;
    }

    const replicas: Comparison['replicas'] = [];
    for (const finding of group) {
      if (finding.vaultId === reference.vaultId) continue;
      const held = originOf(finding.vaultId, key);
      if (held !== undefined && !held.enabled) markDisabled(finding);
      if (held === undefined || !held.enabled || !sameOrigin(held.origin, reference.origin)) continue;
      replicas.push({ finding, reader: { vaultId: finding.vaultId, name: held.name } });
    }
    if (replicas.length > 0) comparisons.push({ reference: { vaultId: reference.vaultId, name: reference.name }, replicas });
  }
  return comparisons;
}

/** Reports an in-sync pair whose value `--deep` cannot read, because Key Vault refuses reads of a disabled version. */
function markDisabled(finding: SecretDriftFinding): void {
  if (finding.state !== 'in-sync') return;
  finding.state = 'unverifiable';
  finding.outcome = 'reported';
  finding.reason = 'The version is disabled, so --deep cannot read its value; lineage alone says the replica matches. Enable it to compare the values.';
}
