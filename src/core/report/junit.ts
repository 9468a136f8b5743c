/**
 * JUnit XML: one test suite per vault, one test case per secret in it. Failure outcomes become
 * `<failure>`, skips become `<skipped>`, so pipelines show each pair in their test tab.
 */
import { DEFAULT_FAILURE_OUTCOMES, type ReportEntry, type RunReport } from './model';

/** Options of {@link renderJunit}. */
export interface JunitOptions {
  /** Outcomes reported as failures; default `conflict` and `failed`. */
  failureOutcomes?: readonly string[];
  /** Outcomes reported as skipped; default `skipped`. */
  skippedOutcomes?: readonly string[];
}

/**
 * Escapes text for XML attributes and content, and drops characters XML 1.0 cannot carry (control
 * characters other than tab, line feed and carriage return, and unpaired surrogates).
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Renders the report as JUnit XML. */
export function renderJunit(report: RunReport, options: JunitOptions = {}): string {
  const failureOutcomes = options.failureOutcomes ?? DEFAULT_FAILURE_OUTCOMES;
  const skippedOutcomes = options.skippedOutcomes ?? ['skipped'];
  const byVault = new Map<string, ReportEntry[]>();
  for (const vault of report.vaults) byVault.set(vault.vaultId, []);
  for (const entry of report.entries) {
    const list = byVault.get(entry.vault);
    if (list === undefined) byVault.set(entry.vault, [entry]);
    else list.push(entry);
  }

  const isFailure = (entry: ReportEntry): boolean => failureOutcomes.includes(entry.outcome);
  const isSkipped = (entry: ReportEntry): boolean => skippedOutcomes.includes(entry.outcome);
  const seconds = (report.durationInMs / 1000).toFixed(3);
  const total = report.entries.length;
  const failures = report.entries.filter(isFailure).length;
  const skipped = report.entries.filter(isSkipped).length;
  const suiteName = `kvdr ${report.command}`;

  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="${escapeXml(suiteName)}" tests="${total}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds}">`);
  for (const [vault, entries] of byVault) {
    const vaultFailures = entries.filter(isFailure).length;
    const vaultSkipped = entries.filter(isSkipped).length;
    lines.push(
      `  <testsuite name="${escapeXml(`${suiteName} ${vault}`)}" tests="${entries.length}" failures="${vaultFailures}" skipped="${vaultSkipped}" errors="0" timestamp="${escapeXml(report.startedAt)}">`,
    );
    for (const entry of entries) lines.push(...testCase(entry, isFailure(entry), isSkipped(entry)));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function testCase(entry: ReportEntry, failure: boolean, skipped: boolean): string[] {
  const open = `    <testcase classname="${escapeXml(entry.vault)}" name="${escapeXml(entry.secret)}" time="0"`;
  const detail = entry.error ?? entry.reason ?? entry.action;
  if (failure) {
    return [
      `${open}>`,
      `      <failure type="${escapeXml(entry.outcome)}" message="${escapeXml(detail)}">${escapeXml(`${entry.action}: ${detail}`)}</failure>`,
      '    </testcase>',
    ];
  }
  if (skipped) return [`${open}>`, `      <skipped message="${escapeXml(detail)}"/>`, '    </testcase>'];
  return [`${open}/>`];
}
