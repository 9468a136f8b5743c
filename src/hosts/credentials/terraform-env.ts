/**
 * The `ARM_*` environment that authenticates Terraform's azurerm provider with the same identity as
 * the host's own credential, so a deploy never needs a second secret. Workload identity federation
 * and OpenID Connect come first, as the design requires.
 */
import { invalidInput } from '../../core/errors';
import type { ServiceConnectionSource } from './service-connection';
import { resolveAuthMode } from './github';

export interface ServiceConnectionTerraformEnvOptions {
  connectionId: string;
  source: ServiceConnectionSource;
  env: NodeJS.ProcessEnv;
  systemAccessToken: string | undefined;
  setSecret(value: string): void;
}

/** Returns the azurerm provider's environment for an Azure Pipelines service connection. */
export function serviceConnectionTerraformEnv(options: ServiceConnectionTerraformEnvOptions): Record<string, string> {
  const { connectionId, source, env, setSecret } = options;
  const scheme = source.scheme(connectionId);
  const result: Record<string, string> = {};
  const set = (name: string, value: string | undefined): void => {
    if (value) result[name] = value;
  };
  set('ARM_CLIENT_ID', source.authParameter(connectionId, 'serviceprincipalid'));
  set('ARM_TENANT_ID', source.authParameter(connectionId, 'tenantid'));
  set('ARM_SUBSCRIPTION_ID', source.dataParameter(connectionId, 'subscriptionId'));

  if (scheme === 'WorkloadIdentityFederation') {
    if (!options.systemAccessToken || !env.SYSTEM_OIDCREQUESTURI) {
      throw invalidInput('Terraform with workload identity federation needs the job access token and SYSTEM_OIDCREQUESTURI. Map SYSTEM_ACCESSTOKEN: $(System.AccessToken) on the step.');
    }
    setSecret(options.systemAccessToken);
    Object.assign(result, {
      ARM_USE_OIDC: 'true',
      ARM_OIDC_REQUEST_URL: env.SYSTEM_OIDCREQUESTURI,
      ARM_OIDC_REQUEST_TOKEN: options.systemAccessToken,
      ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: connectionId,
      ARM_OIDC_AZURE_SERVICE_CONNECTION_ID: connectionId,
    });
    return result;
  }
  if (scheme === 'ServicePrincipal') {
    if (source.authParameter(connectionId, 'authenticationType') === 'spnCertificate') {
      // TODO: convert the connection's PEM certificate to the PKCS#12 file azurerm expects.
      throw invalidInput(`Terraform cannot use the certificate of service connection "${connectionId}" yet. Use workload identity federation or a client secret for deploys.`);
    }
    const secret = source.authParameter(connectionId, 'serviceprincipalkey');
    if (secret) setSecret(secret);
    set('ARM_CLIENT_SECRET', secret);
    return result;
  }
  if (scheme === 'ManagedServiceIdentity') {
    result.ARM_USE_MSI = 'true';
    return result;
  }
  throw invalidInput(`Service connection "${connectionId}" uses the "${scheme ?? 'unknown'}" authorization scheme, which kvdr does not support.`);
}

export interface GitHubTerraformEnvOptions {
  authMode: string;
  clientId?: string;
  tenantId?: string;
  env: NodeJS.ProcessEnv;
}

/** Returns the azurerm provider's environment for the action's authentication mode. */
export function gitHubTerraformEnv(options: GitHubTerraformEnvOptions): Record<string, string> {
  const { env } = options;
  const mode = resolveAuthMode(options);
  const result: Record<string, string> = {};
  const subscriptionId = env.ARM_SUBSCRIPTION_ID || env.AZURE_SUBSCRIPTION_ID;
  if (subscriptionId) result.ARM_SUBSCRIPTION_ID = subscriptionId;
  if (mode === 'oidc') {
    return {
      ...result,
      ARM_USE_OIDC: 'true',
      ARM_CLIENT_ID: options.clientId ?? '',
      ARM_TENANT_ID: options.tenantId ?? '',
      ARM_OIDC_REQUEST_URL: env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '',
      ARM_OIDC_REQUEST_TOKEN: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '',
    };
  }
  if (mode === 'environment') {
    for (const [from, to] of [
      ['AZURE_CLIENT_ID', 'ARM_CLIENT_ID'],
      ['AZURE_TENANT_ID', 'ARM_TENANT_ID'],
      ['AZURE_CLIENT_SECRET', 'ARM_CLIENT_SECRET'],
      ['AZURE_CLIENT_CERTIFICATE_PATH', 'ARM_CLIENT_CERTIFICATE_PATH'],
      ['AZURE_CLIENT_CERTIFICATE_PASSWORD', 'ARM_CLIENT_CERTIFICATE_PASSWORD'],
    ]) {
      if (env[from]) result[to] = env[from]!;
    }
    return result;
  }
  return { ...result, ARM_USE_CLI: 'true' };
}
