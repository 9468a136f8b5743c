/**
 * The drill's bookkeeping secret, `kvdr-drill-state`, kept in a surviving vault (the first
 * secondary) and never in resource tags, which Terraform owns. Each write is a new version. Its
 * value is the run's record as JSON (the primary's original network settings, the canary names).
 * Its tags carry the run id, status and lock expiry, so a version list alone shows which drills
 * have the lock and which were killed before they restored. Every other vault of the drill keeps
 * a secret of the same name with `lock` claims only, so drills that share any vault see each other.
 */
import { EngineError, isEngineError } from '../errors';
import type { SecretRecord, VaultStore } from '../vault/port';
import type { VaultNetworkSettings } from '../access/arm';
import type { DrillMode } from './model';

/** The bookkeeping secret's name. Sync and drift never touch `kvdr-` names. */
export const DRILL_STATE_SECRET = 'kvdr-drill-state';

const RUN_TAG = 'kvdr-drill-run';
const STATUS_TAG = 'kvdr-drill-status';
const EXPIRES_TAG = 'kvdr-drill-lock-expires';
const JOB_TAG = 'kvdr-drill-job';
/** Counts a run's writes, because versions created in the same second carry the same `createdOn`. */
const SEQUENCE_TAG = 'kvdr-drill-sequence';
const ROLE_TAG = 'kvdr-drill-role';

/**
 * The kind of a run's versions in one vault. `state` is the full record, kept in the first
 * secondary. `lock` is a claim only, written in every other vault the drill touches so that any
 * drill sharing a vault finds it. A version without the tag is `state`.
 */
export type RunRole = 'state' | 'lock';

/**
 * A run's status. `running` keeps the lock until it expires. `finished` and `restored` (put back
 * by a later run or a post-job step) release it, and `withdrawn` marks a claim that lost a race.
 */
export type RunStatus = 'running' | 'finished' | 'restored' | 'withdrawn';

/** The run's record, stored as the secret's value. Holds no secret value. */
export interface DrillStateRecord {
  schema: 1;
  runId: string;
  /** The job that ran the drill, so a post-job step restores only its own run. */
  jobId: string;
  mode: DrillMode;
  primaryUrl: string;
  primaryResourceId?: string;
  secondaryUrls: string[];
  /** The primary's network settings before the drill; set before the loss step changes them. */
  originalNetworkSettings?: VaultNetworkSettings;
  canaries: Array<{ vaultUrl: string; name: string }>;
  startedAt: string;
}

/** One run as the version list shows it: its latest version's tags. */
export interface RunClaim {
  runId: string;
  jobId: string;
  status: RunStatus;
  /** Unix seconds. */
  lockExpiresOn: number;
  /** The latest version of this run, whose value is the newest record. */
  version: string;
  /** Unix seconds of the run's first version: the order in which claims were made. */
  claimedOn: number;
  role: RunRole;
}

/** Returns true while a claim holds the lock. */
export function isActive(claim: RunClaim, nowInSeconds: number): boolean {
  return claim.status === 'running' && claim.lockExpiresOn > nowInSeconds;
}

/** Returns true for a run killed before it released: still `running`, lock expired. */
export function isAbandoned(claim: RunClaim, nowInSeconds: number): boolean {
  return claim.status === 'running' && claim.lockExpiresOn <= nowInSeconds;
}

// NOTE: versions accumulate (up to four per drill plus one per lock renewal) because Key Vault
// deletes whole secrets only, and every drill lists them all, 25 versions per list request.
/** Lists the runs recorded in a vault's bookkeeping secret; an absent secret means none. */
export async function listRunClaims(store: VaultStore, abortSignal?: AbortSignal): Promise<RunClaim[]> {
  const versions: SecretRecord[] = [];
  try {
    for await (const record of store.listVersions(DRILL_STATE_SECRET, { abortSignal })) versions.push(record);
  } catch (error) {
    if (isEngineError(error) && error.code === 'not-found') return [];
    throw error;
  }
  const byRun = new Map<string, { first: number; latest: SecretRecord }>();
  for (const record of versions) {
    const runId = record.tags[RUN_TAG];
    if (runId === undefined) continue;
    const known = byRun.get(runId);
    if (known === undefined) {
      byRun.set(runId, { first: record.createdOn, latest: record });
      continue;
    }
    known.first = Math.min(known.first, record.createdOn);
    if (isLater(record, known.latest)) known.latest = record;
  }
  return [...byRun.entries()].map(([runId, { first, latest }]) => ({
    runId,
    jobId: latest.tags[JOB_TAG] ?? '',
    status: parseStatus(latest.tags[STATUS_TAG]),
    lockExpiresOn: Number(latest.tags[EXPIRES_TAG] ?? 0),
    version: latest.version,
    claimedOn: first,
    role: latest.tags[ROLE_TAG] === 'lock' ? 'lock' : 'state',
  }));
}

/**
 * Orders two versions of one run by their sequence number. A version written by a later run
 * (`restored` by the next drill) starts its own count, so a final status outranks `running`.
 */
function isLater(candidate: SecretRecord, current: SecretRecord): boolean {
  const rank = (record: SecretRecord): number => (parseStatus(record.tags[STATUS_TAG]) === 'running' ? 0 : 1);
  if (rank(candidate) !== rank(current)) return rank(candidate) > rank(current);
  const sequence = (record: SecretRecord): number => Number(record.tags[SEQUENCE_TAG] ?? 0);
  if (sequence(candidate) !== sequence(current)) return sequence(candidate) > sequence(current);
  return candidate.createdOn > current.createdOn;
}

function parseStatus(text: string | undefined): RunStatus {
  return text === 'finished' || text === 'restored' || text === 'withdrawn' ? text : 'running';
}

/** Reads the record a version holds. */
export async function readRunRecord(store: VaultStore, version: string, abortSignal?: AbortSignal): Promise<DrillStateRecord> {
  const { value } = await store.getSecret(DRILL_STATE_SECRET, version, { abortSignal });
  try {
    return JSON.parse(value) as DrillStateRecord;
  } catch (error) {
    throw new EngineError('internal', `Version ${version} of ${DRILL_STATE_SECRET} in ${store.vaultUrl} is not a drill record. Delete that version, or the secret, if it was written by hand.`, {
      vaultUrl: store.vaultUrl,
      secretName: DRILL_STATE_SECRET,
      cause: error,
    });
  }
}

/**
 * Writes a new version of the bookkeeping secret. A soft-deleted secret of that name is recovered
 * first, because a purge-protected vault keeps the deleted name for the whole retention period.
 */
export async function writeRunRecord(
  store: VaultStore,
  record: DrillStateRecord,
  status: RunStatus,
  lockExpiresOn: number,
  abortSignal?: AbortSignal,
  sequence = 0,
  role: RunRole = 'state',
): Promise<SecretRecord> {
  const tags = {
    [ROLE_TAG]: role,
    [RUN_TAG]: record.runId,
    [STATUS_TAG]: status,
    [EXPIRES_TAG]: String(lockExpiresOn),
    [JOB_TAG]: record.jobId.slice(0, 256),
    [SEQUENCE_TAG]: String(sequence),
  };
  const write = (): Promise<SecretRecord> => store.setSecret(DRILL_STATE_SECRET, JSON.stringify(record), { contentType: 'application/json', tags }, { abortSignal });
  try {
    return await write();
  } catch (error) {
    if (!isEngineError(error) || error.code !== 'deleted-but-recoverable') throw error;
    await store.recoverDeletedSecret(DRILL_STATE_SECRET, { abortSignal });
    return write();
  }
}

/** Returns true when an error means a vault could not be reached, rather than a bad request. */
export function isReachabilityError(error: unknown): boolean {
  return isEngineError(error) && (error.code === 'forbidden-by-firewall' || error.code === 'unavailable' || error.code === 'timeout');
}
