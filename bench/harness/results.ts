/**
 * bench/RESULTS.md: each scenario's latest result sits in its own block between marker comments,
 * so a run of one scenario (`--only initial`) replaces that block and keeps the others, and text
 * outside the blocks (the analysis) is never touched.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import type { MachineFacts } from './machine';
import type { BenchScenario, ScenarioResult } from './types';

/** One scenario's result as recorded. */
export interface RecordedResult {
  scenario: BenchScenario;
  result: ScenarioResult;
  machine: MachineFacts;
  command: string;
  /** ISO 8601 time the scenario finished. */
  finishedAt: string;
}

const RESULTS_START = '<!-- bench-results:start -->';
const RESULTS_END = '<!-- bench-results:end -->';

/** Writes or replaces the blocks of `records` in the results page at `path`. */
export function writeResultsPage(path: string, records: readonly RecordedResult[]): void {
  let page = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmark results\n\n${RESULTS_START}\n${RESULTS_END}\n`;
  if (!page.includes(RESULTS_START) || !page.includes(RESULTS_END)) page = `${page.trimEnd()}\n\n${RESULTS_START}\n${RESULTS_END}\n`;

  for (const record of records) {
    const start = `<!-- scenario:${record.scenario.name}:start -->`;
    const end = `<!-- scenario:${record.scenario.name}:end -->`;
    const block = `${start}\n${renderScenario(record)}\n${end}`;
    const startIndex = page.indexOf(start);
    const endIndex = page.indexOf(end);
    if (startIndex >= 0 && endIndex > startIndex) {
      page = page.slice(0, startIndex) + block + page.slice(endIndex + end.length);
    } else {
      const insertAt = page.indexOf(RESULTS_END);
      page = `${page.slice(0, insertAt)}${block}\n\n${page.slice(insertAt)}`;
    }
  }
  writeFileSync(path, page);
}

/** Renders one scenario's result as Markdown. */
export function renderScenario(record: RecordedResult): string {
  const { scenario, result, machine } = record;
  const lines = [`### ${scenario.title} (\`${scenario.name}\`)`, '', scenario.description, ''];
  lines.push(`Run ${record.finishedAt.slice(0, 16).replace('T', ' ')} UTC with \`${record.command}\` on ${describeMachine(machine)}.`, '');

  if (result.checks.length > 0) {
    lines.push('| target | measured | met |', '| --- | --- | --- |');
    for (const check of result.checks) lines.push(`| ${check.target} | ${check.measured} | ${check.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  lines.push('| measurement | value |', '| --- | --- |');
  for (const metric of result.metrics) lines.push(`| ${metric.label} | ${`${formatNumber(metric.value)} ${metric.unit}`.trim()} |`);
  if (result.notes.length > 0) {
    lines.push('');
    for (const note of result.notes) lines.push(`- ${note}`);
  }
  return lines.join('\n');
}

/** Describes the machine in one phrase. */
export function describeMachine(machine: MachineFacts): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryInGiB} GiB, ${machine.os}, Node ${machine.nodeVersion}, load average ${machine.loadAverageAtStart} at the start`;
}

/** Formats a number with at most 2 decimals and thousands separators. */
export function formatNumber(value: number): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  return rounded.toLocaleString('en-US');
}
