import assert from 'node:assert/strict';

import { runDrill } from '../../../src/core/drill';
import { buildDrillReport, renderDrillJunit, renderDrillMarkdown } from '../../../src/core/drill/report';
import { renderJson } from '../../../src/core/report';
import { createSecretFilter } from '../../../src/core/sync/filters';
import { MemoryVaultStore } from '../../helpers/memory-store';

const SEED = 'SEEDVALUE-';

describe('drill report', () => {
  it('keeps every value out', async () => {
    const primary = new MemoryVaultStore({ vaultId: 'kv-weu' });
    const neu = new MemoryVaultStore({ vaultId: 'kv-neu' });
    primary.seed('unsynced', `${SEED}only-in-primary`);
    const values: string[] = [];
    const result = await runDrill({
      primary,
      secondaries: [neu],
      mode: 'logical',
      rtoTargetInMs: 60_000,
      rpoTargetInMs: 3_600_000,
      filter: createSecretFilter(),
      jobId: 'job-1',
      lockSettleInMs: 0,
      onValueRead: (value) => values.push(value),
    });
    assert.ok(values.length > 0, 'canary values were registered for masking');
    const report = buildDrillReport(result, { result: 'succeeded', exitCode: 0, message: 'done', settings: { mode: 'logical' }, vaults: [] });
    const texts = { json: renderJson(report), markdown: renderDrillMarkdown(report), junit: renderDrillJunit(report) };
    for (const [format, text] of Object.entries(texts)) {
      assert.ok(!text.includes(SEED), `a seeded value in ${format}`);
      for (const value of values) assert.ok(!text.includes(value), `a canary value in ${format}`);
    }
    assert.match(texts.markdown, /\| 1 \| Preflight[^|]*\| passed \|/);
    assert.match(texts.markdown, /unsynced/);
    assert.match(texts.junit, /tests="8" failures="0"/);
  });

  it('marks missed targets in JUnit', async () => {
    const primary = new MemoryVaultStore({ vaultId: 'kv-weu' });
    const neu = new MemoryVaultStore({ vaultId: 'kv-neu' });
    primary.seed('unsynced', `${SEED}x`, { createdOn: Math.floor(Date.now() / 1000) - 600 });
    const result = await runDrill({ primary, secondaries: [neu], mode: 'logical', rtoTargetInMs: 60_000, rpoTargetInMs: 60_000, filter: createSecretFilter(), jobId: 'job-1', lockSettleInMs: 0 });
    assert.equal(result.passed, false);
    assert.equal(result.steps[0].status, 'failed');
    const junit = renderDrillJunit(buildDrillReport(result, { result: 'failed', exitCode: 2, message: 'failed', settings: {}, vaults: [] }));
    assert.match(junit, /failures="3" skipped="5"/);
    assert.match(junit, /<failure message="RPO missed: 1 secret\(s\) at risk, oldest 10 min/);
  });
});
