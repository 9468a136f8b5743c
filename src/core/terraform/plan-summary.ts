/**
 * Reads the JSON of `terraform show -json <plan>` into a summary that contains addresses and actions
 * only. The plan JSON itself contains attribute values, secrets included, so nothing else from it
 * may reach a log, a summary or a file.
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../errors';

/** The part of one `resource_changes` or `resource_drift` entry kvdr reads. */
export interface PlanResourceChange {
  address: string;
  mode?: 'managed' | 'data';
  type?: string;
  change: {
    actions: string[];
    before?: unknown;
    after?: unknown;
    after_unknown?: unknown;
    before_sensitive?: unknown;
    after_sensitive?: unknown;
  };
}

/** The part of Terraform's plan JSON representation kvdr reads. */
export interface PlanJson {
  format_version?: string;
  resource_changes?: PlanResourceChange[];
  resource_drift?: PlanResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
  errored?: boolean;
}

/** The change planned for one resource, reduced to one word. */
export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget';

/** One changed resource: its address and what happens to it, never its values. */
export interface ChangedResource {
  address: string;
  kind: ChangeKind;
}

/** Counts and addresses of a plan, safe to print and to store as an artifact. */
export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  /** Resources whose plan is anything other than `no-op` or `read`, in plan order. */
  changes: ChangedResource[];
  /** Resources changed outside Terraform (`resource_drift`), in plan order. */
  drift: ChangedResource[];
  /** Names of root outputs that would be created, updated or deleted. */
  outputChanges: string[];
  /** True when applying the plan would change any resource or output. */
  changesPresent: boolean;
  /** True when applying the plan would delete or replace any resource. */
  destroyPresent: boolean;
}

/** Maps Terraform's action list to one kind; a replacement is `["delete","create"]` or the reverse. */
export function changeKindOf(actions: readonly string[]): ChangeKind {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  const [first] = actions;
  if (first === 'create' || first === 'update' || first === 'delete' || first === 'read' || first === 'forget') return first;
  return 'no-op';
}

/** Parses `terraform show -json` output. The error never quotes the text, because it contains values. */
export function parsePlanJson(text: string): PlanJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EngineError('internal', 'terraform show -json did not print valid JSON.', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EngineError('internal', 'terraform show -json did not print a JSON object.');
  }
  return parsed as PlanJson;
}

/** Summarizes a plan: counts per kind, the changed and drifted addresses, and changed output names. */
export function summarizePlan(plan: PlanJson): PlanSummary {
  const changes: ChangedResource[] = [];
  const counts = { create: 0, update: 0, delete: 0, replace: 0 };
  for (const resource of plan.resource_changes ?? []) {
    const kind = changeKindOf(resource.change.actions);
    if (kind === 'no-op' || kind === 'read') continue;
    changes.push({ address: resource.address, kind });
    if (kind !== 'forget') counts[kind] += 1;
  }
  const drift = (plan.resource_drift ?? []).map((resource) => ({ address: resource.address, kind: changeKindOf(resource.change.actions) }));
  const outputChanges = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => !['no-op', 'read'].includes(changeKindOf(change.actions)))
    .map(([name]) => name);
  return {
    ...counts,
    changes,
    drift,
    outputChanges,
    changesPresent: changes.length > 0 || outputChanges.length > 0,
    destroyPresent: counts.delete > 0 || counts.replace > 0,
  };
}

/**
 * Replaces every value the sensitivity mask marks (`true`, or `true` inside a matching object or
 * array) with a marker, so the result can be hashed without hashing a secret.
 */
export function redactSensitive(value: unknown, mask: unknown): unknown {
  if (mask === true) return '(sensitive)';
  if (Array.isArray(value)) {
    return value.map((item, index) => redactSensitive(item, Array.isArray(mask) ? mask[index] : undefined));
  }
  if (typeof value === 'object' && value !== null) {
    const maskObject = typeof mask === 'object' && mask !== null ? (mask as Record<string, unknown>) : {};
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, redactSensitive((value as Record<string, unknown>)[key], maskObject[key])]),
    );
  }
  return value;
}

/** Orders strings by UTF-16 code units, so every agent sorts alike whatever its locale. */
function compareCodeUnits(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/**
 * Returns a SHA-256 fingerprint of a plan's resource changes: each changed address, its actions,
 * and its before and after values with sensitive values redacted.
 *
 * @remarks Two plans with the same fingerprint do the same thing, except that a change confined
 * to a sensitive value does not alter the fingerprint (Terraform hides those values too). Values
 * that are not marked sensitive are hashed, never stored.
 */
export function fingerprintPlan(plan: PlanJson): string {
  const entries = (plan.resource_changes ?? [])
    .filter((resource) => !['no-op', 'read'].includes(changeKindOf(resource.change.actions)))
    .map((resource) => ({
      address: resource.address,
      actions: resource.change.actions,
      before: redactSensitive(resource.change.before ?? null, resource.change.before_sensitive),
      after: redactSensitive(resource.change.after ?? null, resource.change.after_sensitive),
      afterUnknown: redactSensitive(resource.change.after_unknown ?? null, undefined),
    }))
    .sort((left, right) => compareCodeUnits(left.address, right.address));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/** Lists what differs between an approved summary and a new one, by address and kind, for the refusal message. */
export function describeChangeDifferences(approved: readonly ChangedResource[], current: readonly ChangedResource[]): string[] {
  const key = (resource: ChangedResource): string => `${resource.kind} ${resource.address}`;
  const approvedKeys = new Set(approved.map(key));
  const currentKeys = new Set(current.map(key));
  return [
    ...[...currentKeys].filter((entry) => !approvedKeys.has(entry)).map((entry) => `new: ${entry}`),
    ...[...approvedKeys].filter((entry) => !currentKeys.has(entry)).map((entry) => `gone: ${entry}`),
  ];
}

/** Formats plan counts as `2 to create, 1 to update, 0 to replace, 0 to delete`. */
export function describeCounts(summary: PlanSummary): string {
  if (!summary.changesPresent) return 'no changes';
  const counts = `${summary.create} to create, ${summary.update} to update, ${summary.replace} to replace, ${summary.delete} to delete`;
  return summary.outputChanges.length > 0 ? `${counts}, ${summary.outputChanges.length} output(s) changed` : counts;
}
