/**
 * The DR drill's vocabulary: modes, steps, measurements and the result the report is built from.
 */
import type { VaultNetworkSettings } from '../access/arm';

/**
 * `logical` treats the primary as lost and changes nothing in Azure. `network` closes the
 * primary's public network access through ARM for the length of the drill.
 */
export type DrillMode = 'logical' | 'network';
export const DRILL_MODES: readonly DrillMode[] = ['logical', 'network'];

/** The drill's steps, in the order they run. */
export type DrillStepName = 'preflight' | 'loss' | 'canary' | 'failover-reads' | 'failback' | 'cleanup';
export const DRILL_STEPS: readonly DrillStepName[] = ['preflight', 'loss', 'canary', 'failover-reads', 'failback', 'cleanup'];

/** Titles of the steps, saying what each proves, as the report and the runbook show them. */
export const STEP_TITLES: Record<DrillStepName, string> = {
  preflight: 'Preflight: every vault reachable, drift within the RPO target, ARM access for network mode',
  loss: 'Loss of the primary',
  canary: 'Canary write and rotation in each secondary',
  'failover-reads': 'Reads through the failover order',
  failback: 'Failback and mesh reconcile of the drill\'s writes',
  cleanup: 'Cleanup of the canaries',
};

/** `skipped` marks a step that did not run because an earlier step failed. */
export type StepStatus = 'passed' | 'failed' | 'skipped';

/** One step of the timeline. */
export interface DrillStep {
  name: DrillStepName;
  title: string;
  status: StepStatus;
  /** ISO time the step started; absent for skipped steps. */
  startedAt?: string;
  /** Milliseconds from the drill's start to the step's start. */
  offsetInMs?: number;
  durationInMs?: number;
  /** Findings and actions of the step, one sentence each, never a secret value. */
  details: string[];
  /** The reason the step failed. */
  error?: string;
}

/** Data at risk in one survivor: secrets written to the primary that it lacked at the cut. */
export interface DataAtRisk {
  vaultId: string;
  vaultUrl: string;
  /** Number of secrets the survivor lacked or held an older version of. */
  count: number;
  /** Age, at the cut, of the oldest write the survivor lacked, in milliseconds; 0 when none. */
  oldestAgeInMs: number;
  /** Names of the secrets at risk (no values), up to 100. */
  secrets: string[];
}

/** The RPO measurement: per survivor, and the verdict on the first survivor in the failover order. */
export interface RpoMeasurement {
  /** When the inventories were taken, as ISO time: at the cut, or at preflight when the drill stopped there. */
  cutAt: string;
  survivors: DataAtRisk[];
  /** The first survivor in the failover order, which the application uses after the loss. */
  measuredOn?: string;
  count?: number;
  oldestAgeInMs?: number;
  targetInMs: number;
  met: boolean;
}

/** The RTO measurement: end of the loss step to the first successful write in a survivor. */
export interface RtoMeasurement {
  /** Absent when no survivor accepted a write. */
  measuredInMs?: number;
  /** The survivor that took the first write. */
  firstWriteIn?: string;
  targetInMs: number;
  met: boolean;
}

/** One canary: a secret written and rotated in one secondary, unique to the run. */
export interface CanaryRecord {
  name: string;
  vaultId: string;
  vaultUrl: string;
  written: boolean;
  rotated: boolean;
  /** True when the rotated value read back from the vault matched. */
  verified: boolean;
  /** True once the primary held the rotated version after failback. */
  reconciled: boolean;
  /** Vault ids the canary was deleted from during cleanup. */
  deletedFrom: string[];
  /** Vault ids the canary was purged from; the rest keep it soft-deleted until the retention ends. */
  purgedFrom: string[];
  error?: string;
}

/** One read through the failover order. */
export interface FailoverRead {
  secret: string;
  /** The vault that returned the expected value, or absent when none did. */
  servedBy?: string;
  /** Each vault tried, in order, with what happened there. */
  attempts: Array<{ vaultId: string; outcome: string }>;
  durationInMs: number;
}

/** The change to the primary's network settings and its restoration. */
export interface NetworkRecord {
  resourceId: string;
  /** The settings before the drill, recorded before any change. */
  original: VaultNetworkSettings;
  /** True once the loss step sent the change, so a restore is tried even when that call's outcome is unknown. */
  closed: boolean;
  /** True once the original settings were written back. */
  restored: boolean;
  /**
   * `failback` when the failback step restored them, `finally` when the drill's guaranteed restore
   * did, after a failed or stopped failback. Post-job steps and later drills report in
   * {@link RecoveredRun}.
   */
  restoredBy?: string;
  restoreError?: string;
}

/** A run killed before it restored, found and put back by this run. */
export interface RecoveredRun {
  runId: string;
  jobId?: string;
  /** Actions taken, such as restoring the network settings or removing canaries, one sentence each. */
  actions: string[];
  error?: string;
}

/** Everything a drill found and did, before it is turned into the report. */
export interface DrillResult {
  runId: string;
  mode: DrillMode;
  primary: { vaultId: string; vaultUrl: string };
  /** The failover order: the secondaries as given. */
  secondaries: Array<{ vaultId: string; vaultUrl: string }>;
  /** The vault of the bookkeeping secret: the first secondary. */
  stateVaultUrl: string;
  startedAt: Date;
  finishedAt: Date;
  steps: DrillStep[];
  rto: RtoMeasurement;
  rpo?: RpoMeasurement;
  network?: NetworkRecord;
  canaries: CanaryRecord[];
  reads: FailoverRead[];
  recoveredRuns: RecoveredRun[];
  warnings: string[];
  /** True when every step passed and both targets were met. */
  passed: boolean;
}
