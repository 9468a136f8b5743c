/**
 * A token bucket per vault. Key Vault allows 4,000 transactions per vault in any 10 s; kvdr's
 * default budget is 75 % of that, 300 requests per second.
 */
import { delay } from './wait';

/** Requests per second per vault when the caller sets none: 75 % of 4,000 per 10 s. */
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 300;

/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second; also the sustained request rate. */
  ratePerSecond: number;
  /**
   * The number of tokens in a full bucket, the largest burst after an idle period. Default 1, so
   * any 10 s window contains at most `10 × ratePerSecond + 1` requests: 3,001 at the default rate.
   */
  capacity?: number;
  /** A monotonic clock in milliseconds; default `performance.now`. */
  now?: () => number;
  /** The wait used by {@link TokenBucket.acquire}; tests replace it. */
  sleep?: (delayInMs: number, abortSignal?: AbortSignal) => Promise<void>;
}

/**
 * A token bucket that hands out reservations. A request takes a token at once, driving the
 * balance below zero when the bucket is empty, and then waits until the refill would have
 * covered it. Waiters are served in the order they arrived, and a late timer never adds credit.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly capacity: number;
  private readonly now: () => number;
  private readonly sleep: (delayInMs: number, abortSignal?: AbortSignal) => Promise<void>;
  private tokens: number;
  private refilledAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError(`Invalid rate ${options.ratePerSecond}: the requests per second must be a positive number.`);
    }
    this.ratePerSecond = options.ratePerSecond;
    this.capacity = Math.max(1, options.capacity ?? 1);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? delay;
    this.tokens = this.capacity;
    this.refilledAt = this.now();
  }

  /** Takes one token and returns how long the caller must wait before sending, in milliseconds. */
  reserve(): number {
    const now = this.now();
    const elapsedInMs = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedInMs * this.ratePerSecond) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.ratePerSecond;
  }

  /** Gives back a token whose request was never sent, for example because the wait was aborted. */
  refund(): void {
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  /** Waits for a token. Rejects with an `AbortError` when `abortSignal` aborts, and refunds the token. */
  async acquire(abortSignal?: AbortSignal): Promise<void> {
    const waitInMs = this.reserve();
    if (waitInMs <= 0) return;
    try {
      await this.sleep(waitInMs, abortSignal);
    } catch (error) {
      this.refund();
      throw error;
    }
  }
}
