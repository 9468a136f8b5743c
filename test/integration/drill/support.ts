/**
 * Setup for drill integration tests: an emulator with a primary and two secondaries, replicas
 * seeded through a real mesh sync, and `kvdr drill` run in-process through the real SDK with every
 * report format written and checked for seeded values.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { runDrillCommand, type DrillOverrides } from '../../../src/commands/drill';
import type { DrillReport } from '../../../src/core/drill/report';
import { createCredential } from '../../helpers/emulator';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';
import { SEED, SyncFixture } from '../sync/support';

export { SEED, SyncFixture };

/** What one drill run wrote. */
export interface DrillRun {
  code: number;
  host: RecordingHost;
  /** Absent when the drill could not start. */
  report?: DrillReport;
  markdown: string;
  junit: string;
}

/** The ready file's environment variables that kvdr reads: custom hosts and the ARM endpoint. */
export function drillEnv(fixture: SyncFixture): NodeJS.ProcessEnv {
  return { KVDR_ALLOW_CUSTOM_HOSTS: '1', KVDR_ARM_ENDPOINT: fixture.emulator.armUrl };
}

/** Seeds `count` secrets in the primary and copies them to the secondaries with a mesh sync. */
export async function seedReplicated(fixture: SyncFixture, primary: string, secondaries: string[], count: number): Promise<void> {
  fixture.emulator.admin.seed(
    primary,
    Array.from({ length: count }, (_, index) => ({ name: `app-secret-${index}`, value: `${SEED}${index}-${'x'.repeat(20)}` })),
  );
  const sync = await fixture.sync({ mode: 'mesh', vault: [fixture.url(primary), ...secondaries.map((name) => fixture.url(name))] });
  assert.equal(sync.code, 0, JSON.stringify(sync.host.logged));
}

/** Runs `kvdr drill` in-process with short probe and settle times, and checks that no value leaked. */
export async function runDrill(fixture: SyncFixture, inputs: Inputs, overrides: DrillOverrides = {}): Promise<DrillRun> {
  const base = join(fixture.directory, `drill-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const paths = { report: `${base}.json`, markdown: `${base}.md`, junit: `${base}.xml` };
  const host = new RecordingHost({ ...paths, ...inputs }, { credential: createCredential(fixture.emulator) });
  const code = await runDrillCommand(host, { env: drillEnv(fixture), tlsCa: fixture.emulator.ca, lockSettleInMs: 300, probeIntervalInMs: 200, ...overrides });

  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const json = read(paths.report);
  const run: DrillRun = { code, host, markdown: read(paths.markdown), junit: read(paths.junit), report: json === '' ? undefined : (JSON.parse(json) as DrillReport) };
  for (const [what, text] of [['host output', host.transcript], ['JSON report', json], ['Markdown', run.markdown], ['JUnit', run.junit]]) {
    assert.ok(!text.includes(SEED), `a seeded value appeared in the ${what}`);
    for (const secret of host.secrets) assert.ok(!text.includes(secret), `a canary or copied value appeared in the ${what}`);
  }
  return run;
}

/** Lists each step as `name status`, for one readable assertion. */
export function stepLines(report: DrillReport | undefined): string[] {
  return (report?.steps ?? []).map((step) => `${step.name} ${step.status}${step.error ? `: ${step.error}` : ''}`);
}
