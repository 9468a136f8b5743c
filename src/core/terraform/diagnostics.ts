/**
 * Extracts terraform's error diagnostics for messages. Terraform already replaces values marked
 * sensitive with "(sensitive value)" in diagnostics. kvdr keeps only the summaries and a bounded
 * detail, so a failing region's message stays one readable paragraph.
 */

const MAX_DIAGNOSTICS = 3;
const MAX_DETAIL_CHARS = 400;

interface JsonDiagnosticLine {
  '@level'?: string;
  type?: string;
  diagnostic?: { severity?: string; summary?: string; detail?: string; address?: string };
}

/** Cuts a detail to {@link MAX_DETAIL_CHARS} at a word boundary, and marks the cut with an ellipsis. */
function shorten(detail: string): string {
  if (detail.length <= MAX_DETAIL_CHARS) return detail;
  const cut = detail.slice(0, MAX_DETAIL_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > 0 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:]+$/, '')} …`;
}

/** Reads error diagnostics from `-json` UI output (one JSON object per line). */
function fromJsonLines(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: JsonDiagnosticLine;
    try {
      parsed = JSON.parse(line) as JsonDiagnosticLine;
    } catch {
      continue;
    }
    const diagnostic = parsed.diagnostic;
    if (parsed.type !== 'diagnostic' || diagnostic?.severity !== 'error' || !diagnostic.summary) continue;
    const where = diagnostic.address ? ` (${diagnostic.address})` : '';
    const detail = diagnostic.detail ? `: ${shorten(diagnostic.detail.replace(/\s+/g, ' ').trim())}` : '';
    found.push(`${diagnostic.summary}${where}${detail}`);
  }
  return found;
}

/** Reads error diagnostics from terraform's human-readable output (`│ Error: ...` boxes). */
function fromText(text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n').map((line) => line.replace(/^[│╷╵]\s?/, '').trimEnd());
  for (let index = 0; index < lines.length; index += 1) {
    const match = /^Error: (.*)$/.exec(lines[index]);
    if (!match) continue;
    const detail: string[] = [];
    for (let next = index + 1; next < lines.length && !/^(Error|Warning): /.test(lines[next]); next += 1) {
      // Skip the source excerpt terraform prints under `on main.tf line N`, keep the prose after it.
      if (/^\s*(on |\d+:|├|\s*│)/.test(lines[next])) continue;
      if (lines[next].trim()) detail.push(lines[next].trim());
    }
    const joined = shorten(detail.join(' '));
    found.push(joined ? `${match[1]}: ${joined}` : match[1]);
  }
  return found;
}

/**
 * Returns up to three error diagnostics from terraform's stdout and stderr, joined for a message,
 * or a generic line naming the exit code when none can be read.
 */
export function summarizeDiagnostics(stdout: string, stderr: string, exitCode: number): string {
  const diagnostics = [...fromJsonLines(stdout), ...fromJsonLines(stderr), ...fromText(stderr)];
  const unique = [...new Set(diagnostics)];
  if (unique.length === 0) return `terraform exited with code ${exitCode} and printed no error diagnostic.`;
  const shown = unique.slice(0, MAX_DIAGNOSTICS).join(' | ');
  const more = unique.length > MAX_DIAGNOSTICS ? ` (and ${unique.length - MAX_DIAGNOSTICS} more)` : '';
  return shown + more;
}
