/**
 * The demo's output: vault names in place of the emulator's `127.0.0.1:<port>` ids, a plan
 * summarised per vault, the pairs worth a sentence, and request counts from the emulator.
 */
import type { VaultStatsSnapshot } from '../../emulator/index';
import type { ReportEntry, RunReport } from '../../src/core/report/model';
import type { KvdrRun } from './cli';

/** Plain words for the skip reasons and actions a reader of the demo meets. */
const EXPLANATIONS: Record<string, string> = {
  'disabled-in-source': 'disabled in the source: kvdr never reads a disabled secret, and no replica exists whose state it could mirror',
  'certificate-backed': 'backs a certificate: Key Vault manages it with its certificate, so kvdr never writes it as a plain secret',
  'target-only': 'exists only in this vault and was never replicated: left alone (--prune would soft-delete it)',
  'delete-not-propagated': 'deleted in the source, but deletes do not replicate under --deletes none',
  'recover-then-update': 'the name is soft-deleted here, so kvdr recovers it and then writes the current value (--on-soft-deleted recover)',
  create: 'a missing replica: in a mesh every vault holds every secret',
  update: 'this vault holds an older version than the newest origin, so the newest value is copied',
};

/** Maps the emulator's vault ids and URLs to the vault names, for everything the demo prints. */
export class VaultNames {
  private readonly byId = new Map<string, string>();
  private readonly byUrl = new Map<string, string>();

  constructor(vaultUrls: Record<string, string>) {
    for (const [name, url] of Object.entries(vaultUrls)) {
      this.byId.set(new URL(url).host, name);
      this.byUrl.set(url, name);
    }
  }

  /** Returns the vault name for a vault id (`127.0.0.1:<port>`), or the id when it is unknown. */
  nameOf(vaultId: string): string {
    return this.byId.get(vaultId) ?? vaultId;
  }

  /** Replaces every emulator URL and vault id in `text` with the vault's name. */
  replaceIn(text: string): string {
    let result = text;
    for (const [url, name] of this.byUrl) result = result.split(url).join(name);
    for (const [id, name] of this.byId) result = result.split(id).join(name);
    return result;
  }
}

/** Writes one line of the demo's narration. */
export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Prints a step heading and why the step matters. */
export function heading(title: string, why: string): void {
  say();
  say(title);
  say('='.repeat(title.length));
  for (const line of wrap(why, 96)) say(line);
}

/** Prints the command as a user would type it, with vault names in place of the emulator URLs. */
export function showCommand(args: readonly string[], names: VaultNames): void {
  say();
  say(`$ kvdr ${names.replaceIn(args.join(' '))}`);
}

/** Prints the exit code, time and the CLI's own last status line. */
export function showExit(run: KvdrRun, names: VaultNames): void {
  const lines = run.stderr.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const status = lines.at(-1) ?? '(no output)';
  const sentence = `exit ${run.exitCode} after ${(run.durationInMs / 1000).toFixed(1)} s. kvdr: ${names.replaceIn(status)}`;
  wrap(sentence, 94).forEach((line, index) => say(`${index === 0 ? '  ' : '    '}${line}`));
}

/** Prints the counts of a plan or run per vault, one row per vault and one column per action. */
export function showActionsPerVault(report: RunReport, names: VaultNames): void {
  const kinds = ['create', 'update', 'update-properties', 'recover-then-update', 'delete', 'conflict', 'skip', 'in-sync'].filter((kind) =>
    Object.values(report.counts.byVault).some((counts) => (counts[kind] ?? 0) > 0),
  );
  if (kinds.length === 0) return;
  const rows = [['vault', ...kinds]];
  for (const [vaultId, counts] of Object.entries(report.counts.byVault)) rows.push([names.nameOf(vaultId), ...kinds.map((kind) => String(counts[kind] ?? 0))]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) say(`    ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}`);
}

/** Options of {@link showNotablePairs}. */
export interface NotablePairsOptions {
  /** Lists creates too; in a mesh a create is a missing replica, worth naming. */
  includeCreates?: boolean;
  /** Skip reasons already explained earlier, counted in one line instead of listed. */
  explainedSkips?: readonly string[];
}

/**
 * Prints the pairs that are neither creates nor already in sync, grouped by action and reason,
 * with the vaults concerned and up to three secret names per group.
 */
export function showNotablePairs(report: RunReport, names: VaultNames, options: NotablePairsOptions = {}): void {
  const explained = new Set(options.explainedSkips ?? []);
  const groups = new Map<string, ReportEntry[]>();
  let explainedCount = 0;
  for (const entry of report.entries) {
    if (entry.action === 'in-sync' || (entry.action === 'create' && !options.includeCreates)) continue;
    if (entry.action === 'skip' && explained.has(entry.reason ?? '')) {
      explainedCount += 1;
      continue;
    }
    const key = `${entry.action}\n${entry.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  if (groups.size === 0 && explainedCount === 0) return;

  say('  Worth a closer look:');
  for (const entries of groups.values()) {
    const { action, reason } = entries[0];
    const vaults = [...new Set(entries.map((entry) => names.nameOf(entry.vault)))];
    const secrets = [...new Set(entries.map((entry) => entry.secret))];
    const shown = secrets.length > 3 ? `${secrets.slice(0, 3).join(', ')} and ${secrets.length - 3} more` : secrets.join(', ');
    const why = EXPLANATIONS[reason ?? action] ?? reason ?? '';
    const sentence = `${action} in ${vaults.join(' and ')}: ${shown}.${why ? ` Why: ${why}` : ''}${why === '' || why.endsWith('.') ? '' : '.'}`;
    wrap(sentence, 92).forEach((line, index) => say(`${index === 0 ? '  - ' : '    '}${line}`));
  }
  if (explainedCount > 0) say(`  - ${explainedCount} more skipped pairs of disabled or certificate-backed secrets, as explained above.`);
}

/** Key Vault's operation names, as the emulator counts them, in the words the demo prints. */
const OPERATION_WORDS: Record<string, [singular: string, plural: string]> = {
  getSecrets: ['list page', 'list pages'],
  getSecret: ['value read', 'value reads'],
  setSecret: ['write', 'writes'],
  updateSecret: ['property update', 'property updates'],
  getSecretVersions: ['version list page', 'version list pages'],
  getDeletedSecrets: ['deleted-secret list page', 'deleted-secret list pages'],
  recoverDeletedSecret: ['recover', 'recovers'],
  deleteSecret: ['delete', 'deletes'],
};

/** Prints the requests each vault received, by operation, as the emulator counted them. */
export function showRequests(stats: Record<string, VaultStatsSnapshot>): void {
  say('  Requests the emulator received:');
  for (const [name, snapshot] of Object.entries(stats)) {
    const operations = Object.entries(snapshot.byOperation)
      .filter(([operation]) => operation !== 'challenge')
      .map(([operation, count]) => `${count} ${OPERATION_WORDS[operation]?.[count === 1 ? 0 : 1] ?? operation}`);
    say(`    ${name}: ${operations.length > 0 ? operations.join(', ') : 'none'}`);
  }
}

/** Splits `text` into lines of at most `width` characters at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
