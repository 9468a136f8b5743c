/** Abortable waiting, shared by the rate limiter and the retry policy. */

/** Creates the error a cancelled wait rejects with; `name` is `AbortError`, as in the Azure SDK. */
export function createAbortError(message = 'The operation was aborted.'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/**
 * Waits `delayInMs` milliseconds. Rejects with an `AbortError` as soon as `abortSignal` aborts,
 * and at once when it already has.
 */
export function delay(delayInMs: number, abortSignal?: AbortSignal): Promise<void> {
  if (abortSignal?.aborted) return Promise.reject(createAbortError());
  if (delayInMs <= 0) return Promise.resolve();

  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(createAbortError());
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayInMs);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
