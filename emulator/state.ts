/**
 * All state of a running emulator in one place: each vault's secrets, faults, firewall and request
 * counts, and the authority's tenant, clients and token issuer. Route modules read and change it.
 */
import type { ServerResponse } from 'node:http';
import { FirewallState } from './firewall';
import { parseFaults, seededRandom, type Faults } from './faults';
import { SecretStore, type TransientConflictOptions } from './store';
import { TokenIssuer } from './tokens';

/** Request counts of one vault, as the admin API returns them. */
export interface VaultStatsSnapshot {
  total: number;
  /** Counts per operation: the spec's operationIds in camelCase, plus `challenge` for unauthenticated requests. */
  byOperation: Record<string, number>;
  /** Requests rejected with 429 by the throttle fault. */
  throttled: number;
}

/** Per-request fault bookkeeping: the sliding window, the n-th counters and the seeded generator. */
class FaultRuntime {
  /** Arrival times (ms) of admitted requests inside the throttle window, oldest first. */
  private window: number[] = [];
  requestCount = 0;
  random: () => number = seededRandom(1);

  reset(seed: number | undefined): void {
    this.window = [];
    this.requestCount = 0;
    this.random = seededRandom(seed ?? 1);
  }

  /**
   * Counts a request against a sliding window. Returns `undefined` when it is admitted, or the
   * milliseconds until the oldest counted request leaves the window when it is not.
   */
  admit(limit: number, windowInMs: number, nowInMs: number): number | undefined {
    while (this.window.length > 0 && this.window[0] <= nowInMs - windowInMs) this.window.shift();
    if (this.window.length >= limit) return this.window[0] + windowInMs - nowInMs;
    this.window.push(nowInMs);
    return undefined;
  }
}

export class VaultState {
  /** `https://127.0.0.1:<port>/`, set once the listener is up. */
  url = '';
  readonly store: SecretStore;
  readonly firewall = new FirewallState();
  faults: Faults = {};
  readonly runtime = new FaultRuntime();
  private readonly defaultTransientConflict: TransientConflictOptions;
  private stats: VaultStatsSnapshot = { total: 0, byOperation: {}, throttled: 0 };
  /** Called when `outage` changes, so the server can stop or resume listening. */
  onOutageChange: (outage: boolean) => Promise<void> = async () => {};

  constructor(
    readonly name: string,
    options: { purgeProtection: boolean; transientConflict?: TransientConflictOptions; now: () => number },
  ) {
    this.defaultTransientConflict = options.transientConflict ?? {};
    this.store = new SecretStore({ purgeProtection: options.purgeProtection, transientConflict: this.defaultTransientConflict, now: options.now });
  }

  /** Replaces this vault's faults. The firewall is reset unless the new faults set one. */
  async setFaults(input: unknown): Promise<void> {
    const faults = parseFaults(input);
    const wasOutage = this.faults.outage === true;
    this.faults = faults;
    this.runtime.reset(faults.seed);
    if (faults.firewall) this.firewall.applyFault(faults.firewall.clientIp, faults.firewall.allow ?? []);
    else this.firewall.reset();
    this.store.transientConflict = faults.transientConflict ?? this.defaultTransientConflict;
    if (wasOutage !== (faults.outage === true)) await this.onOutageChange(faults.outage === true);
  }

  async clearFaults(): Promise<void> {
    await this.setFaults({});
  }

  count(operation: string): void {
    this.stats.total += 1;
    this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
  }

  countThrottled(): void {
    this.stats.throttled += 1;
  }

  snapshot(): VaultStatsSnapshot {
    return { total: this.stats.total, byOperation: { ...this.stats.byOperation }, throttled: this.stats.throttled };
  }

  resetStats(): void {
    this.stats = { total: 0, byOperation: {}, throttled: 0 };
  }
}

/** The token authority: one tenant, its registered clients and the issuer of access tokens. */
export class AuthorityState {
  /** `https://127.0.0.1:<port>/`, set once the listener is up. */
  host = '';
  private issuerInstance?: TokenIssuer;
  /** Client id to client secret. */
  readonly clients = new Map<string, string>();
  /** Handler for a token request that carries `client_assertion`, set by `routes/identity.ts`. */
  clientAssertionGrant?: (form: URLSearchParams, res: ServerResponse) => void;

  constructor(readonly tenantId: string) {}

  /** Creates the token issuer once the authority's address is known. */
  start(host: string): void {
    this.host = host;
    this.issuerInstance = new TokenIssuer(this.tenantId, `${host}${this.tenantId}/v2.0`);
  }

  get issuer(): TokenIssuer {
    if (!this.issuerInstance) throw new Error('The authority listener has not started yet.');
    return this.issuerInstance;
  }
}

export class EmulatorState {
  readonly vaults = new Map<string, VaultState>();

  constructor(readonly authority: AuthorityState) {}

  /** Finds a vault by name (case-insensitive) or throws an `Error` listing the known names. */
  vault(name: string): VaultState {
    const vault = this.vaults.get(name.toLowerCase());
    if (!vault) throw new Error(`Unknown vault "${name}". Known vaults: ${[...this.vaults.values()].map((v) => v.name).join(', ')}.`);
    return vault;
  }
}
