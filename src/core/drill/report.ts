/**
 * The drill's report: JSON for machines, plus the Markdown summary with a timeline of the steps
 * and JUnit XML with one test case per step and per target. Names of vaults, canaries and secrets
 * at risk appear; values never do, because no field here can hold one.
 */
import { formatDuration } from '../duration';
import { escapeCell, escapeXml, type ReportVault } from '../report';
import type { DrillResult, DrillStep } from './model';
import { describeNetworkSettings } from './network';

/** The drill report written to `--report`. */
export interface DrillReport extends Omit<DrillResult, 'startedAt' | 'finishedAt' | 'passed'> {
  command: 'drill';
  /** `succeeded` or `failed`. */
  result: string;
  exitCode: number;
  message: string;
  startedAt: string;
  finishedAt: string;
  durationInMs: number;
  passed: boolean;
  settings: Record<string, string | number | boolean | string[]>;
  /** Requests and throttling per vault. */
  vaults: ReportVault[];
}

/** Fields of {@link buildDrillReport} that come from the command. */
export interface DrillReportContext {
  result: string;
  exitCode: number;
  message: string;
  settings: DrillReport['settings'];
  vaults: ReportVault[];
}

/** Builds the report from a drill's result. */
export function buildDrillReport(drill: DrillResult, context: DrillReportContext): DrillReport {
  const { startedAt, finishedAt, passed, ...rest } = drill;
  return {
    command: 'drill',
    ...context,
    ...rest,
    passed,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationInMs: finishedAt.getTime() - startedAt.getTime(),
  };
}

function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const lines = [`| ${header.map(escapeCell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map((cell) => escapeCell(String(cell))).join(' | ')} |`);
  return lines.join('\n');
}

function verdict(met: boolean): string {
  return met ? 'met' : 'missed';
}

/** Renders the Markdown summary: verdict, measurements, the timeline and the evidence of each step. */
export function renderDrillMarkdown(report: DrillReport): string {
  const parts: string[] = [];
  parts.push(`## kvdr drill: ${report.passed ? 'passed' : 'failed'}`);
  parts.push(escapeCell(report.message));
  parts.push(
    table(
      ['setting', 'value'],
      [
        ['run id', report.runId],
        ['mode', report.mode],
        ['primary', report.primary.vaultId],
        ['failover order', report.secondaries.map((vault) => vault.vaultId).join(' → ')],
        ['lock and state', report.stateVaultUrl],
        ...Object.entries(report.settings)
          .filter(([key]) => !['mode', 'primary', 'secondaries'].includes(key))
          .map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value)]),
        ['duration', formatDuration(report.durationInMs)],
      ],
    ),
  );

  parts.push('### Measurements');
  const rto = report.rto.measuredInMs === undefined ? 'not measured' : formatDuration(report.rto.measuredInMs);
  const rpo = report.rpo?.count === undefined ? 'not measured' : `${report.rpo.count} secret(s) at risk, oldest ${formatDuration(report.rpo.oldestAgeInMs ?? 0)}`;
  parts.push(
    table(
      ['measure', 'measured', 'target', 'verdict'],
      [
        ['RTO (end of loss to first write in a survivor)', `${rto}${report.rto.firstWriteIn ? ` in ${report.rto.firstWriteIn}` : ''}`, formatDuration(report.rto.targetInMs), verdict(report.rto.met)],
        ['RPO (writes the first survivor lacked at the cut)', `${rpo}${report.rpo?.measuredOn ? ` in ${report.rpo.measuredOn}` : ''}`, formatDuration(report.rpo?.targetInMs ?? 0), verdict(report.rpo?.met === true)],
      ],
    ),
  );

  parts.push('### Timeline');
  parts.push(table(['#', 'step', 'status', 'start', 'duration'], report.steps.map((step, index) => [index + 1, step.title, step.status, startOf(step), step.durationInMs === undefined ? '' : formatDuration(step.durationInMs)])));
  for (const [index, step] of report.steps.entries()) {
    const lines = [...step.details, ...(step.error === undefined ? [] : [`Failed: ${step.error}`])];
    if (lines.length === 0) continue;
    parts.push(`**${index + 1}. ${escapeCell(step.title)}** (${step.status})\n\n${lines.map((line) => `- ${escapeCell(line)}`).join('\n')}`);
  }

  if (report.network !== undefined) {
    parts.push('### Primary network settings');
    parts.push(
      table(
        ['resource', 'before the drill', 'closed', 'restored'],
        [[report.network.resourceId, describeNetworkSettings(report.network.original), String(report.network.closed), report.network.restored ? `yes (${report.network.restoredBy})` : `no${report.network.restoreError ? `: ${report.network.restoreError}` : ''}`]],
      ),
    );
  }

  if (report.rpo !== undefined) {
    parts.push('### Data at risk at the cut');
    parts.push(table(['survivor', 'secrets at risk', 'oldest', 'names'], report.rpo.survivors.map((risk) => [risk.vaultId, risk.count, formatDuration(risk.oldestAgeInMs), risk.secrets.join(', ')])));
  }

  if (report.canaries.length > 0) {
    parts.push('### Canaries');
    parts.push(
      table(
        ['canary', 'vault', 'written', 'rotated', 'verified', 'in primary after failback', 'deleted from', 'purged from'],
        report.canaries.map((canary) => [canary.name, canary.vaultId, String(canary.written), String(canary.rotated), String(canary.verified), String(canary.reconciled), canary.deletedFrom.join(', '), canary.purgedFrom.join(', ')]),
      ),
    );
  }

  if (report.reads.length > 0) {
    parts.push('### Reads through the failover order');
    parts.push(table(['secret', 'served by', 'attempts', 'duration'], report.reads.map((read) => [read.secret, read.servedBy ?? 'none', read.attempts.map((attempt) => `${attempt.vaultId}: ${attempt.outcome}`).join('; '), formatDuration(read.durationInMs)])));
  }

  if (report.recoveredRuns.length > 0) {
    parts.push('### Earlier drills restored');
    parts.push(table(['run', 'job', 'actions', 'error'], report.recoveredRuns.map((run) => [run.runId, run.jobId ?? '', run.actions.join('; '), run.error ?? ''])));
  }

  if (report.warnings.length > 0) {
    parts.push('### Warnings');
    parts.push(report.warnings.map((warning) => `- ${escapeCell(warning)}`).join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

function startOf(step: DrillStep): string {
  if (step.startedAt === undefined) return '';
  return `${step.startedAt.slice(11, 19)} (+${formatDuration(step.offsetInMs ?? 0)})`;
}

/** Renders JUnit XML: one test case per step, plus one for each target. */
export function renderDrillJunit(report: DrillReport): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const add = (name: string, seconds: number, failure?: string, skip?: string): void => {
    const open = `    <testcase classname="kvdr drill ${escapeXml(report.primary.vaultId)}" name="${escapeXml(name)}" time="${seconds.toFixed(3)}"`;
    if (failure !== undefined) {
      failures += 1;
      cases.push(`${open}>`, `      <failure message="${escapeXml(failure)}">${escapeXml(failure)}</failure>`, '    </testcase>');
    } else if (skip !== undefined) {
      skipped += 1;
      cases.push(`${open}>`, `      <skipped message="${escapeXml(skip)}"/>`, '    </testcase>');
    } else {
      cases.push(`${open}/>`);
    }
  };
  for (const [index, step] of report.steps.entries()) {
    const name = `${index + 1} ${step.name}: ${step.title}`;
    const seconds = (step.durationInMs ?? 0) / 1000;
    if (step.status === 'failed') add(name, seconds, step.error ?? 'failed');
    else if (step.status === 'skipped') add(name, 0, undefined, step.details[0] ?? 'skipped');
    else add(name, seconds);
  }
  const rto = report.rto.measuredInMs === undefined ? 'no survivor accepted a write' : `${formatDuration(report.rto.measuredInMs)} against a target of ${formatDuration(report.rto.targetInMs)}`;
  add('RTO within target', (report.rto.measuredInMs ?? 0) / 1000, report.rto.met ? undefined : `RTO missed: ${rto}`);
  const rpo = report.rpo?.count === undefined ? 'not measured' : `${report.rpo.count} secret(s) at risk, oldest ${formatDuration(report.rpo.oldestAgeInMs ?? 0)}, against a target of ${formatDuration(report.rpo.targetInMs)}`;
  add('RPO within target', 0, report.rpo?.met === true ? undefined : `RPO missed: ${rpo}`);

  const total = report.steps.length + 2;
  const seconds = (report.durationInMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kvdr drill" tests="${total}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds}">`,
    `  <testsuite name="kvdr drill ${escapeXml(report.primary.vaultId)}" tests="${total}" failures="${failures}" skipped="${skipped}" errors="0" timestamp="${escapeXml(report.startedAt)}" time="${seconds}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
