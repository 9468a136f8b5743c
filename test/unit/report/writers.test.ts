import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  countEntries,
  escapeCell,
  escapeXml,
  jsonChunks,
  renderJson,
  renderJunit,
  renderMarkdown,
  writeJsonReportFile,
  writeReportFile,
  type ReportEntry,
  type RunReport,
} from '../../../src/core/report';

function report(entries: ReportEntry[]): RunReport {
  return {
    command: 'sync',
    result: 'partial',
    exitCode: 2,
    message: 'Sync finished with 1 failed pair.',
    startedAt: '2026-12-04T20:00:00.000Z',
    finishedAt: '2026-12-04T20:00:02.500Z',
    durationInMs: 2500,
    settings: { mode: 'one-way' },
    dryRun: false,
    changesPresent: true,
    vaults: [
      { vaultId: 'kv-a', vaultUrl: 'https://kv-a.vault.azure.net/', role: 'source', requests: 3, requestsByOperation: { listSecrets: 1, getSecret: 2 }, throttledResponses: 1, throttledWaitInMs: 1200, retries: 1 },
      { vaultId: 'kv-b', vaultUrl: 'https://kv-b.vault.azure.net/', role: 'target', requests: 2, requestsByOperation: { setSecret: 2 }, throttledResponses: 0, throttledWaitInMs: 0, retries: 0 },
    ],
    counts: countEntries(entries),
    entries,
    warnings: [],
  };
}

const entries: ReportEntry[] = [
  { secret: 'db', vault: 'kv-b', action: 'create', outcome: 'converged' },
  { secret: 'a<b>&"c\'', vault: 'kv-b', action: 'update', outcome: 'failed', error: 'Timed out <after> 30 s' },
  { secret: 'cert', vault: 'kv-b', action: 'skip', outcome: 'skipped', reason: 'certificate-backed' },
  { secret: 'x', vault: 'kv-b', action: 'conflict', outcome: 'conflict', reason: 'left | under fail' },
];

describe('report writers', () => {
  it('leaves no temporary file when a write fails', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kvdr-report-'));
    try {
      const target = join(directory, 'report.json');
      mkdirSync(target);
      await assert.rejects(writeReportFile(target, '{}\n'));
      assert.deepEqual(readdirSync(directory), ['report.json']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('streams the renderJson text', () => {
    const shapes: object[] = [
      report(entries),
      report([]),
      {},
      { only: undefined, skipped: () => 1 },
      { nested: { list: [1, [2, { deep: 'a\nb' }], []], empty: {} }, text: 'naïve ✓ 😀', missing: undefined, last: null },
      { list: [undefined, () => 1, { a: undefined }, 'x'], date: new Date(Date.UTC(2026, 11, 4)) },
    ];
    for (const shape of shapes) assert.equal([...jsonChunks(shape)].join(''), renderJson(shape));
  });

  it('writes large reports in chunks', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kvdr-report-'));
    try {
      const many = Array.from({ length: 5_000 }, (_, index): ReportEntry => ({ secret: `secret-${index}`, vault: 'kv-b', action: 'create', outcome: 'converged' }));
      const large = report(many);
      const path = await writeJsonReportFile(join(directory, 'nested', 'report.json'), large);
      assert.equal(readFileSync(path, 'utf8'), renderJson(large));
      assert.deepEqual(readdirSync(join(directory, 'nested')), ['report.json']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('escapes XML special and control characters', () => {
    assert.equal(escapeXml('a<b>&"c\'\u0001d\n'), 'a&lt;b&gt;&amp;&quot;c&apos;d\n');
  });

  it('escapes Markdown table cells', () => {
    assert.equal(escapeCell('a|b\n<i>'), 'a\\|b &lt;i&gt;');
  });

  it('writes one JUnit test case per pair', () => {
    const xml = renderJunit(report(entries));
    assert.equal((xml.match(/<testcase /g) ?? []).length, 4);
    assert.match(xml, /<testsuites name="kvdr sync" tests="4" failures="2" skipped="1"/);
    assert.match(xml, /name="a&lt;b&gt;&amp;&quot;c&apos;"/);
    assert.match(xml, /<failure type="failed" message="Timed out &lt;after&gt; 30 s">/);
    assert.match(xml, /<skipped message="certificate-backed"\/>/);
    assert.match(xml, /<testsuite name="kvdr sync kv-a" tests="0"/);
  });

  it('lists counts, failures and throttling in Markdown', () => {
    const markdown = renderMarkdown(report(entries), { actionOrder: ['create', 'update'] });
    assert.match(markdown, /## kvdr sync: partial/);
    assert.match(markdown, /\| kv-b \| 1 \| 1 \| 1 \| 1 \|/);
    assert.match(markdown, /\| x \| kv-b \| conflict \| left \\\| under fail \|/);
    assert.match(markdown, /\| kv-a \| 3 \| 1 \| 1\.2 s \| 1 \|/);
  });
});
