/**
 * Vault references: a URL, or a bare name meaning `https://<name>.vault.azure.net/`.
 */
import { invalidInput } from '../errors';

/** DNS suffixes of Key Vault in the public and sovereign clouds. */
export const KEY_VAULT_DNS_SUFFIXES = ['.vault.azure.net', '.vault.azure.cn', '.vault.usgovcloudapi.net', '.vault.microsoftazure.de'] as const;

/** Key Vault names: 3-24 characters, letters, digits and hyphens, starting with a letter. */
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

export interface VaultReference {
  /** `https://host[:port]/`, lower-cased host, with a trailing slash. */
  url: string;
  /** The vault id used in lineage: the first DNS label for Key Vault hosts, `host:port` otherwise. */
  id: string;
  /** True when the host is not one of Key Vault's own. */
  custom: boolean;
}

export function isKeyVaultHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return KEY_VAULT_DNS_SUFFIXES.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
}

/**
 * Parses a vault reference. Non-Key Vault hosts are rejected unless `allowCustomHosts` is set,
 * because kvdr would otherwise send a Key Vault token to them.
 */
export function parseVaultReference(input: string, allowCustomHosts: boolean): VaultReference {
  const text = input.trim();
  if (text.length === 0) throw invalidInput('A vault reference is empty. Give a vault name or its URL.');

  if (!text.includes('/') && !text.includes(':')) {
    if (!VAULT_NAME.test(text)) {
      throw invalidInput(
        `Invalid vault name "${text}": a Key Vault name has 3-24 letters, digits and hyphens and starts with a letter. Give the name or the vault URL.`,
      );
    }
    const name = text.toLowerCase();
    return { url: `https://${name}.vault.azure.net/`, id: name, custom: false };
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidInput(`Invalid vault URL "${text}". Use the form https://<name>.vault.azure.net/ or a bare vault name.`);
  }
  if (url.username !== '' || url.password !== '') {
    // The URL is not echoed, because the part before @ may be a password.
    throw invalidInput(`Invalid vault URL for host "${url.host}": give the vault URL without a user name or password; kvdr authenticates with a token.`);
  }
  if (url.protocol !== 'https:') {
    throw invalidInput(`Invalid vault URL "${text}": Key Vault is reached over https only.`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw invalidInput(`Invalid vault URL "${text}": give the vault's root URL, without a path such as /secrets.`);
  }
  const host = url.host.toLowerCase();
  if (isKeyVaultHost(url.hostname)) {
    return { url: `https://${host}/`, id: url.hostname.toLowerCase().split('.')[0], custom: false };
  }
  if (!allowCustomHosts) {
    throw invalidInput(
      `Vault host "${host}" is not a Key Vault host. kvdr sends a Key Vault access token to every vault it calls, so other hosts are rejected; set KVDR_ALLOW_CUSTOM_HOSTS=1 only for a trusted emulator or proxy.`,
    );
  }
  const port = url.port || '443';
  return { url: `https://${host}/`, id: `${url.hostname.toLowerCase()}:${port}`, custom: true };
}

/** Reads `KVDR_ALLOW_CUSTOM_HOSTS` from an environment. */
export function customHostsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.KVDR_ALLOW_CUSTOM_HOSTS === '1' || env.KVDR_ALLOW_CUSTOM_HOSTS?.toLowerCase() === 'true';
}
