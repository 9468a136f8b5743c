/**
 * Redaction of secret values from text a host writes. Hosts register every value they read, and
 * the platform's own masking (the agent's or the runner's) gets the same list. This class is the
 * second line of defence for text kvdr writes itself (stderr, reports, summaries).
 */

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

export class SecretMasker {
  private readonly forms = new Set<string>();
  private sorted: string[] | undefined;

  add(value: string): void {
    for (const form of maskedForms(value)) this.forms.add(form);
    this.sorted = undefined;
  }

  get size(): number {
    return this.forms.size;
  }

  /** Replaces every registered form with `***`, longest first so a line never hides its value. */
  redact(text: string): string {
    if (this.forms.size === 0) return text;
    this.sorted ??= [...this.forms].sort((a, b) => b.length - a.length);
    let result = text;
    for (const form of this.sorted) {
      if (result.includes(form)) result = result.split(form).join('***');
    }
    return result;
  }
}
