/**
 * A per-second timeline of the requests one emulated vault served during a kvdr run, and the
 * phases read from it: how long the sequential listing took and how fast the vault was kept busy.
 */
import type { Emulator } from '../../emulator/index';

/** Requests one vault served in one second of a run, by operation. */
export interface TimelineSecond {
  /** Seconds since the kvdr process started, at the end of this interval. */
  second: number;
  listRequests: number;
  otherRequests: number;
}

/** Samples a vault's request counts; call {@link tick} once a second. */
export class RequestTimeline {
  readonly seconds: TimelineSecond[] = [];
  private previous: Record<string, number> = {};

  constructor(
    private readonly emulator: Emulator,
    private readonly vault: string,
  ) {
    this.previous = { ...emulator.admin.stats(vault).byOperation };
  }

  tick(elapsedInMs: number): void {
    const current = this.emulator.admin.stats(this.vault).byOperation;
    let listRequests = 0;
    let otherRequests = 0;
    for (const [operation, count] of Object.entries(current)) {
      const delta = count - (this.previous[operation] ?? 0);
      if (operation === 'getSecrets') listRequests += delta;
      else otherRequests += delta;
    }
    this.previous = { ...current };
    this.seconds.push({ second: Math.round(elapsedInMs / 1000), listRequests, otherRequests });
  }
}

/** A summary of a run's phases, derived from its timeline. */
export interface TimelineSummary {
  /** The last second in which the vault served a list page. */
  listingEndedAtSecond: number;
  /** Requests per second other than list pages while the listing ran. */
  otherRateWhileListing: number;
  /** Requests per second, all kinds, after the listing ended. */
  rateAfterListing: number;
  /** The first second after the listing in which the vault served at least 90 % of `maxRps`. */
  reachedNinetyPercentAtSecond?: number;
}

/** Reads the listing and copy phases from a timeline. */
export function summarizeTimeline(seconds: readonly TimelineSecond[], maxRps: number): TimelineSummary {
  const lastListing = seconds.reduce((last, entry, index) => (entry.listRequests > 0 ? index : last), -1);
  const listing = seconds.slice(0, lastListing + 1);
  const after = seconds.slice(lastListing + 1);
  const average = (entries: readonly TimelineSecond[], pick: (entry: TimelineSecond) => number) =>
    entries.length === 0 ? 0 : entries.reduce((sum, entry) => sum + pick(entry), 0) / entries.length;
  const busy = after.find((entry) => entry.listRequests + entry.otherRequests >= 0.9 * maxRps);
  return {
    listingEndedAtSecond: lastListing >= 0 ? seconds[lastListing].second : 0,
    otherRateWhileListing: average(listing, (entry) => entry.otherRequests),
    // The last second is partial, because the run ends inside it.
    rateAfterListing: average(after.slice(0, -1), (entry) => entry.listRequests + entry.otherRequests),
    reachedNinetyPercentAtSecond: busy?.second,
  };
}

/** Formats the total requests per second as one line: `12 40 388 ...`. */
export function formatTimeline(seconds: readonly TimelineSecond[]): string {
  return seconds.map((entry) => entry.listRequests + entry.otherRequests).join(' ');
}
