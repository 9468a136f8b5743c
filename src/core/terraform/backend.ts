/**
 * Per-region backend settings. Every region's stack gets its own state, either through the state
 * key (`<prefix>/<region>.tfstate` in the azurerm backend) or through a `{region}` placeholder in a
 * `--backend-config` value, so one region's outage or broken state never blocks another region.
 */
import { invalidInput } from '../errors';

/** The placeholder replaced by the region name in `--backend-config` values. */
export const REGION_PLACEHOLDER = '{region}';

/**
 * Backend settings that are credentials. kvdr masks their values, and the docs steer users to the
 * ARM_* environment variables instead, because `-backend-config` values reach terraform's argv.
 */
export const SENSITIVE_BACKEND_KEYS: ReadonlySet<string> = new Set([
  'access_key',
  'sas_token',
  'client_secret',
  'client_certificate_password',
  'client_certificate',
  'oidc_token',
  'oidc_request_token',
]);

/** Region keys: they name files, folders and state keys, so only letters, digits, `-` and `_`. */
const REGION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const BACKEND_KEY = /^[a-z_][a-z0-9_]*$/;

/** Checks the region list: non-empty, valid names, no duplicates. */
export function validateRegions(regions: readonly string[]): void {
  if (regions.length === 0) throw invalidInput('No region given. Pass --region once per region stack to act on, such as --region westeurope.');
  const seen = new Set<string>();
  for (const region of regions) {
    if (!REGION_NAME.test(region)) {
      throw invalidInput(`Invalid region "${region}": use the key of the regions map, made of letters, digits, "-" and "_" (such as westeurope).`);
    }
    if (seen.has(region.toLowerCase())) throw invalidInput(`Region "${region}" is given twice. Pass each region once.`);
    seen.add(region.toLowerCase());
  }
}

/** Parses `key=value` entries of `--backend-config`; a value may contain `=`. */
export function parseBackendConfig(entries: readonly string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    const key = separator < 0 ? entry.trim() : entry.slice(0, separator).trim();
    if (separator < 0 || !BACKEND_KEY.test(key)) {
      throw invalidInput(
        `Invalid --backend-config "${separator < 0 ? entry : key + '=...'}": use key=value with a backend setting name such as storage_account_name=sttfstate.`,
      );
    }
    if (key in config) throw invalidInput(`--backend-config ${key} is given twice. Give each setting once.`);
    config[key] = entry.slice(separator + 1).trim();
  }
  return config;
}

/** Checks a state key prefix such as `kvdr/prod`: no empty segment, no `..`, no backslash. */
export function normalizeStateKeyPrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  const segments = trimmed.split('/');
  if (trimmed.length === 0 || segments.some((segment) => segment === '' || segment === '..' || segment === '.') || trimmed.includes('\\')) {
    throw invalidInput(`Invalid --state-key-prefix "${prefix}": use path segments separated by "/", such as kvdr/prod, without empty segments or "..".`);
  }
  return trimmed;
}

/** Options for {@link backendConfigForRegion}. */
export interface RegionBackendOptions {
  /** Parsed `--backend-config` pairs; values may contain {@link REGION_PLACEHOLDER}. */
  backendConfig: Record<string, string>;
  /** Normalized state key prefix; the region's key becomes `<prefix>/<region>.tfstate`. */
  stateKeyPrefix?: string;
}

/**
 * Rejects settings under which two regions would share one state: without a state key prefix, some
 * backend value must contain `{region}`, and a prefix conflicts with an explicit `key`.
 */
export function validateStateIsolation(options: RegionBackendOptions): void {
  const placeholderUsed = Object.values(options.backendConfig).some((value) => value.includes(REGION_PLACEHOLDER));
  if (options.stateKeyPrefix !== undefined && 'key' in options.backendConfig) {
    throw invalidInput('Give either --state-key-prefix or --backend-config key=..., not both: the prefix already sets the key of each region.');
  }
  if (options.stateKeyPrefix === undefined && !placeholderUsed) {
    throw invalidInput(
      'Every region needs its own state. Pass --state-key-prefix (such as kvdr/prod, giving kvdr/prod/<region>.tfstate), or put {region} in a --backend-config value (such as path=state/{region}.tfstate).',
    );
  }
}

/** Returns the backend settings of one region: placeholders replaced and the state key added. */
export function backendConfigForRegion(region: string, options: RegionBackendOptions): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.backendConfig)) config[key] = value.split(REGION_PLACEHOLDER).join(region);
  if (options.stateKeyPrefix !== undefined) config.key = `${options.stateKeyPrefix}/${region}.tfstate`;
  return config;
}

/** Returns the values of credential settings, for the host to mask. */
export function sensitiveBackendValues(backendConfig: Record<string, string>): string[] {
  return Object.entries(backendConfig)
    .filter(([key]) => SENSITIVE_BACKEND_KEYS.has(key))
    .map(([, value]) => value);
}
