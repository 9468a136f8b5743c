/**
 * Credentials from an Azure Resource Manager service connection in Azure Pipelines: workload
 * identity federation, a service principal with a secret or a certificate, or a managed identity.
 */
import {
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { invalidInput } from '../../core/errors';
import { GuardedCredential, decodeAssertionClaims, identityHostOptions, type AssertionClaims } from './common';

/** Reads a service connection the way azure-pipelines-task-lib exposes it. */
export interface ServiceConnectionSource {
  scheme(connectionId: string): string | undefined;
  authParameter(connectionId: string, key: string): string | undefined;
  dataParameter(connectionId: string, key: string): string | undefined;
}

export interface ServiceConnectionCredentialOptions {
  /** The service connection's id: the value of the `azureSubscription` input. */
  connectionId: string;
  source: ServiceConnectionSource;
  env: NodeJS.ProcessEnv;
  setSecret(value: string): void;
}

/** Returns the job access token: `SYSTEM_ACCESSTOKEN` when mapped, else the SystemVssConnection endpoint's token. */
export function readSystemAccessToken(source: ServiceConnectionSource, env: NodeJS.ProcessEnv): string | undefined {
  return env.SYSTEM_ACCESSTOKEN || source.authParameter('SystemVssConnection', 'AccessToken');
}

/**
 * Builds the credential for a service connection. Every token it issues is masked, and failures
 * name the connection, the scheme and what to fix.
 */
export function createServiceConnectionCredential(options: ServiceConnectionCredentialOptions): TokenCredential {
  const { connectionId, source, env, setSecret } = options;
  const scheme = source.scheme(connectionId);
  if (!scheme) {
    throw invalidInput(
      `Service connection "${connectionId}" has no authorization data. Check that the "azureSubscription" input names an Azure Resource Manager service connection this pipeline is authorized to use.`,
    );
  }
  const clientId = source.authParameter(connectionId, 'serviceprincipalid');
  const tenantId = source.authParameter(connectionId, 'tenantid');
  const hostOptions = identityHostOptions(env, source.dataParameter(connectionId, 'environmentAuthorityUrl'));
  const connection = `service connection "${connectionId}"`;

  switch (scheme) {
    case 'WorkloadIdentityFederation': {
      requireIds(connection, clientId, tenantId);
      const accessToken = readSystemAccessToken(source, env);
      if (!accessToken) {
        throw invalidInput(
          `Workload identity federation needs the job's access token, and neither SYSTEM_ACCESSTOKEN nor the SystemVssConnection endpoint provides one. Map it with "env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)" on the step.`,
        );
      }
      if (!env.SYSTEM_OIDCREQUESTURI) {
        throw invalidInput(
          `Workload identity federation needs SYSTEM_OIDCREQUESTURI, which the Azure Pipelines agent sets for every job. Run the task in an Azure Pipelines job on agent 3.x or later.`,
        );
      }
      setSecret(accessToken);
      const capture = captureOidcToken(env.SYSTEM_OIDCREQUESTURI, setSecret);
      const inner = new AzurePipelinesCredential(tenantId!, clientId!, connectionId, accessToken, {
        ...hostOptions,
        additionalPolicies: [{ policy: capture.policy, position: 'perCall' }],
      });
      return new GuardedCredential(inner, {
        setSecret,
        lastAssertionClaims: capture.lastClaims,
        description: {
          method: `workload identity federation through ${connection}`,
          clientId,
          tenantId,
          remedy: `Check the federated credential of the service connection's app registration, or recreate the service connection.`,
        },
      });
    }
    case 'ServicePrincipal': {
      requireIds(connection, clientId, tenantId);
      const authenticationType = source.authParameter(connectionId, 'authenticationType') ?? 'spnKey';
      const description = {
        clientId,
        tenantId,
        remedy: `Check that the service principal's ${authenticationType === 'spnCertificate' ? 'certificate' : 'secret'} has not expired, or update the service connection.`,
      };
      if (authenticationType === 'spnCertificate') {
        const certificate = source.authParameter(connectionId, 'servicePrincipalCertificate');
        if (!certificate) throw invalidInput(`The ${connection} uses a certificate but provides none. Edit the service connection and upload the certificate again.`);
        setSecret(certificate);
        const inner = new ClientCertificateCredential(tenantId!, clientId!, { certificate }, hostOptions);
        return new GuardedCredential(inner, { setSecret, description: { ...description, method: `the service principal certificate of ${connection}` } });
      }
      const secret = source.authParameter(connectionId, 'serviceprincipalkey');
      if (!secret) throw invalidInput(`The ${connection} uses a client secret but provides none. Edit the service connection and enter the secret again.`);
      setSecret(secret);
      const inner = new ClientSecretCredential(tenantId!, clientId!, secret, hostOptions);
      return new GuardedCredential(inner, { setSecret, description: { ...description, method: `the service principal secret of ${connection}` } });
    }
    case 'ManagedServiceIdentity': {
      // The connection names no client id: the agent machine's system-assigned identity is used.
      const inner = new ManagedIdentityCredential();
      return new GuardedCredential(inner, {
        setSecret,
        description: {
          method: `the agent's managed identity through ${connection}`,
          tenantId,
          remedy: `Run the job on a self-hosted agent in Azure whose managed identity has access to the vaults.`,
        },
      });
    }
    default:
      throw invalidInput(
        `The ${connection} uses the "${scheme}" authorization scheme, which kvdr does not support. Use an Azure Resource Manager service connection with workload identity federation (recommended), a service principal, or a managed identity.`,
      );
  }
}

function requireIds(connection: string, clientId: string | undefined, tenantId: string | undefined): void {
  if (!clientId || !tenantId) {
    throw invalidInput(`The ${connection} has no ${clientId ? 'tenant id' : 'service principal id'}. Edit the service connection and save it again.`);
  }
}

/**
 * A pipeline policy that reads the OIDC token Azure DevOps returns, so it is masked at once and its
 * issuer and subject can be named if Entra ID rejects the exchange. The credential itself keeps the
 * token private, which is why it is read from the response here.
 */
function captureOidcToken(oidcRequestUri: string, setSecret: (value: string) => void): { policy: PipelinePolicy; lastClaims(): AssertionClaims | undefined } {
  let claims: AssertionClaims | undefined;
  const policy: PipelinePolicy = {
    name: 'kvdrCaptureOidcToken',
    async sendRequest(request, next) {
      const response = await next(request);
      if (request.url.startsWith(oidcRequestUri) && response.bodyAsText) {
        try {
          const token = (JSON.parse(response.bodyAsText) as { oidcToken?: unknown }).oidcToken;
          if (typeof token === 'string' && token.length > 0) {
            setSecret(token);
            claims = decodeAssertionClaims(token);
          }
        } catch {
          // The credential reports an unreadable response itself.
        }
      }
      return response;
    },
  };
  return { policy, lastClaims: () => claims };
}
