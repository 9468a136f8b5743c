/**
 * Fault injection for one vault: latency, throttling, 5xx responses, connection resets, outage,
 * read-only mode, firewall and RBAC. `parseFaults` validates the admin API's JSON.
 */
import type { TransientConflictOptions } from './store';

/** Throttling: a sliding-window limit, or every n-th request. */
export interface ThrottleFaults {
  /** Requests allowed in any window of `windowSeconds`. Key Vault allows 4,000 per 10 s per vault. */
  limit?: number;
  windowSeconds?: number;
  /** Interval n: every n-th request is throttled, instead of a window. */
  every?: number;
  /** `Retry-After` header: `true` for the computed wait (at least 1 s), a number of seconds, or `false` for none. */
  retryAfter?: boolean | number;
}

/** Firewall as the fault form gives it: the address the client appears to have and the allowed ranges. */
export interface FirewallFaults {
  clientIp: string;
  /** IPv4 addresses or CIDR ranges that may pass. */
  allow?: string[];
}

/** Built-in roles the emulator supports, by their Azure names. */
export type SecretsRole = 'Key Vault Administrator' | 'Key Vault Secrets Officer' | 'Key Vault Secrets User' | 'Key Vault Reader';

export const SECRETS_ROLES: readonly SecretsRole[] = ['Key Vault Administrator', 'Key Vault Secrets Officer', 'Key Vault Secrets User', 'Key Vault Reader'];

/** Faults of one vault, as `PUT {adminUrl}vaults/{name}/faults` takes them. Every field is optional. */
export interface Faults {
  /** Delay before each response, in milliseconds. */
  latencyMs?: number;
  throttle?: ThrottleFaults;
  /** Fraction (0-1) of requests that get a 5xx, drawn from `seed`. */
  failureRate?: number;
  /** Interval n: every n-th request gets a 5xx (0 turns it off). */
  failEvery?: number;
  /** Status of injected failures: 500, 502, 503 or 504 (default 500). */
  failureStatus?: number;
  /** Fraction (0-1) of requests whose connection is reset, drawn from `seed`. */
  resetRate?: number;
  /** Interval n: every n-th request has its connection reset (0 turns it off). */
  resetEvery?: number;
  /** Seed of the random draws, so a failing run can be repeated exactly. */
  seed?: number;
  /** Outage: the vault's port stops listening, so connections are refused. */
  outage?: boolean;
  /** Read-only mode: writes are rejected, as in a vault left read-only by a Microsoft-managed failover. */
  readOnly?: boolean;
  firewall?: FirewallFaults;
  /** Role per client id. When set, principals not listed get 403 ForbiddenByRbac. */
  rbac?: Record<string, SecretsRole>;
  /** Transient 409 state after delete, recover and purge, replacing the emulator's option for this vault. */
  transientConflict?: TransientConflictOptions;
}

const FAULT_KEYS = new Set([
  'latencyMs', 'throttle', 'failureRate', 'failEvery', 'failureStatus', 'resetRate', 'resetEvery', 'seed',
  'outage', 'readOnly', 'firewall', 'rbac', 'transientConflict',
]);

/** Validates fault JSON and returns it typed. Throws an `Error` naming the field and the fix. */
export function parseFaults(input: unknown): Faults {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('Faults must be a JSON object such as {"latencyMs": 20}.');
  }
  const faults = input as Record<string, unknown>;
  for (const key of Object.keys(faults)) {
    if (!FAULT_KEYS.has(key)) throw new Error(`Unknown fault "${key}". Known faults: ${[...FAULT_KEYS].join(', ')}.`);
  }
  checkNumber(faults, 'latencyMs', 0, 600_000);
  checkNumber(faults, 'failureRate', 0, 1);
  checkNumber(faults, 'resetRate', 0, 1);
  checkInteger(faults, 'failEvery', 0);
  checkInteger(faults, 'resetEvery', 0);
  checkInteger(faults, 'seed', 0);
  if (faults.failureStatus !== undefined && ![500, 502, 503, 504].includes(faults.failureStatus as number)) {
    throw new Error(`Invalid failureStatus ${JSON.stringify(faults.failureStatus)}: use 500, 502, 503 or 504.`);
  }
  checkBoolean(faults, 'outage');
  checkBoolean(faults, 'readOnly');

  if (faults.throttle !== undefined) {
    const throttle = requireObject(faults.throttle, 'throttle');
    checkInteger(throttle, 'limit', 1, 'throttle.');
    checkNumber(throttle, 'windowSeconds', 0.001, 3600, 'throttle.');
    checkInteger(throttle, 'every', 1, 'throttle.');
    if (throttle.every === undefined && throttle.limit === undefined) {
      throw new Error('throttle needs "limit" (with "windowSeconds", default 10) or "every".');
    }
    const retryAfter = throttle.retryAfter;
    if (retryAfter !== undefined && typeof retryAfter !== 'boolean' && !(typeof retryAfter === 'number' && retryAfter >= 0)) {
      throw new Error('throttle.retryAfter must be true, false or a number of seconds.');
    }
  }
  if (faults.firewall !== undefined) {
    const firewall = requireObject(faults.firewall, 'firewall');
    if (typeof firewall.clientIp !== 'string' || !isIpv4(firewall.clientIp)) {
      throw new Error(`firewall.clientIp must be an IPv4 address such as "198.51.100.4", got ${JSON.stringify(firewall.clientIp)}.`);
    }
    const allow = firewall.allow ?? [];
    if (!Array.isArray(allow) || !allow.every((range) => typeof range === 'string' && isIpv4Range(range))) {
      throw new Error('firewall.allow must be a list of IPv4 addresses or CIDR ranges such as "203.0.113.0/24".');
    }
  }
  if (faults.rbac !== undefined) {
    const rbac = requireObject(faults.rbac, 'rbac');
    for (const [principal, role] of Object.entries(rbac)) {
      if (!SECRETS_ROLES.includes(role as SecretsRole)) {
        throw new Error(`Unknown role ${JSON.stringify(role)} for principal ${principal}. Known roles: ${SECRETS_ROLES.join(', ')}.`);
      }
    }
  }
  if (faults.transientConflict !== undefined) {
    const transient = requireObject(faults.transientConflict, 'transientConflict');
    checkInteger(transient, 'requests', 0, 'transientConflict.');
    checkInteger(transient, 'durationInMs', 0, 'transientConflict.');
  }
  return faults as Faults;
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function checkNumber(object: Record<string, unknown>, key: string, min: number, max: number, prefix = ''): void {
  const value = object[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`Invalid ${prefix}${key} ${JSON.stringify(value)}: use a number from ${min} to ${max}.`);
  }
}

function checkInteger(object: Record<string, unknown>, key: string, min: number, prefix = ''): void {
  const value = object[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`Invalid ${prefix}${key} ${JSON.stringify(value)}: use a whole number of at least ${min}.`);
  }
}

function checkBoolean(object: Record<string, unknown>, key: string): void {
  const value = object[key];
  if (value !== undefined && typeof value !== 'boolean') throw new Error(`Invalid ${key} ${JSON.stringify(value)}: use true or false.`);
}

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

export function isIpv4Range(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  if (rest.length > 0 || !isIpv4(address)) return false;
  return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}

/** A small seeded generator (mulberry32), so injected failures repeat for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
