/**
 * Runs `kvdr drift` in-process against the emulator through the real SDK, with every report format
 * written, and checks that no seeded value reaches any of them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { runDriftCommand } from '../../../src/commands/drift';
import { createCredential } from '../../helpers/emulator';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';
import { SEED, type SyncFixture } from '../sync/support';

/** The part of the drift report tests read. */
export interface DriftReportJson {
  driftCount: number;
  entries: Array<{ secret: string; vault: string; action: string; outcome: string; reason?: string; error?: string }>;
  vaults: Array<{ vaultId: string; requestsByOperation: Record<string, number>; error?: string }>;
}

/** What one drift run wrote. */
export interface DriftRun {
  code: number;
  host: RecordingHost;
  report: DriftReportJson;
  junit: string;
  markdown: string;
}

/** Runs `kvdr drift` with a JSON report, JUnit and Markdown, and asserts no seeded value leaked. */
export async function runDrift(fixture: SyncFixture, inputs: Inputs): Promise<DriftRun> {
  const base = join(fixture.directory, `drift-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const paths = { report: `${base}.json`, junit: `${base}.xml`, markdown: `${base}.md` };
  const host = new RecordingHost({ ...paths, ...inputs }, { credential: createCredential(fixture.emulator) });
  const code = await runDriftCommand(host, { env: { KVDR_ALLOW_CUSTOM_HOSTS: '1' }, tlsCa: fixture.emulator.ca });

  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const run: DriftRun = { code, host, report: { driftCount: 0, entries: [], vaults: [] }, junit: read(paths.junit), markdown: read(paths.markdown) };
  const json = read(paths.report);
  for (const [what, text] of [['host output', host.transcript], ['JSON report', json], ['JUnit', run.junit], ['Markdown', run.markdown]]) {
    assert.ok(!text.includes(SEED), `a seeded value appeared in the ${what}`);
  }
  if (json !== '') run.report = JSON.parse(json) as DriftReportJson;
  return run;
}

/** Returns the state of one secret in one vault, failing with the whole report when absent. */
export function stateOf(report: DriftReportJson, secret: string, vaultId: string): string {
  const found = report.entries.find((item) => item.secret.toLowerCase() === secret.toLowerCase() && item.vault === vaultId);
  if (found === undefined) throw new Error(`No entry for ${secret} in ${vaultId}: ${JSON.stringify(report.entries, null, 1)}`);
  return found.action;
}

/** Lists the secrets whose outcome is drift, as `state secret vault` lines, sorted. */
export function driftLines(report: DriftReportJson): string[] {
  return report.entries
    .filter((item) => item.outcome === 'drift')
    .map((item) => `${item.action} ${item.secret} ${item.vault}`)
    .sort();
}
