/** The sync engine's public surface, for commands, the drift check and the drill. */
export * from './model';
export * from './lineage';
export * from './filters';
export * from './inventory';
export { planSync, planIsIncomplete } from './plan';
export { applyPlan, type ApplyOptions, type PairResult } from './apply';
export { runSync, type RunSyncOptions, type SyncRunResult } from './run';
