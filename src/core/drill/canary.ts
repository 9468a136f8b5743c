/**
 * Canaries: secrets the drill writes, rotates, reads back through the failover order and removes.
 * Their names are unique per run, because purge protection keeps a deleted name for the whole
 * retention period. Their values are random and stay in memory; only names reach the report.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { describeError, isEngineError } from '../errors';
import type { VaultStore, WritableSecretProperties } from '../vault/port';
import type { FailoverRead } from './model';

/** Prefix of canary names. Not `kvdr-`, because the failback reconcile must replicate them. */
export const CANARY_PREFIX = 'drill-canary-';

/** How long a canary stays valid, so one left by a killed run is visibly expired. */
const CANARY_LIFETIME_IN_SECONDS = 7 * 24 * 3600;

/** Creates a run id: UTC time to the second and six random hex digits, usable in secret names. */
export function createRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Returns the canary name of the `index`-th secondary (from 0) in a run. */
export function canaryName(runId: string, index: number): string {
  return `${CANARY_PREFIX}${runId}-${index + 1}`;
}

function canaryProperties(runId: string): WritableSecretProperties {
  return { contentType: 'text/plain', tags: { 'drill-run': runId }, expiresOn: Math.floor(Date.now() / 1000) + CANARY_LIFETIME_IN_SECONDS };
}

/** The outcome of writing one canary. The rotated value stays in memory for the failover reads. */
export interface CanaryWrite {
  written: boolean;
  rotated: boolean;
  verified: boolean;
  /** The rotated value, to compare reads with; never logged or reported. */
  rotatedValue?: string;
  error?: string;
}

/**
 * Writes a canary, then rotates it (a second version), then reads it back and compares the value.
 * `onWritten` receives the time of the first successful write, for the RTO.
 */
export async function writeCanary(store: VaultStore, name: string, runId: string, onWritten: (atInMs: number) => void, abortSignal?: AbortSignal): Promise<CanaryWrite> {
  const result: CanaryWrite = { written: false, rotated: false, verified: false };
  try {
    await store.setSecret(name, randomBytes(24).toString('base64url'), canaryProperties(runId), { abortSignal });
    onWritten(Date.now());
    result.written = true;
    const rotatedValue = randomBytes(24).toString('base64url');
    await store.setSecret(name, rotatedValue, canaryProperties(runId), { abortSignal });
    result.rotated = true;
    result.rotatedValue = rotatedValue;
    const read = await store.getSecret(name, undefined, { abortSignal });
    result.verified = read.value === rotatedValue;
    if (!result.verified) result.error = `The value read back from ${store.vaultUrl} is not the rotated one.`;
  } catch (error) {
    result.error = describeError(error);
  }
  return result;
}

/** One vault in the failover order; `lostReason` marks the primary in logical mode. */
export interface FailoverTarget {
  store: VaultStore;
  lostReason?: string;
}

/**
 * Reads a secret as an application with this failover order would: each vault in turn, moving on
 * when a vault is lost, unreachable, denies the call, lacks the secret or returns another value.
 */
export async function readThroughFailoverOrder(order: readonly FailoverTarget[], name: string, expectedValue: string, abortSignal?: AbortSignal): Promise<FailoverRead> {
  const started = Date.now();
  const read: FailoverRead = { secret: name, attempts: [], durationInMs: 0 };
  for (const { store, lostReason } of order) {
    if (lostReason !== undefined) {
      read.attempts.push({ vaultId: store.vaultId, outcome: lostReason });
      continue;
    }
    try {
      const { value } = await store.getSecret(name, undefined, { abortSignal });
      if (value === expectedValue) {
        read.attempts.push({ vaultId: store.vaultId, outcome: 'served the rotated value' });
        read.servedBy = store.vaultId;
        break;
      }
      read.attempts.push({ vaultId: store.vaultId, outcome: 'returned another value' });
    } catch (error) {
      if (abortSignal?.aborted) throw error;
      read.attempts.push({ vaultId: store.vaultId, outcome: isEngineError(error) ? error.code : describeError(error) });
    }
  }
  read.durationInMs = Date.now() - started;
  return read;
}

/** The outcome of removing a canary from a set of vaults. */
export interface CanaryRemoval {
  deletedFrom: string[];
  purgedFrom: string[];
  /** Vaults that keep the canary soft-deleted (purge protection), and errors, one sentence each. */
  notes: string[];
  failed: boolean;
}

/** Waits until a delete has completed, so the purge that follows does not meet a 409. */
async function waitUntilDeleted(store: VaultStore, name: string, abortSignal?: AbortSignal): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt += 1) {
    if ((await store.getDeletedSecret(name, { abortSignal })) !== undefined) return;
    await sleep(500, undefined, { signal: abortSignal });
  }
}

/**
 * Deletes a canary from every vault that contains it, then purges it where the vault allows. A vault
 * under purge protection keeps the name soft-deleted until the retention period ends.
 */
export async function removeCanary(stores: readonly VaultStore[], name: string, abortSignal?: AbortSignal): Promise<CanaryRemoval> {
  const removal: CanaryRemoval = { deletedFrom: [], purgedFrom: [], notes: [], failed: false };
  await Promise.all(
    stores.map(async (store) => {
      try {
        try {
          await store.deleteSecret(name, { abortSignal });
          removal.deletedFrom.push(store.vaultId);
          await waitUntilDeleted(store, name, abortSignal);
        } catch (error) {
          // Absent: never written there, or deleted by an earlier cleanup; a soft-deleted copy may remain.
          if (!isEngineError(error) || error.code !== 'not-found') throw error;
        }
        if ((await store.getDeletedSecret(name, { abortSignal })) === undefined) return;
        try {
          await store.purgeDeletedSecret(name, { abortSignal });
          removal.purgedFrom.push(store.vaultId);
        } catch (error) {
          if (!isEngineError(error) || error.code !== 'forbidden-by-policy') throw error;
          removal.notes.push(`${name} stays soft-deleted in ${store.vaultId} until its retention period ends (purge protection).`);
        }
      } catch (error) {
        removal.failed = true;
        removal.notes.push(`Could not remove ${name} from ${store.vaultId}: ${describeError(error)}`);
      }
    }),
  );
  removal.deletedFrom.sort();
  removal.purgedFrom.sort();
  return removal;
}
