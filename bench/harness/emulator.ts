/**
 * The benchmark's emulator: vaults at Key Vault's real throttle with a cross-region latency, and
 * a generated estate of secrets seeded directly into a vault's store.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator, type Emulator, type Faults, type ReadyFile, type SeedSecret } from '../../emulator/index';
import type { BenchContext } from './context';

/** Requests Key Vault allows per vault in any window of {@link THROTTLE_WINDOW_SECONDS}. */
export const THROTTLE_LIMIT = 4_000;
export const THROTTLE_WINDOW_SECONDS = 10;
/** Delay before every response: roughly what an agent measures when it calls a vault in another region. */
export const LATENCY_IN_MS = 25;

/** Faults that make an emulated vault behave like a remote Key Vault under load. */
export const REMOTE_VAULT_FAULTS: Faults = {
  latencyMs: LATENCY_IN_MS,
  throttle: { limit: THROTTLE_LIMIT, windowSeconds: THROTTLE_WINDOW_SECONDS, retryAfter: true },
};

/** A running emulator with the ready file the CLI reads its environment from. */
export interface BenchEmulator {
  emulator: Emulator;
  ready: ReadyFile;
}

/** Marks every generated value, so a run can check that none reached kvdr's output. */
export const BENCH_VALUE_MARKER = 'kvdr-bench-value-';

/** Starts an emulator with `vaults`, closed when the context closes. */
export async function startBenchEmulator(context: BenchContext, label: string, vaults: string[]): Promise<BenchEmulator> {
  const readyFile = join(context.workDirectory, `${label}.ready.json`);
  const emulator = await startEmulator({ vaults, readyFile });
  context.onClose(() => emulator.close());
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as ReadyFile;
  return { emulator, ready };
}

/** Applies {@link REMOTE_VAULT_FAULTS} to `vaults`, or clears their faults when `remote` is false. */
export async function setRemote(emulator: Emulator, vaults: readonly string[], remote: boolean): Promise<void> {
  for (const vault of vaults) {
    if (remote) await emulator.admin.setFaults(vault, REMOTE_VAULT_FAULTS);
    else await emulator.admin.clearFaults(vault);
  }
}

/** Returns the name of the `index`-th generated secret; names sort in index order. */
export function secretName(index: number): string {
  return `bench-secret-${String(index).padStart(6, '0')}`;
}

/**
 * Builds `count` secrets shaped like a real estate: connection strings of about 150 bytes, tags
 * and a content type on each, every value distinct.
 */
export function generateSecrets(count: number): SeedSecret[] {
  const secrets: SeedSecret[] = [];
  for (let index = 0; index < count; index += 1) {
    const password = randomBytes(24).toString('base64');
    secrets.push({
      name: secretName(index),
      value: `${BENCH_VALUE_MARKER}Server=tcp:sql-${index % 50}.database.windows.net,1433;User ID=app_${index};Password=${password};Encrypt=True;`,
      contentType: 'text/plain',
      tags: { app: `app-${index % 50}`, env: 'prod', owner: `team-${index % 7}` },
    });
  }
  return secrets;
}

/** Requests per operation the emulator counted for each vault; `challenge` counts unauthenticated first requests. */
export function requestsByVault(emulator: Emulator, vaults: readonly string[]): Record<string, Record<string, number>> {
  return Object.fromEntries(vaults.map((vault) => [vault, emulator.admin.stats(vault).byOperation]));
}

/** Resets the emulator's request counts of `vaults`. */
export function resetRequests(emulator: Emulator, vaults: readonly string[]): void {
  for (const vault of vaults) emulator.admin.resetStats(vault);
}
