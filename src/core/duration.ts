/** Durations as options give them: a whole number followed by `ms`, `s`, `m` or `h`. */
import { invalidInput } from './errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The maximum delay `setTimeout` accepts, 2^31 - 1 ms (about 596.5 hours). Node fires a longer one after 1 ms. */
export const MAX_DURATION_IN_MS = 2_147_483_647;

/**
 * Parses `30s`, `5m`, `1h` or `250ms` into milliseconds; `label` names the option in the error.
 * Durations longer than {@link MAX_DURATION_IN_MS} are rejected, because every duration ends up
 * in a timer.
 */
export function parseDurationInMs(text: string, label: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) {
    throw invalidInput(`Invalid duration for ${label}: "${text}". Use a whole number with ms, s, m or h, such as 30s, 5m or 1h.`);
  }
  const milliseconds = Number(match[1]) * UNITS[match[2]];
  if (milliseconds > MAX_DURATION_IN_MS) {
    throw invalidInput(`Invalid ${label} "${text}": use at most 596h, the longest timer Node.js supports.`);
  }
  return milliseconds;
}

/** Formats milliseconds for people: `850 ms`, `12.3 s`, `4 min 10 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.round((milliseconds % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}
