/**
 * Call timeouts that share abort signals. On Node 20, AbortSignals reach the old generation even
 * when they are dropped at once (measured with a loop that creates and drops them). One
 * AbortController per attempt, at thousands of attempts per second, filled the old generation with
 * dead signals, and V8 grew the heap to match. Attempts that start within one short window share a
 * controller instead, which aborts once the last of them has run for the timeout. Each attempt is
 * therefore stopped between the timeout and one window later. The window is a twentieth of the
 * timeout, at most one second.
 */
import { setMaxListeners } from 'node:events';

import type { PipelineRequest } from '@azure/core-rest-pipeline';

import { MAX_DURATION_IN_MS } from '../duration';

type AbortSignalLike = NonNullable<PipelineRequest['abortSignal']>;

/** Maximum window of start times that share one signal. */
const MAX_WINDOW_IN_MS = 1_000;
/** Windows per timeout: how much later than the timeout an attempt may be stopped. */
const WINDOWS_PER_TIMEOUT = 20;

interface Window {
  controller: AbortController;
  /** When attempts stop joining this window (performance.now() time). */
  closesAt: number;
}

/** Abort signals for the attempts of one vault's calls. */
export class CallTimeouts {
  private readonly windowInMs: number;
  private readonly open = new WeakMap<AbortSignalLike | typeof NO_OUTER_SIGNAL, Window>();

  /** `timeoutInMs` is the timeout of one attempt. */
  constructor(private readonly timeoutInMs: number) {
    this.windowInMs = Math.max(1, Math.min(MAX_WINDOW_IN_MS, timeoutInMs / WINDOWS_PER_TIMEOUT));
  }

  /**
   * Returns the signal for an attempt that starts now: it aborts after the timeout, or when
   * `outerSignal` (the run's deadline) aborts.
   */
  signalFor(outerSignal: AbortSignalLike | undefined): AbortSignal {
    const key = outerSignal ?? NO_OUTER_SIGNAL;
    const now = performance.now();
    let window = this.open.get(key);
    if (window === undefined || now >= window.closesAt) {
      window = this.openWindow(outerSignal, now);
      this.open.set(key, window);
    }
    return window.controller.signal;
  }

  private openWindow(outerSignal: AbortSignalLike | undefined, now: number): Window {
    const controller = new AbortController();
    // Every attempt of the window, and the HTTP client under it, listens to this one signal.
    setMaxListeners(0, controller.signal);
    const abort = (): void => controller.abort();
    if (outerSignal?.aborted) controller.abort();
    outerSignal?.addEventListener('abort', abort);
    // Node fires a timer longer than MAX_DURATION_IN_MS after 1 ms, and --call-timeout may be that long.
    const delayInMs = Math.min(this.timeoutInMs + this.windowInMs, MAX_DURATION_IN_MS);
    const timer = setTimeout(() => {
      outerSignal?.removeEventListener('abort', abort);
      controller.abort();
    }, delayInMs);
    // Only a call in flight keeps the process alive, so a timer left after the run never does.
    timer.unref();
    return { controller, closesAt: now + this.windowInMs };
  }
}

/** The key of attempts that have no outer signal. */
const NO_OUTER_SIGNAL = {};
