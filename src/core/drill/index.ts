/** The DR drill engine's public surface, for the drill command and its post-job step. */
export * from './model';
export { runDrill, type RunDrillOptions } from './run';
export { DRILL_DEFAULTS } from './options';
export { recoverRuns, type RecoverRunsOptions } from './recover';
export { DRILL_STATE_SECRET, listRunClaims, type RunClaim } from './state';
export { CANARY_PREFIX } from './canary';
export { type NetworkControl, CLOSED_NETWORK_SETTINGS } from './network';
export { meetsRpoTarget } from './steps';
