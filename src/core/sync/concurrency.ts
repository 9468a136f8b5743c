/**
 * Bounded concurrency: a counting semaphore, and an abortable delay.
 */

/** A counting semaphore; `run` waits for a free slot, so at most `limit` tasks run at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private limit: number) {}

  /** Changes the limit; tasks already running continue, and waiters start when slots free up. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.wake();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.wake();
    }
  }

  private wake(): void {
    for (let free = this.limit - this.active; free > 0 && this.waiting.length > 0; free -= 1) this.waiting.shift()?.();
  }
}

/** Waits `delayInMs`, or rejects with the signal's reason when it aborts first. */
export function delay(delayInMs: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(abortSignal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortSignal?.reason);
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayInMs);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
