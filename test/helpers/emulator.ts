/**
 * Helpers for tests that drive the real Azure SDK against an in-process emulator. The emulator's
 * certificate is passed to each client, because `NODE_EXTRA_CA_CERTS` is read only at process start.
 */
import { ClientSecretCredential, type ClientSecretCredentialOptions, type TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import type { Emulator } from '../../emulator/index';

/** What a test needs to point a `SecretClient` and a `ClientSecretCredential` at the emulator. */
export interface EmulatorClientOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Options for `ClientSecretCredential`. */
  credentialOptions: ClientSecretCredentialOptions;
  /** Options for `SecretClient`. */
  secretClientOptions: SecretClientOptions;
  /** Shared by both: the emulator's certificate as the trusted CA. */
  tlsOptions: { ca: string };
  authorityHost: string;
  disableInstanceDiscovery: true;
  disableChallengeResourceVerification: true;
}

export function createClientOptions(emulator: Emulator): EmulatorClientOptions {
  const tlsOptions = { ca: emulator.ca };
  return {
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    credentialOptions: { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions },
    secretClientOptions: { disableChallengeResourceVerification: true, tlsOptions },
    tlsOptions,
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
    disableChallengeResourceVerification: true,
  };
}

/** Creates a `ClientSecretCredential` against the emulator's token endpoint, for the default or another registered client. */
export function createCredential(emulator: Emulator, client?: { clientId: string; clientSecret: string }): ClientSecretCredential {
  const options = createClientOptions(emulator);
  return new ClientSecretCredential(
    emulator.tenantId,
    client?.clientId ?? emulator.clientId,
    client?.clientSecret ?? emulator.clientSecret,
    options.credentialOptions,
  );
}

/** Creates a real `SecretClient` for one of the emulator's vaults. Extra options are merged over the defaults. */
export function createSecretClient(
  emulator: Emulator,
  vault: string,
  extra: { credential?: TokenCredential; options?: SecretClientOptions } = {},
): SecretClient {
  const url = emulator.vaults[vault];
  if (!url) throw new Error(`Unknown emulator vault "${vault}". Known vaults: ${Object.keys(emulator.vaults).join(', ')}.`);
  const options = createClientOptions(emulator);
  return new SecretClient(url, extra.credential ?? createCredential(emulator), { ...options.secretClientOptions, ...extra.options });
}
