/**
 * `npm start`: kvdr's main job end to end on the local Key Vault emulator. Three regional vaults,
 * a few hundred secrets, and four steps: plan then apply one-way from the primary, a re-run that
 * changes nothing, a primary outage with writes in a secondary, and a mesh reconcile after
 * recovery. Every step runs the built CLI as a child process with the emulator's ready-file
 * environment, which is the code path users get. Exits 0 when every step behaved as described,
 * and never prints a secret value.
 *
 *   npm start                 the demo
 *   npm start -- --verbose    also print kvdr's own output of every run
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type ReadyFile } from '../emulator/index';
import { DemoApplication, LeakGuard } from './demo/application';
import { ROOT } from './demo/cli';
import { expect, kvdr, oneWayArgs, requestStats, totalOf, VAULT_NAMES, versionCounts, type DemoContext } from './demo/context';
import { buildEstate, DEFAULT_DEMO_SEED, DEMO_VAULTS } from './demo/estate';
import { heading, say, showActionsPerVault, showNotablePairs, showRequests, VaultNames, wrap } from './demo/narrate';
import { stepOutage, stepRecovery } from './demo/steps';

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const startedAt = performance.now();
  buildCli();

  const directory = mkdtempSync(join(tmpdir(), 'kvdr-demo-'));
  const readyFile = join(directory, 'ready.json');
  const emulator = await startEmulator({ vaults: [...VAULT_NAMES], readyFile });
  try {
    const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as ReadyFile;
    const estate = buildEstate(process.env.KVDR_DEMO_SEED || DEFAULT_DEMO_SEED);
    const values = [...estate.primary, ...estate.softDeletedInNorth, ...estate.south, ...estate.writes].map((secret) => secret.value);
    const context: DemoContext = {
      emulator,
      ready,
      estate,
      application: new DemoApplication(emulator),
      names: new VaultNames(ready.vaults),
      guard: new LeakGuard([...values, ...estate.secretParts]),
      directory,
      verbose,
    };

    await introduce(context);
    await stepPlanAndApply(context);
    await stepRerun(context);
    await stepOutage(context);
    await stepRecovery(context);

    say();
    say(`Done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s. The three vaults agree, and none of the ${context.guard.size} seeded values`);
    say('or their random parts appeared in anything kvdr printed or reported.');
  } finally {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Builds dist/kvdr.js from the current source, as `npm ci` does through `prepare`. */
function buildCli(): void {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'cli'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('Building the CLI failed (node scripts/build.mjs cli); see the output above.');
}

async function introduce(context: DemoContext): Promise<void> {
  const { emulator, estate, application, ready } = context;
  emulator.admin.seed(DEMO_VAULTS.primary, estate.primary);
  emulator.admin.seed(DEMO_VAULTS.north, estate.softDeletedInNorth);
  for (const secret of estate.softDeletedInNorth) await application.softDelete(DEMO_VAULTS.north, secret.name);
  emulator.admin.seed(DEMO_VAULTS.south, estate.south);

  const disabled = estate.primary.filter((secret) => secret.enabled === false).length;
  const managed = estate.primary.filter((secret) => secret.managed).length;
  say('kvdr demo: three regional Key Vaults on the local emulator');
  say();
  for (const [name, url] of Object.entries(ready.vaults)) {
    say(`  ${name.padEnd(11)} ${url}${name === DEMO_VAULTS.primary ? '  (the primary)' : ''}`);
  }
  say('  kvdr names an emulator vault by host:port; this demo shows the vault names instead.');
  say();
  const estateText =
    `${DEMO_VAULTS.primary} holds ${estate.primary.length} secrets: SQL, Service Bus and storage connection strings, PEM keys with CRLF ` +
    `line ends, JSON settings and API keys, with tags, content types and expiry dates. ${disabled} are disabled and ${managed} back certificates.`;
  for (const line of wrap(estateText, 96)) say(line);
  const targetsText =
    `${DEMO_VAULTS.north} has legacy-smtp-password soft-deleted: an operator deleted it, and Key Vault keeps the name taken. ` +
    `${DEMO_VAULTS.south} has gateway-signing-key, copied there by hand in lower case (Key Vault names are case-insensitive, ` +
    "so it is the primary's Gateway-Signing-Key), and sdc-diagnostics-storage-key, which exists only there.";
  for (const line of wrap(targetsText, 96)) say(line);
}

/** Step 1: a dry run shows the plan, then the same command applies it. */
async function stepPlanAndApply(context: DemoContext): Promise<void> {
  heading(
    'Step 1 of 4: plan, then apply, one-way from the primary',
    `The primary ${DEMO_VAULTS.primary} is the source of truth. kvdr lists every vault, plans one action per secret and target, ` +
      'and reads a value only where it must write it. --dry-run stops after the plan.',
  );
  const args = oneWayArgs(context);
  const plan = await kvdr(context, [...args, '--dry-run'], 0);
  say('  The plan, per target:');
  showActionsPerVault(plan.report!, context.names);
  showNotablePairs(plan.report!, context.names);

  const apply = await kvdr(context, args, 0);
  showRequests(requestStats(context));
  const copied = apply.report!.counts.byAction.create ?? 0;
  say(`  ${copied} copies created. Each carries the tag kvdr-origin: the vault, version and created time of the original.`);
}

/** Step 2: the same sync again writes nothing and reads no value. */
async function stepRerun(context: DemoContext): Promise<void> {
  heading(
    'Step 2 of 4: run it again, and nothing happens',
    'Each copy carries its origin, so kvdr decides from list calls alone that the targets are up to date: no value is read and no ' +
      'version is written. A sync that crashed half way can simply be run again.',
  );
  const before = versionCounts(context, 'orders-sql-connection');
  const rerun = await kvdr(context, oneWayArgs(context), 0);
  const stats = requestStats(context);
  showRequests(stats);
  const reads = totalOf(stats, 'getSecret');
  const writes = totalOf(stats, 'setSecret');
  expect(reads === 0, `the re-run read ${reads} value(s); expected none`);
  expect(writes === 0, `the re-run wrote ${writes} version(s); expected none`);
  expect(rerun.report!.changesPresent === false, 'the re-run planned changes; expected none');
  expect(sameCounts(before, versionCounts(context, 'orders-sql-connection')), 'version counts changed during the re-run');
  say('  0 values read, 0 versions written; the version counts of orders-sql-connection are unchanged in every vault.');
}

function sameCounts(left: number[], right: number[]): boolean {
  return left.length === right.length && left.every((count, index) => count === right[index]);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
