/**
 * The drill's lock, kept in the bookkeeping secret. Key Vault has no compare-and-swap, so a claim
 * is a new version tagged `running` with an expiry. After a short settle time the claimant lists
 * the claims again and withdraws when another active claim is as old or older. A running drill
 * renews its claim at a third of the expiry, so a killed drill's lock lapses soon and the next
 * drill can restore what it left.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { describeError, EngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { VaultStore } from '../vault/port';
import { DRILL_STATE_SECRET, isActive, isReachabilityError, listRunClaims, writeRunRecord, type DrillStateRecord, type RunClaim, type RunStatus } from './state';

/** Options of {@link DrillLock.acquire}. */
export interface AcquireLockOptions {
  /** The vault that keeps the bookkeeping secret: the first secondary. */
  stateStore: VaultStore;
  /** Every vault of the drill, checked for claims of other drills (the state vault included). */
  stores: readonly VaultStore[];
  record: DrillStateRecord;
  /** How long a claim lasts without renewal, in milliseconds. */
  lockExpiryInMs: number;
  /** Wait between writing the claim and checking for rival claims, in milliseconds. */
  settleInMs: number;
  abortSignal?: AbortSignal;
  logger?: Logger;
  /** The clock, in milliseconds; tests inject one. */
  now?: () => number;
}

function describeClaim(claim: RunClaim, vaultUrl: string): string {
  const job = claim.jobId === '' ? '' : ` (job ${claim.jobId})`;
  return `drill ${claim.runId}${job} holds the lock in ${vaultUrl} until ${new Date(claim.lockExpiresOn * 1000).toISOString()}`;
}

/** A claim on the drill's vaults; renew it while the drill runs and release it once. */
export class DrillLock {
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  private sequence = 0;
  private released = false;

  private constructor(
    private readonly options: AcquireLockOptions,
    private record: DrillStateRecord,
  ) {}

  /**
   * Claims the lock, or throws `conflict` naming the drill that holds it. Checks every vault of
   * the drill before writing, so a drill with the same vaults in another order is also seen.
   * TODO: a claim is written only in the state vault, so a drill that shares vaults with a running one but not its first secondary still starts.
   */
  static async acquire(options: AcquireLockOptions): Promise<DrillLock> {
    const now = options.now ?? Date.now;
    const seconds = (): number => Math.floor(now() / 1000);
    const before = await activeClaims(options, seconds);
    if (before.length > 0) throw lockHeld(before[0].claim, before[0].vaultUrl);

    const lock = new DrillLock(options, options.record);
    await lock.write('running');
    let claims: Array<{ claim: RunClaim; vaultUrl: string }>;
    try {
      await sleep(options.settleInMs, undefined, { signal: options.abortSignal });
      claims = await activeClaims(options, seconds);
    } catch (error) {
      // Withdraw the written claim even after the deadline fired, or it blocks every drill until it lapses.
      await lock.release('withdrawn').catch(() => undefined);
      throw error;
    }

    // A claim made in the same second as another cannot tell which came first, so both withdraw:
    // two drills may then both refuse to start, but two never run at once.
    const own = claims.find((found) => found.claim.runId === options.record.runId);
    const rival = claims.find((found) => found.claim.runId !== options.record.runId && (own === undefined || found.claim.claimedOn <= own.claim.claimedOn));
    if (rival !== undefined) {
      await lock.write('withdrawn');
      lock.released = true;
      throw lockHeld(rival.claim, rival.vaultUrl);
    }
    lock.startRenewal();
    return lock;
  }

  /** Replaces the record (new canaries, original network settings) and writes it at once. */
  async update(record: DrillStateRecord): Promise<void> {
    this.record = record;
    await this.write('running');
  }

  /** Stops renewal without writing, leaving the claim to lapse, so a later run restores what this one could not. */
  abandon(): void {
    this.released = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Stops renewal and writes the final status; later calls do nothing. */
  async release(status: Exclude<RunStatus, 'running'>): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.pending.catch(() => undefined);
    // The run's deadline may have fired; releasing must still reach the vault.
    await writeRunRecord(this.options.stateStore, this.record, status, 0, undefined, this.sequence + 1);
  }

  private startRenewal(): void {
    const logger = this.options.logger ?? silentLogger;
    this.timer = setInterval(() => {
      this.write('running').catch((error: unknown) => logger.warning(`Could not renew the drill's lock in ${this.options.stateStore.vaultUrl}: ${describeError(error)}`));
    }, Math.max(1000, Math.floor(this.options.lockExpiryInMs / 3)));
    this.timer.unref();
  }

  private write(status: RunStatus): Promise<unknown> {
    const now = this.options.now ?? Date.now;
    const expiresOn = status === 'running' ? Math.ceil((now() + this.options.lockExpiryInMs) / 1000) : 0;
    this.sequence += 1;
    const sequence = this.sequence;
    const next = this.pending.catch(() => undefined).then(() => writeRunRecord(this.options.stateStore, this.record, status, expiresOn, this.options.abortSignal, sequence));
    this.pending = next;
    return next;
  }
}

/** Lists the active claims in every vault of the drill. */
async function activeClaims(options: AcquireLockOptions, seconds: () => number): Promise<Array<{ claim: RunClaim; vaultUrl: string }>> {
  const found: Array<{ claim: RunClaim; vaultUrl: string }> = [];
  for (const store of options.stores) {
    let claims: RunClaim[];
    try {
      claims = await listRunClaims(store, options.abortSignal);
    } catch (error) {
      // A primary closed by a killed drill cannot be listed; that drill's record is in its state vault.
      if (store === options.stateStore || !isReachabilityError(error)) throw error;
      (options.logger ?? silentLogger).warning(`Could not look for other drills' locks in ${store.vaultId}: ${describeError(error)}`);
      continue;
    }
    for (const claim of claims) if (isActive(claim, seconds())) found.push({ claim, vaultUrl: store.vaultUrl });
  }
  return found;
}

function lockHeld(claim: RunClaim, vaultUrl: string): EngineError {
  return new EngineError(
    'conflict',
    `Another drill is in progress: ${describeClaim(claim, vaultUrl)}. Wait for it to finish. If its job was killed, the lock lapses at that time and the next drill restores the primary (${DRILL_STATE_SECRET} records what to restore).`,
    { vaultUrl, secretName: DRILL_STATE_SECRET },
  );
}
