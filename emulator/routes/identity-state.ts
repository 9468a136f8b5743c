/**
 * Configuration of the emulated workload identities. It covers the Azure DevOps organization that
 * issues OIDC tokens for a service connection, the GitHub repository whose runner issues ID tokens,
 * the App Service-style managed identity, and the federated credentials that the token endpoint
 * matches client assertions against. The defaults make every path work for the emulator's client.
 */
import { X509Certificate, randomBytes, randomUUID } from 'node:crypto';
import { TOKEN_EXCHANGE_AUDIENCE } from './identity-tokens';

/** The issuer of GitHub Actions ID tokens. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** A federated identity credential of an app registration, as Entra ID matches it. */
export interface FederatedCredential {
  /** The application (client) id the credential belongs to. */
  clientId: string;
  /** Issuer the presented token must have, compared exactly. */
  issuer: string;
  /** Subject the presented token must have, compared exactly. */
  subject: string;
  /** Accepted audiences (default `["api://AzureADTokenExchange"]`). */
  audiences?: string[];
}

/** Azure DevOps settings: the organization, project and service connections. */
export interface PipelinesIdentityOptions {
  /** Organization name, used in the subject `sc://<organization>/<project>/<connection>` (default `kvdr-emulator`). */
  organization?: string;
  /** Organization id, used in the issuer `https://vstoken.dev.azure.com/<id>` (default: random). */
  organizationId?: string;
  /** Project name (default `kvdr`). */
  project?: string;
  /** Service connection id to name; the OIDC endpoint accepts these ids only (default: one random id named `kvdr-emulator`). */
  serviceConnections?: Record<string, string>;
  /** The job's access token (`System.AccessToken`) the OIDC endpoint accepts (default: random). */
  systemAccessToken?: string;
}

/** GitHub Actions settings: the repository and the runner's request token. */
export interface GitHubIdentityOptions {
  /** `owner/name` (default `kvdr-emulator/kvdr`). */
  repository?: string;
  /** The `sub` claim (default `repo:<repository>:ref:refs/heads/main`). */
  subject?: string;
  /** The bearer token the ID-token endpoint accepts, `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (default: random). */
  requestToken?: string;
}

/** The App Service-style managed identity. */
export interface ManagedIdentityOptions {
  /** Client id of the identity; requests naming no identity get it too (default: random). */
  clientId?: string;
  /** The `X-IDENTITY-HEADER` value the endpoint accepts, `IDENTITY_HEADER` (default: random). */
  header?: string;
}

/** Identity settings of `startEmulator`; the admin API's `PATCH /identity` takes the same shape. */
export interface IdentityOptions {
  pipelines?: PipelinesIdentityOptions;
  github?: GitHubIdentityOptions;
  managedIdentity?: ManagedIdentityOptions;
  /**
   * Federated credentials. Default: the emulator's client trusts the default service connection's
   * subject and the default GitHub subject. Given, the list replaces the current one.
   */
  federatedCredentials?: FederatedCredential[];
  /** Client id to certificate PEM, for certificate-based client assertions. Given, the map replaces the current one. */
  clientCertificates?: Record<string, string>;
}

/** The identity settings in force, with every default filled in. */
export class IdentityState {
  organization = 'kvdr-emulator';
  organizationId: string = randomUUID();
  project = 'kvdr';
  projectId = randomUUID();
  serviceConnections: Record<string, string> = { [randomUUID()]: 'kvdr-emulator' };
  systemAccessToken = randomBytes(24).toString('base64url');
  repository = 'kvdr-emulator/kvdr';
  private subjectOverride?: string;
  requestToken = randomBytes(24).toString('base64url');
  managedIdentityClientId: string = randomUUID();
  managedIdentityHeader = randomBytes(24).toString('base64url');
  federatedCredentials: FederatedCredential[];
  /** Client id to parsed certificate. */
  clientCertificates = new Map<string, X509Certificate>();

  constructor(
    readonly clientId: string,
    options: IdentityOptions = {},
  ) {
    this.federatedCredentials = [];
    this.update(options);
    if (!options.federatedCredentials) this.federatedCredentials = this.defaultFederatedCredentials();
  }

  /** `https://vstoken.dev.azure.com/<organization id>` */
  get pipelinesIssuer(): string {
    return `https://vstoken.dev.azure.com/${this.organizationId}`;
  }

  get githubSubject(): string {
    return this.subjectOverride ?? `repo:${this.repository}:ref:refs/heads/main`;
  }

  /** Returns the subject Azure DevOps puts in tokens for a service connection. */
  pipelinesSubject(connectionName: string): string {
    return `sc://${this.organization}/${this.project}/${connectionName}`;
  }

  /** Validates every field first, then applies them, so invalid input changes nothing. */
  update(options: IdentityOptions): void {
    const checked = validateIdentityOptions(options);
    const { pipelines, github, managedIdentity } = checked;
    if (pipelines?.organization !== undefined) this.organization = pipelines.organization;
    if (pipelines?.organizationId !== undefined) this.organizationId = pipelines.organizationId;
    if (pipelines?.project !== undefined) this.project = pipelines.project;
    if (pipelines?.serviceConnections !== undefined) this.serviceConnections = { ...pipelines.serviceConnections };
    if (pipelines?.systemAccessToken !== undefined) this.systemAccessToken = pipelines.systemAccessToken;
    if (github?.repository !== undefined) this.repository = github.repository;
    if (github?.subject !== undefined) this.subjectOverride = github.subject;
    if (github?.requestToken !== undefined) this.requestToken = github.requestToken;
    if (managedIdentity?.clientId !== undefined) this.managedIdentityClientId = managedIdentity.clientId;
    if (managedIdentity?.header !== undefined) this.managedIdentityHeader = managedIdentity.header;
    if (checked.federatedCredentials) this.federatedCredentials = checked.federatedCredentials.map((credential) => ({ ...credential }));
    if (checked.certificates) this.clientCertificates = checked.certificates;
  }

  /** The settings as the admin API returns them. */
  snapshot(): IdentityOptions {
    return {
      pipelines: {
        organization: this.organization,
        organizationId: this.organizationId,
        project: this.project,
        serviceConnections: { ...this.serviceConnections },
        systemAccessToken: this.systemAccessToken,
      },
      github: { repository: this.repository, subject: this.githubSubject, requestToken: this.requestToken },
      managedIdentity: { clientId: this.managedIdentityClientId, header: this.managedIdentityHeader },
      federatedCredentials: this.federatedCredentials.map((credential) => ({ ...credential })),
      clientCertificates: Object.fromEntries([...this.clientCertificates].map(([clientId, certificate]) => [clientId, certificate.toString()])),
    };
  }

  private defaultFederatedCredentials(): FederatedCredential[] {
    return [
      ...Object.values(this.serviceConnections).map((name) => ({ clientId: this.clientId, issuer: this.pipelinesIssuer, subject: this.pipelinesSubject(name) })),
      { clientId: this.clientId, issuer: GITHUB_ISSUER, subject: this.githubSubject },
    ];
  }
}

/** Checks identity options and returns them with certificates parsed; throws an `Error` naming the field. */
function validateIdentityOptions(input: unknown): IdentityOptions & { certificates?: Map<string, X509Certificate> } {
  const options = requireObject(input, 'identity options');
  rejectUnknown(options, ['pipelines', 'github', 'managedIdentity', 'federatedCredentials', 'clientCertificates'], 'identity options');
  if (options.pipelines !== undefined) {
    const pipelines = requireObject(options.pipelines, 'pipelines');
    rejectUnknown(pipelines, ['organization', 'organizationId', 'project', 'serviceConnections', 'systemAccessToken'], 'pipelines');
    for (const key of ['organization', 'organizationId', 'project', 'systemAccessToken']) checkText(pipelines, key, 'pipelines');
    if (pipelines.serviceConnections !== undefined) {
      const connections = requireObject(pipelines.serviceConnections, 'pipelines.serviceConnections');
      if (Object.keys(connections).length === 0) throw new Error('pipelines.serviceConnections needs at least one id, such as {"<id>": "prod-connection"}.');
      for (const key of Object.keys(connections)) checkText(connections, key, 'pipelines.serviceConnections');
    }
  }
  if (options.github !== undefined) {
    const github = requireObject(options.github, 'github');
    rejectUnknown(github, ['repository', 'subject', 'requestToken'], 'github');
    for (const key of ['repository', 'subject', 'requestToken']) checkText(github, key, 'github');
    if (typeof github.repository === 'string' && !/^[\w.-]+\/[\w.-]+$/.test(github.repository)) {
      throw new Error(`Invalid github.repository "${github.repository}": use owner/name, such as "contoso/app".`);
    }
  }
  if (options.managedIdentity !== undefined) {
    const managedIdentity = requireObject(options.managedIdentity, 'managedIdentity');
    rejectUnknown(managedIdentity, ['clientId', 'header'], 'managedIdentity');
    for (const key of ['clientId', 'header']) checkText(managedIdentity, key, 'managedIdentity');
  }
  if (options.federatedCredentials !== undefined) {
    if (!Array.isArray(options.federatedCredentials)) throw new Error('federatedCredentials must be a list of {clientId, issuer, subject, audiences?}.');
    options.federatedCredentials.forEach((item: unknown, index: number) => {
      const credential = requireObject(item, `federatedCredentials[${index}]`);
      rejectUnknown(credential, ['clientId', 'issuer', 'subject', 'audiences'], `federatedCredentials[${index}]`);
      for (const key of ['clientId', 'issuer', 'subject']) {
        if (credential[key] === undefined) throw new Error(`federatedCredentials[${index}] is missing "${key}".`);
        checkText(credential, key, `federatedCredentials[${index}]`);
      }
      const audiences = credential.audiences;
      if (audiences !== undefined && (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((entry) => typeof entry === 'string' && entry.length > 0))) {
        throw new Error(`federatedCredentials[${index}].audiences must be a non-empty list of strings, such as ["${TOKEN_EXCHANGE_AUDIENCE}"].`);
      }
    });
  }
  let certificates: Map<string, X509Certificate> | undefined;
  if (options.clientCertificates !== undefined) {
    certificates = new Map();
    for (const [clientId, pem] of Object.entries(requireObject(options.clientCertificates, 'clientCertificates'))) {
      try {
        certificates.set(clientId, new X509Certificate(String(pem)));
      } catch {
        throw new Error(`clientCertificates["${clientId}"] is not a PEM certificate. Pass the certificate (not the private key) as PEM text.`);
      }
    }
  }
  return { ...(options as IdentityOptions), certificates };
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${field} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function rejectUnknown(object: Record<string, unknown>, known: string[], field: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw new Error(`Unknown field "${key}" in ${field}. Known fields: ${known.join(', ')}.`);
  }
}

function checkText(object: Record<string, unknown>, key: string, field: string): void {
  const value = object[key];
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new Error(`Invalid ${field}.${key} ${JSON.stringify(value)}: use a non-empty string.`);
  }
}
