/**
 * Redaction of secret values from text a host writes. Hosts register every value they read, and
 * the platform's own masking (the agent's or the runner's) gets the same list. This class is the
 * second line of defence for text kvdr writes itself (stderr, reports, summaries).
 */

import { FingerprintSet, RollingHash } from './fingerprints';

/** Values shorter than this are not masked, because masking them would garble ordinary words. */
const MIN_MASKED_LENGTH = 3;

/**
 * Returns the forms a value takes in logs: the value, each of its lines, and the escaped forms
 * that Azure Pipelines logging commands use (`%` as `%AZP25`, CR as `%0D`, LF as `%0A`, `;` as
 * `%3B`, `]` as `%5D`).
 */
export function maskedForms(value: string): string[] {
  const forms = new Set<string>();
  const add = (form: string): void => {
    if (form.trim().length >= MIN_MASKED_LENGTH) forms.add(form);
  };
  add(value);
  for (const line of value.split(/\r?\n|\r/)) add(line);
  add(escapeLoggingCommandData(value));
  add(escapeLoggingCommandProperty(value));
  return [...forms];
}

/** Escapes a value as the Azure Pipelines agent escapes logging command data. */
export function escapeLoggingCommandData(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a value as the Azure Pipelines agent escapes logging command properties. */
export function escapeLoggingCommandProperty(value: string): string {
  return escapeLoggingCommandData(value).replace(/;/g, '%3B').replace(/]/g, '%5D');
}

/** Escapes a value as GitHub Actions workflow commands escape their data (`%` as `%25`, CR, LF). */
export function escapeWorkflowCommandData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Returns the forms of a value that a single-line masking command can register: {@link maskedForms} without CR or LF. */
export function singleLineMaskedForms(value: string): string[] {
  return maskedForms(value).filter((form) => !/[\r\n]/.test(form));
}

/**
 * Redacts registered values from text. It keeps a 52-bit fingerprint of each masked form and the
 * distinct form lengths, never the forms themselves, so it keeps none of a large sync's values
 * alive and `util.inspect` of it shows none of them.
 */
export class SecretMasker {
  private readonly hash = new RollingHash();
  private readonly fingerprints = new FingerprintSet();
  /** The distinct lengths of the registered forms, in increasing order. */
  private readonly lengths: number[] = [];

  /** Registers every form that {@link maskedForms} returns for a value. */
  add(value: string): void {
    for (const form of maskedForms(value)) {
      this.fingerprints.add(this.hash.fingerprint(form));
      this.addLength(form.length);
    }
  }

  /** The number of distinct registered forms (distinct fingerprints). */
  get size(): number {
    return this.fingerprints.size;
  }

  /**
   * Replaces every occurrence of a registered form with `***`. Occurrences that overlap are merged
   * first and replaced by one `***`, so a value whose line is also registered is hidden whole.
   * Occurrences that only touch stay separate (`******`).
   *
   * A window of the text matches when its fingerprint is in the set. With n registered forms, a
   * window that is no form matches with a probability of about n * 2^-52 (an estimate that treats
   * fingerprints as random). Such a false positive only hides text that was not secret, which is
   * the safe direction.
   */
  redact(text: string): string {
    if (this.fingerprints.size === 0) return text;

    // matchEnds[i] is the end of the longest occurrence that starts at i, or 0 for none.
    let matchEnds: Int32Array | undefined;
    this.hash.forEachMatch(text, this.lengths, this.fingerprints, (start, length) => {
      matchEnds ??= new Int32Array(text.length);
      matchEnds[start] = Math.max(matchEnds[start], start + length);
    });
    if (matchEnds === undefined) return text;

    return replaceMerged(text, matchEnds);
  }

  private addLength(length: number): void {
    let index = this.lengths.length;
    while (index > 0 && this.lengths[index - 1] > length) index--;
    if (this.lengths[index - 1] !== length) this.lengths.splice(index, 0, length);
  }
}

/** Replaces each run of overlapping intervals `[i, matchEnds[i])` of `text` with `***`. */
function replaceMerged(text: string, matchEnds: Int32Array): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  let start = 0;
  while (start < text.length) {
    if (matchEnds[start] === 0) {
      start++;
      continue;
    }

    let end = matchEnds[start];
    for (let inside = start + 1; inside < end; inside++) end = Math.max(end, matchEnds[inside]);
    parts.push(text.slice(copiedUpTo, start), '***');
    copiedUpTo = end;
    start = end;
  }
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}
