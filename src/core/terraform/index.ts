/**
 * The terraform runner's API, shared by `kvdr deploy` and the Terraform drift check: run terraform
 * per region stack, and read plans by address and action without ever exposing their values.
 */
export { runTerraform, INSTALL_HINT, type RunTerraformOptions, type TerraformOutput } from './process';
export { checkTerraformVersion, MINIMUM_TERRAFORM_VERSION } from './version';
export {
  initStack,
  planStack,
  showPlanJson,
  applyPlan,
  readOutputs,
  type StackContext,
  type InitStackOptions,
  type PlanStackOptions,
  type PlanStackResult,
  type StackOutputs,
} from './stack';
export {
  summarizePlan,
  fingerprintPlan,
  parsePlanJson,
  changeKindOf,
  describeCounts,
  type PlanJson,
  type PlanSummary,
  type ChangedResource,
  type ChangeKind,
} from './plan-summary';
export { summarizeDiagnostics } from './diagnostics';
export {
  backendConfigForRegion,
  parseBackendConfig,
  normalizeStateKeyPrefix,
  validateRegions,
  validateStateIsolation,
  REGION_PLACEHOLDER,
} from './backend';
export { deployRegions, regionPaths, type DeployCommand, type DeployResult, type RegionDeployResult } from './deploy';
export type { ApprovedPlanRecord } from './approval';
