/**
 * Bounded concurrency: a counting semaphore per vault and a worker pool over a task list.
 */

/** A counting semaphore; `run` waits for a free slot, so at most `limit` tasks run at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** Runs `tasks` with at most `concurrency` in flight; a task must not throw. */
export async function runPool(tasks: ReadonlyArray<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next];
      next += 1;
      await task();
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, worker);
  await Promise.all(workers);
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
