/** The terraform version check: kvdr needs Terraform 1.5 or newer. */
import { EngineError, invalidInput } from '../errors';
import { INSTALL_HINT, runTerraform, type RunTerraformOptions } from './process';

/** The oldest Terraform kvdr runs, matching the templates' `required_version = ">= 1.5"`. */
export const MINIMUM_TERRAFORM_VERSION = '1.5.0';

/** Parses `1.11.4`, `v1.5.7` or `1.6.0-beta1` into numbers; returns undefined for anything else. */
export function parseTerraformVersion(text: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** True when `version` is at least `minimum` (both `major.minor.patch`). */
export function isVersionAtLeast(version: string, minimum: string): boolean {
  const have = parseTerraformVersion(version);
  const need = parseTerraformVersion(minimum);
  if (!have || !need) return false;
  for (let index = 0; index < 3; index += 1) {
    if (have[index] !== need[index]) return have[index] > need[index];
  }
  return true;
}

/**
 * Runs `terraform version` and returns the version (such as `1.11.4`).
 *
 * @remarks Rejects with `not-found` when terraform is missing and with `invalid-input` naming the
 * version when it is older than {@link MINIMUM_TERRAFORM_VERSION}.
 */
export async function checkTerraformVersion(options: Omit<RunTerraformOptions, 'timeoutInMs'> & { timeoutInMs?: number }): Promise<string> {
  // `version -json` exists since 0.13; older releases print text, which the fallback below reads.
  const result = await runTerraform(['version', '-json'], { timeoutInMs: 60_000, ...options });
  let version: string | undefined;
  try {
    const parsed = JSON.parse(result.stdout) as { terraform_version?: unknown };
    if (typeof parsed.terraform_version === 'string') version = parsed.terraform_version;
  } catch {
    version = /Terraform v(\d+\.\d+\.\d+\S*)/.exec(result.stdout)?.[1];
  }
  if (!version) {
    throw new EngineError('internal', `Could not read the version of terraform ("${options.terraformPath ?? 'terraform'}"). ${INSTALL_HINT}`);
  }
  if (!isVersionAtLeast(version, MINIMUM_TERRAFORM_VERSION)) {
    throw invalidInput(`Terraform ${version} is too old: kvdr needs ${MINIMUM_TERRAFORM_VERSION} or newer. ${INSTALL_HINT}`);
  }
  return version;
}
