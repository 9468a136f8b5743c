/**
 * The network side of a drill: closing the primary's public endpoint through ARM, probing the data
 * plane until the change takes effect, and putting the original settings back.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { VaultNetworkSettings, VaultResourceInfo } from '../access/arm';
import { isEngineError } from '../errors';
import type { VaultStore } from '../vault/port';

/** The ARM operations the drill needs; {@link ArmVaultClient} implements them. */
export interface NetworkControl {
  getVault(resourceId: string, abortSignal?: AbortSignal): Promise<VaultResourceInfo>;
  setNetworkSettings(resourceId: string, settings: VaultNetworkSettings, abortSignal?: AbortSignal): Promise<VaultNetworkSettings>;
  canWriteVault(resourceId: string, abortSignal?: AbortSignal): Promise<boolean>;
}

/** Settings that deny every public client, trusted Azure services included. */
export const CLOSED_NETWORK_SETTINGS: VaultNetworkSettings = {
  publicNetworkAccess: 'Disabled',
  networkAcls: { bypass: 'None', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [] },
};

/** A name no one writes: a read of it shows whether the data plane responds, without reading a value. */
const PROBE_SECRET = 'kvdr-drill-probe';

/** A probe's outcome: the vault responded, its firewall denied the call, or it could not be reached. */
export type ProbeOutcome = 'reachable' | 'denied' | 'unreachable';

/** Reads a name that does not exist, because a 404 proves the vault responds. */
export async function probeVault(store: VaultStore, abortSignal?: AbortSignal): Promise<ProbeOutcome> {
  try {
    await store.getSecret(PROBE_SECRET, undefined, { abortSignal });
    return 'reachable';
  } catch (error) {
    if (!isEngineError(error)) throw error;
    if (error.code === 'not-found' || error.code === 'disabled') return 'reachable';
    if (error.code === 'forbidden-by-firewall') return 'denied';
    if (error.code === 'unavailable' || error.code === 'timeout') return 'unreachable';
    throw error;
  }
}

/** Options of {@link waitForProbe}. */
export interface WaitForProbeOptions {
  /** How long to keep probing, in milliseconds. */
  timeoutInMs: number;
  /** Wait between probes, in milliseconds. */
  intervalInMs: number;
  abortSignal?: AbortSignal;
}

/**
 * Probes until `accept` returns true for the outcome or the time is up. Returns the last outcome
 * and how long it took, because firewall changes reach Key Vault's data plane with a delay.
 */
export async function waitForProbe(
  store: VaultStore,
  accept: (outcome: ProbeOutcome) => boolean,
  options: WaitForProbeOptions,
): Promise<{ outcome: ProbeOutcome; accepted: boolean; waitedInMs: number }> {
  const started = Date.now();
  for (;;) {
    const outcome = await probeVault(store, options.abortSignal);
    const waitedInMs = Date.now() - started;
    if (accept(outcome)) return { outcome, accepted: true, waitedInMs };
    if (waitedInMs + options.intervalInMs > options.timeoutInMs) return { outcome, accepted: false, waitedInMs };
    await sleep(options.intervalInMs, undefined, { signal: options.abortSignal });
  }
}

/** Describes settings in one line for the report: public access, default action and rule counts. */
export function describeNetworkSettings(settings: VaultNetworkSettings): string {
  const acls = settings.networkAcls;
  return `publicNetworkAccess ${settings.publicNetworkAccess}, defaultAction ${acls.defaultAction}, bypass ${acls.bypass}, ${acls.ipRules.length} IP rule(s), ${acls.virtualNetworkRules.length} virtual network rule(s)`;
}
