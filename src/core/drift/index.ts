/** The drift check's public surface: secret drift between vaults and Terraform drift per region. */
export * from './model';
export { classifyAction, differingProperties, type ClassifyContext } from './classify';
export { compareValueHashes, type CompareValueHashesOptions } from './deep';
export { checkSecretDrift, type CheckSecretDriftOptions, type SecretDriftResult } from './secrets';
export { checkTerraformDrift, terraformDriftFindings, changedAttributeNames, type CheckTerraformDriftOptions, type TerraformDriftResult } from './terraform';
export { buildDriftReport, countDrift, terraformVaultId, type DriftReport, type DriftReportOptions } from './report';
export { renderDriftMarkdown, type DriftMarkdownOptions } from './markdown';
