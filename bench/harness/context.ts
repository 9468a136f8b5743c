/**
 * The state one benchmark run shares between scenarios: the scale, a work folder, values built
 * once and reused (an emulator with a seeded estate), other scenarios' results, and cleanup.
 */
import type { ScenarioResult } from './types';

/** Options of {@link BenchContext}. */
export interface BenchContextOptions {
  /** Multiplies every secret count; 1 is the benchmark as specified. */
  scale: number;
  /** A folder for ready files and reports, removed by the runner afterwards. */
  workDirectory: string;
  /** Runs a scenario by name, or returns its result when it already ran. */
  resultOf: (name: string) => Promise<ScenarioResult>;
}

export class BenchContext {
  readonly scale: number;
  readonly workDirectory: string;
  private readonly shared = new Map<string, Promise<unknown>>();
  private readonly cleanups: Array<() => Promise<void>> = [];
  private readonly resultLookup: (name: string) => Promise<ScenarioResult>;

  constructor(options: BenchContextOptions) {
    this.scale = options.scale;
    this.workDirectory = options.workDirectory;
    this.resultLookup = options.resultOf;
  }

  /** Scales a secret count, keeping at least 50 so that paging still happens. */
  count(full: number): number {
    return Math.max(50, Math.round(full * this.scale));
  }

  /** Writes a progress line on stderr, so stdout stays free for `--json`. */
  log(message: string): void {
    process.stderr.write(`bench: ${message}\n`);
  }

  /** Returns the value stored under `key`, creating it with `create` on first use. */
  share<T>(key: string, create: () => Promise<T>): Promise<T> {
    let value = this.shared.get(key) as Promise<T> | undefined;
    if (value === undefined) {
      value = create();
      this.shared.set(key, value);
    }
    return value;
  }

  /** Stores a value for later {@link share} calls, for example state a measured run left behind. */
  provide<T>(key: string, value: T): void {
    this.shared.set(key, Promise.resolve(value));
  }

  /** Returns another scenario's result, running that scenario first when it has not run yet. */
  resultOf(name: string): Promise<ScenarioResult> {
    return this.resultLookup(name);
  }

  /** Registers a step for {@link close}, such as stopping an emulator. */
  onClose(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /** Runs every registered cleanup, the newest first. */
  async close(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup();
    this.cleanups.length = 0;
  }
}
