/**
 * The drift check's vocabulary: the state of one secret in one vault, whether that state counts as
 * drift, and the findings a check returns.
 */

/**
 * The state of one secret in one vault, compared with where its value should come from (the source
 * with `--source`, else the newest origin in the mesh).
 */
export type DriftState =
  | 'in-sync'
  | 'missing'
  | 'extra'
  | 'stale'
  | 'diverged'
  | 'properties-differ'
  | 'soft-deleted-in-target'
  | 'unverifiable'
  | 'excluded'
  | 'value-differs';

/** Every state, in the order summaries list them: drift first, then what is only reported. */
export const DRIFT_STATES: readonly DriftState[] = [
  'missing',
  'stale',
  'diverged',
  'value-differs',
  'properties-differ',
  'soft-deleted-in-target',
  'extra',
  'unverifiable',
  'excluded',
  'in-sync',
];

/**
 * The weight of a finding. `drift` fails the check under `--on-drift fail`. `reported` is listed
 * but is not drift, such as an extra secret without `--prune` or an unverifiable pair. `excluded`
 * was filtered out, and `in-sync` matches.
 */
export type DriftOutcome = 'drift' | 'reported' | 'excluded' | 'in-sync';

/** The run's result when drift is found: failed, succeeded with issues, or succeeded. */
export type OnDriftPolicy = 'fail' | 'warn' | 'ignore';
export const ON_DRIFT_POLICIES: readonly OnDriftPolicy[] = ['fail', 'warn', 'ignore'];

/** The state of one secret in one vault. Holds names and vault ids, never a value. */
export interface SecretDriftFinding {
  /** Lower-cased name, the key across vaults. */
  key: string;
  /** The name as the vault spells it. */
  name: string;
  vaultId: string;
  state: DriftState;
  outcome: DriftOutcome;
  /** One sentence on what differs and how to fix it. */
  reason?: string;
}

/** Returns the outcome of a state; `extra` is drift only when target-only secrets should be pruned. */
export function outcomeOf(state: DriftState, options: { prune: boolean }): DriftOutcome {
  switch (state) {
    case 'in-sync':
      return 'in-sync';
    case 'excluded':
      return 'excluded';
    case 'unverifiable':
      return 'reported';
    case 'extra':
      return options.prune ? 'drift' : 'reported';
    default:
      return 'drift';
  }
}

/** The kind of a Terraform resource's drift, from one region's plans. */
export type TerraformDriftKind = 'changed-outside-terraform' | 'pending-change';

/** One drifted Terraform resource: its address and which attributes changed, never their values. */
export interface TerraformDriftFinding {
  region: string;
  /** The resource address, such as `azurerm_key_vault.this`. */
  address: string;
  /** `changed-outside-terraform` from `resource_drift`; `pending-change` from `resource_changes`. */
  kind: TerraformDriftKind;
  /** Terraform's action reduced to one word: update, delete, create, replace. */
  action: string;
  /** Names of the top-level attributes whose values differ; values are never kept. */
  changedAttributes: string[];
}

/** One region's Terraform drift check. */
export interface RegionDriftResult {
  region: string;
  outcome: 'checked' | 'failed';
  findings: TerraformDriftFinding[];
  /** True when the refresh-only plan exited 2; kept to show that the JSON, not the exit code, decided. */
  refreshOnlyExitCodeSignalledChanges?: boolean;
  /** Names of root outputs whose values changed; outputs alone are not drift. */
  outputChanges: string[];
  /** The reason the region could not be checked, as one line. */
  error?: string;
}
