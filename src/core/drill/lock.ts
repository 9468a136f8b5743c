/**
 * The drill's lock, kept in the bookkeeping secret of every vault the drill touches. Key Vault has
 * no compare-and-swap, so a claim is a new version tagged `running` with an expiry. The state
 * vault's claim carries the run's full record, and every other vault gets a `lock` claim, so a
 * drill that shares any vault with a running one finds a claim there. After a short settle time the claimant
 * lists the claims again and withdraws when another active claim in one of its vaults is as old or
 * older than its own there. A running drill renews its claims at a third of the expiry, so a killed
 * drill's lock lapses soon and the next drill can restore what it left.
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
  /** Every vault of the drill, claimed and checked for claims of other drills (the state vault included). */
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

interface FoundClaim {
  claim: RunClaim;
  vaultUrl: string;
}

/** A claim on the drill's vaults; renew it while the drill runs and release it once. */
export class DrillLock {
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  private sequence = 0;
  private released = false;
  /** The vaults other than the state vault that hold a `lock` claim of this run. */
  private readonly lockStores: VaultStore[] = [];
  /** The record as the claim was made, written in `lock` claims, which contain nothing to restore. */
  private readonly claimRecord: DrillStateRecord;

  private constructor(
    private readonly options: AcquireLockOptions,
    private record: DrillStateRecord,
  ) {
    this.claimRecord = { ...record, canaries: [] };
  }

  /**
   * Claims the lock in every vault of the drill, or throws `conflict` naming the drill that holds
   * it. Checks every vault before writing, so a drill with the same vaults in another order, or
   * sharing only one vault, is also seen. A vault other than the state vault that cannot be
   * reached is left unclaimed with a warning: it may be a primary that a killed drill closed.
   */
  static async acquire(options: AcquireLockOptions): Promise<DrillLock> {
    const now = options.now ?? Date.now;
    const seconds = (): number => Math.floor(now() / 1000);
    const before = await activeClaims(options, seconds);
    if (before.length > 0) throw lockHeld(before[0].claim, before[0].vaultUrl);

    const lock = new DrillLock(options, options.record);
    let claims: FoundClaim[];
    try {
      await lock.claim();
      await sleep(options.settleInMs, undefined, { signal: options.abortSignal });
      claims = await activeClaims(options, seconds);
    } catch (error) {
      // Withdraw the written claims even after the deadline fired, or they block every drill until they lapse.
      await lock.release('withdrawn').catch(() => undefined);
      throw error;
    }

    // Claims are compared within each vault, because each vault stamps its own `createdOn`. A
    // claim made in the same second as another cannot tell which came first, so both withdraw:
    // two drills may then both refuse to start, but two never run at once.
    const own = new Map(claims.filter((found) => found.claim.runId === options.record.runId).map((found) => [found.vaultUrl, found.claim]));
    const rival = claims.find((found) => {
      if (found.claim.runId === options.record.runId) return false;
      const ownClaim = own.get(found.vaultUrl);
      return ownClaim === undefined || found.claim.claimedOn <= ownClaim.claimedOn;
    });
    if (rival !== undefined) {
      await lock.release('withdrawn');
      throw lockHeld(rival.claim, rival.vaultUrl);
    }
    lock.startRenewal();
    return lock;
  }

  /** Replaces the record (new canaries, original network settings) and writes it in the state vault at once. */
  async update(record: DrillStateRecord): Promise<void> {
    this.record = record;
    await this.write('running', { stateOnly: true });
  }

  /** Stops renewal without writing, leaving the claims to lapse, so a later run restores what this one could not. */
  abandon(): void {
    this.released = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /**
   * Stops renewal and writes the final status in every claimed vault; later calls do nothing.
   * Throws when the state vault's write fails. A `lock` claim that cannot be released gets a
   * warning, since it lapses by itself.
   */
  async release(status: Exclude<RunStatus, 'running'>): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.pending.catch(() => undefined);
    // The run's deadline may have fired; releasing must still reach the vaults.
    const sequence = this.sequence + 1;
    await Promise.all([
      writeRunRecord(this.options.stateStore, this.record, status, 0, undefined, sequence),
      ...this.lockStores.map((store) =>
        writeRunRecord(store, this.claimRecord, status, 0, undefined, sequence, 'lock').catch((error: unknown) => this.logger().warning(`Could not release the drill's lock in ${store.vaultId}: ${describeError(error)}. It lapses by itself.`)),
      ),
    ]);
  }

  /** Writes the first claims: the state vault's must succeed, and an unreachable other vault is skipped. */
  private async claim(): Promise<void> {
    const expiresOn = this.expiresOn();
    this.sequence += 1;
    const sequence = this.sequence;
    await writeRunRecord(this.options.stateStore, this.record, 'running', expiresOn, this.options.abortSignal, sequence);
    const others = this.options.stores.filter((store) => store !== this.options.stateStore);
    const results = await Promise.allSettled(others.map((store) => writeRunRecord(store, this.claimRecord, 'running', expiresOn, this.options.abortSignal, sequence, 'lock')));
    let failure: unknown;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        this.lockStores.push(others[index]);
      } else if (isReachabilityError(result.reason)) {
        this.logger().warning(`Could not write the drill's lock in ${others[index].vaultId}, so drills that share only this vault are not rejected: ${describeError(result.reason)}`);
      } else {
        failure ??= result.reason;
      }
    });
    if (failure !== undefined) throw failure;
  }

  private startRenewal(): void {
    this.timer = setInterval(() => {
      this.write('running', { stateOnly: false }).catch((error: unknown) => this.logger().warning(`Could not renew the drill's lock in ${this.options.stateStore.vaultId}: ${describeError(error)}`));
    }, Math.max(1000, Math.floor(this.options.lockExpiryInMs / 3)));
    this.timer.unref();
  }

  /**
   * Writes a `running` version in the state vault and, unless `stateOnly`, renews the `lock`
   * claims. Rejects only when the state vault's write fails.
   */
  private write(status: 'running', { stateOnly }: { stateOnly: boolean }): Promise<unknown> {
    const expiresOn = this.expiresOn();
    this.sequence += 1;
    const sequence = this.sequence;
    const round = async (): Promise<void> => {
      const renewals = stateOnly ? [] : this.lockStores.map((store) => this.renewLock(store, expiresOn, sequence));
      await Promise.all([writeRunRecord(this.options.stateStore, this.record, status, expiresOn, this.options.abortSignal, sequence), ...renewals]);
    };
    const next = this.pending.catch(() => undefined).then(round);
    this.pending = next;
    return next;
  }

  private async renewLock(store: VaultStore, expiresOn: number, sequence: number): Promise<void> {
    try {
      await writeRunRecord(store, this.claimRecord, 'running', expiresOn, this.options.abortSignal, sequence, 'lock');
    } catch (error) {
      // A network drill closes its own primary, so renewing there fails for the outage's length.
      const message = `Could not renew the drill's lock in ${store.vaultId}: ${describeError(error)}`;
      if (isReachabilityError(error)) this.logger().debug(message);
      else this.logger().warning(message);
    }
  }

  private expiresOn(): number {
    const now = this.options.now ?? Date.now;
    return Math.ceil((now() + this.options.lockExpiryInMs) / 1000);
  }

  private logger(): Logger {
    return this.options.logger ?? silentLogger;
  }
}

/** Lists the active claims in every vault of the drill. */
async function activeClaims(options: AcquireLockOptions, seconds: () => number): Promise<FoundClaim[]> {
  const found: FoundClaim[] = [];
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
