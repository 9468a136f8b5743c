/** Options of a drill run, shared by the runner and its steps. */
import type { Logger } from '../log';
import type { SecretFilter } from '../sync/filters';
import type { VaultStore } from '../vault/port';
import type { DrillMode } from './model';
import type { NetworkControl } from './network';

/** Options of {@link runDrill}. */
export interface RunDrillOptions {
  primary: VaultStore;
  /** The failover order: the application tries these, in this order, when the primary is lost. */
  secondaries: readonly VaultStore[];
  mode: DrillMode;
  /** The primary's ARM resource id; required in network mode. */
  primaryResourceId?: string;
  /** ARM access; required in network mode, and used to restore a killed network-mode drill. */
  network?: NetworkControl;
  /** The RTO target, in milliseconds. */
  rtoTargetInMs: number;
  /** The RPO target, in milliseconds; 0 means no write may be at risk. */
  rpoTargetInMs: number;
  /** The filter choosing the secrets counted for the RPO, the same as sync's and drift's. */
  filter: SecretFilter;
  /** The job that runs the drill, recorded so a post-job step restores only its own run. */
  jobId: string;
  /** How long the lock holds without renewal, in milliseconds; default 2 minutes. */
  lockExpiryInMs?: number;
  /** Wait between claiming the lock and checking for rival claims, in milliseconds; default 2,000. */
  lockSettleInMs?: number;
  /** How long to wait for a network change to reach the data plane, in milliseconds; default 5 minutes. */
  propagationTimeoutInMs?: number;
  /** Wait between probes of the primary, in milliseconds; default 2,000. */
  probeIntervalInMs?: number;
  /** The run's deadline. Restoring the primary and releasing the lock continue after it fires. */
  abortSignal?: AbortSignal;
  logger?: Logger;
  /** Receives every value read (canaries, values copied by the reconcile), to register for masking. */
  onValueRead?: (value: string) => void;
  /** Called once the lock is held, before anything changes; post-job steps keep the run id. */
  onLockAcquired?: (runId: string, stateVaultUrl: string) => void;
  /** Called after each step, for progress output. */
  onStepFinished?: (name: string, status: string) => void;
  /** Requests in flight per vault during the reconcile. */
  concurrencyPerVault?: number;
  maxRequestsPerSecond?: number;
}

/** Defaults of the optional timings. */
export const DRILL_DEFAULTS = {
  lockExpiryInMs: 120_000,
  lockSettleInMs: 2_000,
  propagationTimeoutInMs: 300_000,
  probeIntervalInMs: 2_000,
} as const;
