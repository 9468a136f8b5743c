/**
 * The state and helpers every demo step shares: the emulator, the CLI's environment, vault names, the leak check,
 * and the helpers that run kvdr and check what it did.
 */
import { join } from 'node:path';

import type { Emulator, ReadyFile, VaultStatsSnapshot } from '../../emulator/index';
import type { DemoApplication, LeakGuard } from './application';
import { runKvdr, type KvdrRun } from './cli';
import { DEMO_VAULTS, type DemoEstate } from './estate';
import { say, showCommand, showExit, type VaultNames } from './narrate';

/** The demo's vaults, the primary first. */
export const VAULT_NAMES: readonly string[] = [DEMO_VAULTS.primary, DEMO_VAULTS.north, DEMO_VAULTS.south];

/** Everything a step needs. */
export interface DemoContext {
  emulator: Emulator;
  ready: ReadyFile;
  estate: DemoEstate;
  application: DemoApplication;
  names: VaultNames;
  guard: LeakGuard;
  /** A temporary folder for reports. */
  directory: string;
  /** Print kvdr's own output of every run. */
  verbose: boolean;
}

/** Returns the one-way sync arguments from the primary to both secondaries. */
export function oneWayArgs(context: DemoContext): string[] {
  const urls = context.ready.vaults;
  return ['sync', '--source', urls[DEMO_VAULTS.primary], '--target', urls[DEMO_VAULTS.north], '--target', urls[DEMO_VAULTS.south]];
}

/** Returns the mesh arguments for `vaults`, the first one the primary. */
export function meshArgs(context: DemoContext, vaults: readonly string[]): string[] {
  return ['sync', '--mode', 'mesh', ...vaults.flatMap((vault) => ['--vault', context.ready.vaults[vault]])];
}

/**
 * Runs kvdr, prints the command and its status line, checks that nothing leaked, and fails the
 * demo when the exit code differs from `expectedExitCode`. Request counts restart at each run.
 */
export async function kvdr(context: DemoContext, args: readonly string[], expectedExitCode: number): Promise<KvdrRun> {
  for (const vault of VAULT_NAMES) context.emulator.admin.resetStats(vault);
  showCommand(args, context.names);
  const run = await runKvdr(args, { env: context.ready.env, reportPath: join(context.directory, 'report.json') });
  context.guard.check(`the output of kvdr ${args[0]}`, run.stdout, run.stderr, run.reportText);
  if (context.verbose) {
    for (const line of `${run.stdout}${run.stderr}`.trimEnd().split('\n')) say(`  | ${context.names.replaceIn(line)}`);
  }
  showExit(run, context.names);
  expect(run.exitCode === expectedExitCode, `kvdr exited ${run.exitCode}, expected ${expectedExitCode}; run npm start -- --verbose to see its output`);
  expect(expectedExitCode !== 0 || run.report !== undefined, 'kvdr wrote no report');
  return run;
}

/** Returns the requests each vault received since the last kvdr run started, by vault name. */
export function requestStats(context: DemoContext): Record<string, VaultStatsSnapshot> {
  return Object.fromEntries(VAULT_NAMES.map((vault) => [vault, context.emulator.admin.stats(vault)]));
}

/** Sums one operation's requests over every vault. */
export function totalOf(stats: Record<string, VaultStatsSnapshot>, operation: string): number {
  return Object.values(stats).reduce((sum, snapshot) => sum + (snapshot.byOperation[operation] ?? 0), 0);
}

/** Version counts of one secret in every vault, in {@link VAULT_NAMES} order. */
export function versionCounts(context: DemoContext, name: string): number[] {
  return VAULT_NAMES.map((vault) => context.emulator.admin.versionCount(vault, name));
}

/** Stops the demo with a message when a step did not behave as the narration describes. */
export function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`The demo expected otherwise: ${message}.`);
}
