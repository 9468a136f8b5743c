/**
 * Steps 3 and 4 of the demo: the primary region fails while applications keep writing in a
 * secondary, and the vaults reconcile as a mesh once it is back.
 */
import { hashValue } from './application';
import { expect, kvdr, meshArgs, oneWayArgs, requestStats, versionCounts, VAULT_NAMES, type DemoContext } from './context';
import { DEMO_VAULTS } from './estate';
import { heading, say, showNotablePairs, showRequests, wrap } from './narrate';

/** Skip reasons step 1 explains, so later steps only count them. */
const EXPLAINED_SKIPS = ['disabled-in-source', 'certificate-backed'];

/** The secret written in the primary just before it fails and again in a secondary during the outage. */
const CONTESTED = 'payments-sql-connection';

/** Step 3: an unreplicated write in the primary, the outage, writes in a secondary, and what sync does then. */
export async function stepOutage(context: DemoContext): Promise<void> {
  const { application, emulator, estate } = context;
  const [primaryWrite, ...northWrites] = estate.writes;
  heading(
    'Step 3 of 4: the primary region fails',
    `Just before ${DEMO_VAULTS.primary} fails, its application rotates ${CONTESTED}. No sync runs in between, so that version ` +
      'exists only in the primary: it is the data at risk when a region is lost (the RPO). Then the region goes down.',
  );
  const primaryCreatedOn = await application.write(primaryWrite);
  say();
  say(`  ${DEMO_VAULTS.primary}: ${primaryWrite.name} rotated by its application (a new version, not yet replicated).`);
  await emulator.admin.setFaults(DEMO_VAULTS.primary, { outage: true });
  say(`  ${DEMO_VAULTS.primary}: outage. The emulator stops listening on its port, so every connection is refused.`);

  // Origins are compared by their created time in whole seconds, so the secondary's write must
  // fall in a later second for the reader to see the later write win in step 4.
  await waitForSecondAfter(primaryCreatedOn);
  for (const write of northWrites) await application.write(write);
  const failover = `${DEMO_VAULTS.north}: the applications fail over here, and the on-call engineer rotates ${northWrites.map((write) => write.name).join(' and ')}.`;
  wrap(failover, 94).forEach((line, index) => say(`${index === 0 ? '  ' : '    '}${line}`));

  say();
  for (const line of wrap('The scheduled one-way sync from the primary now fails fast and names the vault, instead of hanging or copying half an estate:', 96)) say(line);
  await kvdr(context, [...oneWayArgs(context), '--call-timeout', '5s', '--timeout', '1m'], 1);

  say();
  for (const line of wrap(`Meanwhile the surviving regions keep each other current as a mesh, with ${DEMO_VAULTS.north} as the new primary:`, 96)) say(line);
  const survivors = await kvdr(context, meshArgs(context, [DEMO_VAULTS.north, DEMO_VAULTS.south]), 0);
  showNotablePairs(survivors.report!, context.names, { includeCreates: true, explainedSkips: EXPLAINED_SKIPS });
  for (const write of northWrites) {
    const same = (await application.valueHash(DEMO_VAULTS.south, write.name)) === hashValue(write.value);
    expect(same, `${DEMO_VAULTS.south} does not hold the value of ${write.name} written in ${DEMO_VAULTS.north}`);
  }
  say(`  ${DEMO_VAULTS.south} now returns the values written in ${DEMO_VAULTS.north} (compared by SHA-256, never printed).`);
}

/** Step 4: the primary is back; a mesh of all three resolves the conflict and converges, and a second run is a no-op. */
export async function stepRecovery(context: DemoContext): Promise<void> {
  const { application, emulator, estate } = context;
  heading(
    'Step 4 of 4: the primary is back, and the vaults reconcile as a mesh',
    `In a mesh every vault is writable. Per secret the newest origin wins. ${CONTESTED} was written in both ` +
      `${DEMO_VAULTS.primary} and ${DEMO_VAULTS.north} since their last common version: a conflict, which --on-conflict ` +
      'newest-wins (the mesh default) resolves and reports. --on-conflict fail would leave it for a person to decide.',
  );
  await emulator.admin.clearFaults(DEMO_VAULTS.primary);
  say();
  say(`  ${DEMO_VAULTS.primary}: recovered, listening again.`);

  const args = meshArgs(context, VAULT_NAMES);
  const reconcile = await kvdr(context, args, 0);
  showNotablePairs(reconcile.report!, context.names, { includeCreates: true, explainedSkips: EXPLAINED_SKIPS });
  showRequests(requestStats(context));

  const winner = estate.writes.filter((write) => write.name === CONTESTED).at(-1)!;
  for (const vault of VAULT_NAMES) {
    const same = (await application.valueHash(vault, CONTESTED)) === hashValue(winner.value);
    expect(same, `${vault} does not hold the newest value of ${CONTESTED}`);
  }
  const outcome =
    `Every vault returns the value of ${CONTESTED} written in ${DEMO_VAULTS.north}, the newest. The primary's ` +
    'unreplicated rotation was overwritten, and the report names the pair, so its owner can check it.';
  for (const line of wrap(outcome, 94)) say(`  ${line}`);

  say();
  say('  Run the mesh again: every vault is current, so nothing is read or written.');
  const before = versionCounts(context, CONTESTED);
  const again = await kvdr(context, args, 0);
  expect(again.report!.changesPresent === false, 'the second mesh run planned changes; expected none');
  expect(before.join() === versionCounts(context, CONTESTED).join(), 'the second mesh run created versions');
  showRequests(requestStats(context));
}

async function waitForSecondAfter(createdOn: number): Promise<void> {
  while (Math.floor(Date.now() / 1000) <= createdOn) await new Promise((resolve) => setTimeout(resolve, 50));
}
