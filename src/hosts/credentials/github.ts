/**
 * Credentials in GitHub Actions: the Azure CLI after `azure/login`, direct OpenID Connect with the
 * runner's ID token, or the `AZURE_*` environment variables.
 */
import { AzureCliCredential, ClientAssertionCredential, EnvironmentCredential, type TokenCredential } from '@azure/identity';
import { invalidInput } from '../../core/errors';
import { GuardedCredential, decodeAssertionClaims, identityHostOptions, type AssertionClaims } from './common';

/** Authentication modes of the action. `auto` picks one of the others from the environment. */
export const AUTH_MODES = ['auto', 'oidc', 'azure-cli', 'environment'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** The audience Microsoft Entra ID expects in a GitHub ID token exchanged for an access token. */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface GitHubCredentialOptions {
  authMode: string;
  clientId?: string;
  tenantId?: string;
  env: NodeJS.ProcessEnv;
  /** Fetches the runner's ID token for an audience (`core.getIDToken`). */
  getIDToken(audience: string): Promise<string>;
  setSecret(value: string): void;
}

/** Picks the mode `auto` stands for: OIDC when the runner can issue ID tokens and ids are given. */
export function resolveAuthMode(options: Pick<GitHubCredentialOptions, 'authMode' | 'clientId' | 'tenantId' | 'env'>): Exclude<AuthMode, 'auto'> {
  const mode = options.authMode.trim().toLowerCase();
  if (!(AUTH_MODES as readonly string[]).includes(mode)) {
    throw invalidInput(`Invalid value for input "authMode": "${options.authMode}". Use one of: ${AUTH_MODES.join(', ')}.`);
  }
  if (mode !== 'auto') return mode as Exclude<AuthMode, 'auto'>;
  const { env } = options;
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && options.clientId && options.tenantId) return 'oidc';
  if (env.AZURE_TENANT_ID && env.AZURE_CLIENT_ID && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH)) return 'environment';
  return 'azure-cli';
}

/** Builds the credential for the chosen mode. Every token it issues is masked. */
export function createGitHubCredential(options: GitHubCredentialOptions): TokenCredential {
  const { env, setSecret } = options;
  const mode = resolveAuthMode(options);
  const hostOptions = identityHostOptions(env);

  if (mode === 'oidc') {
    const { clientId, tenantId } = options;
    if (!clientId || !tenantId) {
      throw invalidInput(`authMode "oidc" needs the "clientId" and "tenantId" inputs: the app registration (or user-assigned identity) and its tenant.`);
    }
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw invalidInput(
        `The runner cannot issue an ID token for OpenID Connect: the job lacks the "id-token: write" permission. Add "permissions: id-token: write" (and "contents: read") to the workflow or job.`,
      );
    }
    let claims: AssertionClaims | undefined;
    const getAssertion = async (): Promise<string> => {
      const token = await options.getIDToken(ENTRA_TOKEN_EXCHANGE_AUDIENCE);
      setSecret(token);
      claims = decodeAssertionClaims(token);
      return token;
    };
    const inner = new ClientAssertionCredential(tenantId, clientId, getAssertion, hostOptions);
    return new GuardedCredential(inner, {
      setSecret,
      lastAssertionClaims: () => claims,
      description: {
        method: 'OpenID Connect with the GitHub ID token',
        clientId,
        tenantId,
        remedy: `Add a federated credential for this repository and subject to the app registration (or user-assigned identity) "${clientId}".`,
      },
    });
  }

  if (mode === 'environment') {
    const inner = new EnvironmentCredential(hostOptions);
    return new GuardedCredential(inner, {
      setSecret,
      description: {
        method: 'the AZURE_* environment variables',
        clientId: env.AZURE_CLIENT_ID,
        tenantId: env.AZURE_TENANT_ID,
        remedy: 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) from repository secrets.',
      },
    });
  }

  const inner = new AzureCliCredential(options.tenantId ? { tenantId: options.tenantId } : {});
  return new GuardedCredential(inner, {
    setSecret,
    description: {
      method: 'the Azure CLI',
      tenantId: options.tenantId,
      remedy: 'Run azure/login in an earlier step, or give "clientId" and "tenantId" with the "id-token: write" permission to use OpenID Connect directly.',
    },
  });
}
