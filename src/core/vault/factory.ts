/**
 * The one place that builds vault stores and the default credential. Engine code gets a
 * {@link VaultStore} here and never constructs a `SecretClient` itself.
 */
import { Agent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createSecureContext, rootCertificates } from 'node:tls';

import type { TokenCredential } from '@azure/identity';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

import { invalidInput } from '../errors';
import { silentLogger, type Logger } from '../log';
import { AzureVaultStore } from './azure';
import { createChallengeGatePolicy } from './challenge-gate';
import { VaultStatsRecorder } from './operations';
import type { VaultStore } from './port';
import { DEFAULT_MAX_REQUESTS_PER_SECOND, TokenBucket } from './rate-limit';
import { createRetryPolicy } from './retry-policy';
import { DEFAULT_RETRY_SETTINGS } from './retry-strategy';
import { createRateLimitedHttpClient } from './transport';
import { customHostsAllowed, type VaultReference } from './url';

/** The timeout of one request when the caller sets none. */
export const DEFAULT_CALL_TIMEOUT_IN_MS = 30_000;

/** Options of {@link openVault}. */
export interface OpenVaultOptions {
  credential: TokenCredential;
  /** Requests per second to this vault, every HTTP request included; default 300. */
  maxRequestsPerSecond?: number;
  /** The timeout of one request, in milliseconds; default 30,000. */
  callTimeoutInMs?: number;
  /** The run's overall deadline: every request and every wait stops when it aborts. */
  abortSignal?: AbortSignal;
  /** Receives retry lines at debug level; never request or response bodies. */
  logger?: Logger;
  /** An extra CA certificate (PEM) to trust besides Node's roots, for the emulator. */
  tlsCa?: string;
  /** A DNS lookup to use in place of the system's, so tests never send a real DNS query. */
  lookup?: LookupFunction;
  retry?: {
    /** Retries after throttling, 5xx, resets and transient 409s; default 10. */
    maxRetries?: number;
    /** The cap of the backoff delay in milliseconds; default 30,000. */
    maxDelayInMs?: number;
  };
}

/**
 * Opens a vault: a `SecretClient` with kvdr's pipeline (challenge gate, retries, call timeout,
 * rate limit) behind the {@link VaultStore} port. Each store has its own token bucket, so open
 * each vault once per run. For a custom host (an emulator or proxy, allowed only with
 * KVDR_ALLOW_CUSTOM_HOSTS=1), the SDK's check that the challenge names a Key Vault resource is
 * turned off. Sends no request until the store is used.
 */
export function openVault(reference: VaultReference, options: OpenVaultOptions): VaultStore {
  const maxRequestsPerSecond = options.maxRequestsPerSecond ?? DEFAULT_MAX_REQUESTS_PER_SECOND;
  if (!Number.isFinite(maxRequestsPerSecond) || maxRequestsPerSecond <= 0) {
    throw invalidInput(`Invalid --max-rps ${maxRequestsPerSecond}: give a positive number of requests per second, such as 300.`);
  }
  const callTimeoutInMs = options.callTimeoutInMs ?? DEFAULT_CALL_TIMEOUT_IN_MS;
  if (!Number.isFinite(callTimeoutInMs) || callTimeoutInMs <= 0) {
    throw invalidInput(`Invalid --call-timeout of ${callTimeoutInMs} ms: give a positive duration, such as 30s.`);
  }

  const logger = options.logger ?? silentLogger;
  const recorder = new VaultStatsRecorder();
  const bucket = new TokenBucket({ ratePerSecond: maxRequestsPerSecond });
  const settings = { ...DEFAULT_RETRY_SETTINGS, ...definedOnly(options.retry ?? {}) };
  if (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 0) {
    throw invalidInput(`Invalid retry count ${settings.maxRetries}: give a whole number of 0 or more.`);
  }
  if (!Number.isFinite(settings.maxDelayInMs) || settings.maxDelayInMs <= 0) {
    throw invalidInput(`Invalid maximum retry delay of ${settings.maxDelayInMs} ms: give a positive number of milliseconds.`);
  }

  const client = new SecretClient(reference.url, options.credential, {
    httpClient: createRateLimitedHttpClient(createDefaultHttpClient(), bucket, recorder),
    agent: createHttpsAgent(options),
    // kvdr's retry policy below replaces the SDK's, so that no request is retried twice.
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [
      { policy: createChallengeGatePolicy(), position: 'perCall' },
      {
        policy: createRetryPolicy({ vaultUrl: reference.url, settings, callTimeoutInMs, stats: recorder, logger, bucket }),
        position: 'perCall',
      },
    ],
    disableChallengeResourceVerification: reference.custom,
  });
  return new AzureVaultStore(client, reference, recorder, options.abortSignal);
}

/** Options of {@link createDefaultCredential}. */
export interface DefaultCredentialOptions {
  /** An extra CA certificate (PEM) for the token endpoint, for the emulator. */
  tlsCa?: string;
  /** A DNS lookup for the token endpoint's host. */
  lookup?: LookupFunction;
}

/**
 * Builds the credential kvdr uses when a host supplies none. With AZURE_TENANT_ID,
 * AZURE_CLIENT_ID and AZURE_CLIENT_SECRET in `env`, that is a `ClientSecretCredential` built from
 * `env` (the same credential `DefaultAzureCredential` would try first, but read from the given
 * environment, so in-process callers need not change `process.env`). Otherwise it is
 * `DefaultAzureCredential`, which reads `process.env` itself.
 *
 * With KVDR_ALLOW_CUSTOM_HOSTS=1, Entra instance discovery is turned off, so MSAL accepts the
 * emulator's authority (AZURE_AUTHORITY_HOST) without asking login.microsoftonline.com about it.
 */
export function createDefaultCredential(env: NodeJS.ProcessEnv = process.env, options: DefaultCredentialOptions = {}): TokenCredential {
  const disableInstanceDiscovery = customHostsAllowed(env);
  const common = {
    authorityHost: env.AZURE_AUTHORITY_HOST || undefined,
    disableInstanceDiscovery,
    agent: options.tlsCa !== undefined || options.lookup !== undefined ? createHttpsAgent(options) : undefined,
  };

  const { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: clientSecret } = env;
  if (tenantId && clientId && clientSecret) return new ClientSecretCredential(tenantId, clientId, clientSecret, common);
  return new DefaultAzureCredential({ ...common, tenantId: tenantId || undefined });
}

function createHttpsAgent(options: { tlsCa?: string; lookup?: LookupFunction }): Agent {
  // One secure context for every connection: passing `ca` instead would make Node parse Node's
  // roots plus the extra CA for each new connection and join them into the agent's pool key.
  const secureContext = options.tlsCa === undefined ? undefined : createSecureContext({ ca: [...rootCertificates, options.tlsCa] });
  return new Agent({ keepAlive: true, secureContext, lookup: options.lookup });
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
