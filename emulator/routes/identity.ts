/**
 * The endpoints workload identities call before they reach the token endpoint, so no test needs a
 * metadata address. Azure DevOps' OIDC token endpoint (`SYSTEM_OIDCREQUESTURI`) and GitHub's
 * ID-token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`) are served over HTTPS. The App Service-style
 * managed identity endpoint (`IDENTITY_ENDPOINT`) is plain HTTP, as App Service serves it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { TlsMaterial } from '../cert';
import { Router, readBody, sendJson } from '../http';
import { HttpsListener, LISTEN_HOST, routerHandler } from '../server';
import type { AuthorityState } from '../state';
import { createClientAssertionGrant } from './identity-exchange';
import { GITHUB_ISSUER, IdentityState, type IdentityOptions } from './identity-state';
import { IdTokenSigner, TOKEN_EXCHANGE_AUDIENCE } from './identity-tokens';

export { IdentityState, type IdentityOptions, type FederatedCredential } from './identity-state';

/** The api-version App Service's managed identity endpoint serves, and msal-node sends. */
const APP_SERVICE_API_VERSION = '2019-08-01';

/** Path segments of the emulated Azure DevOps plan and job in `SYSTEM_OIDCREQUESTURI`. */
const PLAN_ID = '00000000-0000-4000-8000-00000000a001';
const JOB_ID = '00000000-0000-4000-8000-00000000a002';

/** The emulator's identity endpoints, their credentials and settings. */
export interface EmulatorIdentity {
  /** `SYSTEM_OIDCREQUESTURI`: Azure DevOps' OIDC token endpoint of the emulated job. */
  oidcRequestUri: string;
  /** The job access token the OIDC endpoint accepts (`SYSTEM_ACCESSTOKEN`). */
  systemAccessToken: string;
  /** The default service connection's id, as `AzurePipelinesCredential` takes it. */
  serviceConnectionId: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_URL`: GitHub's ID-token endpoint of the emulated job. */
  idTokenRequestUrl: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  idTokenRequestToken: string;
  /** `IDENTITY_ENDPOINT`: the managed identity endpoint, `http://127.0.0.1:<port>/msi/token`. */
  identityEndpoint: string;
  /** `IDENTITY_HEADER`. */
  identityHeader: string;
  /** Client id of the managed identity. */
  managedIdentityClientId: string;
  /** The settings in force; change them with `update` or the admin API's `PATCH /identity`. */
  state: IdentityState;
  /** Changes identity settings (see `IdentityOptions`). Throws an `Error` naming an invalid field. */
  update(options: IdentityOptions): void;
}

/** Something `startEmulator` stops on close. */
export interface StoppableListener {
  stop(): Promise<void>;
}

/**
 * Starts the identity listeners and connects client assertions to the authority's token endpoint.
 * Returns the endpoints, their standard environment variables, and the listeners to stop.
 */
export async function startIdentity(context: {
  tls: TlsMaterial;
  authority: AuthorityState;
  /** The emulator's default client, which the default federated credentials trust. */
  clientId: string;
  options?: IdentityOptions;
  /** Receives the identity listeners, so the emulator stops them on close. */
  listeners: StoppableListener[];
  /** The admin API's router, which gains `GET /identity` and `PATCH /identity`. */
  adminRouter: Router;
}): Promise<{ identity: EmulatorIdentity; env: Record<string, string> }> {
  const { tls, authority, listeners } = context;
  const state = new IdentityState(context.clientId, context.options);
  const signer = new IdTokenSigner();
  authority.clientAssertionGrant = createClientAssertionGrant(authority, state, signer);
  registerIdentityAdminRoutes(context.adminRouter, state);

  const router = new Router();
  registerIdTokenRoutes(router, state, signer);
  const https = new HttpsListener(tls, routerHandler(router));
  listeners.push(https);
  await https.listen();

  const http = new PlainHttpListener((req, res) => serveManagedIdentity(req, res, authority, state));
  listeners.push(http);
  await http.listen();

  const identity: EmulatorIdentity = {
    oidcRequestUri: `${https.url}${state.organization}/${state.projectId}/_apis/distributedtask/hubs/build/plans/${PLAN_ID}/jobs/${JOB_ID}/oidctoken`,
    idTokenRequestUrl: `${https.url}${state.projectId}/_apis/distributedtask/hubs/Actions/plans/${PLAN_ID}/jobs/${JOB_ID}/idtoken?api-version=2.0`,
    identityEndpoint: `${http.url}msi/token`,
    state,
    get systemAccessToken() {
      return state.systemAccessToken;
    },
    get serviceConnectionId() {
      return Object.keys(state.serviceConnections)[0];
    },
    get idTokenRequestToken() {
      return state.requestToken;
    },
    get identityHeader() {
      return state.managedIdentityHeader;
    },
    get managedIdentityClientId() {
      return state.managedIdentityClientId;
    },
    update: (changes) => state.update(changes),
  };
  const env = {
    SYSTEM_OIDCREQUESTURI: identity.oidcRequestUri,
    SYSTEM_ACCESSTOKEN: state.systemAccessToken,
    ACTIONS_ID_TOKEN_REQUEST_URL: identity.idTokenRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: state.requestToken,
    IDENTITY_ENDPOINT: identity.identityEndpoint,
    IDENTITY_HEADER: state.managedIdentityHeader,
  };
  return { identity, env };
}

function registerIdentityAdminRoutes(router: Router, state: IdentityState): void {
  router
    .add('GET', '/identity', 'getIdentity', ({ res }) => sendJson(res, 200, state.snapshot()))
    .add('PATCH', '/identity', 'updateIdentity', async ({ req, res }) => {
      try {
        const text = await readBody(req);
        state.update(text.trim() ? (JSON.parse(text) as IdentityOptions) : {});
        sendJson(res, 200, state.snapshot());
      } catch (error) {
        const message = error instanceof SyntaxError ? 'The request body is not valid JSON.' : (error as Error).message;
        sendJson(res, 400, { error: { code: 'BadRequest', message } });
      }
    });
}

function registerIdTokenRoutes(router: Router, state: IdentityState, signer: IdTokenSigner): void {
  // Azure DevOps: POST with the job access token; the query names the service connection.
  router.add('POST', '/{organization}/{project}/_apis/distributedtask/hubs/build/plans/{plan}/jobs/{job}/oidctoken', 'oidcToken', ({ req, res, url }) => {
    if (bearerToken(req) !== state.systemAccessToken) {
      sendDevOpsError(res, 401, 'TF400813: The user is not authorized to access this resource. Pass the job access token (System.AccessToken) as the bearer token.');
      return;
    }
    const connectionId = url.searchParams.get('serviceConnectionId') ?? '';
    const connectionName = Object.entries(state.serviceConnections).find(([id]) => id.toLowerCase() === connectionId.toLowerCase())?.[1];
    if (!url.searchParams.get('api-version')) {
      sendDevOpsError(res, 400, 'The api-version query parameter is missing. Add ?api-version=7.1.');
      return;
    }
    // NOTE: the body and status Azure DevOps sends for an unknown service connection are not documented; this is a 404 in its error shape.
    if (!connectionName) {
      sendDevOpsError(res, 404, `Service connection "${connectionId}" was not found in project ${state.project}. Known ids: ${Object.keys(state.serviceConnections).join(', ')}.`);
      return;
    }
    const oidcToken = signer.issue({
      iss: state.pipelinesIssuer,
      sub: state.pipelinesSubject(connectionName),
      aud: TOKEN_EXCHANGE_AUDIENCE,
      extra: { oid: state.organizationId, tid: state.organizationId },
    });
    sendJson(res, 200, { oidcToken });
  });

  // GitHub: GET with the runner's request token; `audience` is appended to the URL by @actions/core.
  router.add('GET', '/{runtime}/_apis/distributedtask/hubs/Actions/plans/{plan}/jobs/{job}/idtoken', 'idToken', ({ req, res, url }) => {
    if (bearerToken(req) !== state.requestToken) {
      sendJson(res, 401, { message: 'Unauthorized: pass ACTIONS_ID_TOKEN_REQUEST_TOKEN as the bearer token.' });
      return;
    }
    const [owner] = state.repository.split('/');
    const value = signer.issue({
      iss: GITHUB_ISSUER,
      sub: state.githubSubject,
      aud: url.searchParams.get('audience') || `https://github.com/${owner}`,
      extra: {
        repository: state.repository,
        repository_owner: owner,
        ref: 'refs/heads/main',
        ref_type: 'branch',
        event_name: 'workflow_dispatch',
        workflow: 'kvdr',
        run_id: '1',
        runner_environment: 'github-hosted',
      },
    });
    sendJson(res, 200, { count: 1, value });
  });
}

/** Handles the App Service managed identity request: GET with `X-IDENTITY-HEADER`, `api-version` and `resource`. */
function serveManagedIdentity(req: IncomingMessage, res: ServerResponse, authority: AuthorityState, state: IdentityState): void {
  const url = new URL(req.url ?? '/', `http://${LISTEN_HOST}/`);
  if (req.method !== 'GET' || url.pathname.replace(/\/$/, '').toLowerCase() !== '/msi/token') {
    sendManagedIdentityError(res, 404, `No managed identity endpoint at ${req.method} ${url.pathname}. Use GET /msi/token.`);
    return;
  }
  if (req.headers['x-identity-header'] !== state.managedIdentityHeader) {
    sendManagedIdentityError(res, 401, 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
    return;
  }
  const apiVersion = url.searchParams.get('api-version');
  if (apiVersion !== APP_SERVICE_API_VERSION) {
    sendManagedIdentityError(res, 400, `Invalid api-version "${apiVersion ?? ''}". Use api-version=${APP_SERVICE_API_VERSION}.`);
    return;
  }
  const resource = url.searchParams.get('resource');
  if (!resource) {
    sendManagedIdentityError(res, 400, 'The resource query parameter is missing, such as resource=https://vault.azure.net.');
    return;
  }
  const requestedId = url.searchParams.get('client_id') ?? url.searchParams.get('object_id') ?? url.searchParams.get('mi_res_id');
  if (requestedId !== null && requestedId.toLowerCase() !== state.managedIdentityClientId.toLowerCase()) {
    sendManagedIdentityError(res, 400, `No managed identity with id "${requestedId}" is assigned to this app. Assigned: client id ${state.managedIdentityClientId}.`);
    return;
  }

  const audience = resource.replace(/\/\.default$/, '');
  const { token, claims } = authority.issuer.issue(state.managedIdentityClientId, audience);
  sendJson(res, 200, {
    access_token: token,
    expires_on: String(claims.exp),
    resource,
    token_type: 'Bearer',
    client_id: state.managedIdentityClientId,
  });
}

function bearerToken(req: IncomingMessage): string | undefined {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/** Azure DevOps' error body: `$id`, `message`, `typeName`, `typeKey`, `errorCode`, `eventId`. */
function sendDevOpsError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { $id: '1', innerException: null, message, typeName: 'Microsoft.VisualStudio.Services.Common.VssServiceException, Microsoft.VisualStudio.Services.Common', typeKey: 'VssServiceException', errorCode: 0, eventId: 3000 });
}

// NOTE: App Service documents the success body of its identity endpoint but not its error body.
// This sends `error` and `message` because msal-node reads those two fields into its error.
function sendManagedIdentityError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { statusCode: status, error: 'invalid_request', message, correlationId: randomUUID() });
}

/** A plain HTTP listener on 127.0.0.1, as App Service's local identity endpoint is. */
class PlainHttpListener implements StoppableListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer(handler);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `http://127.0.0.1:<port>/` */
  get url(): string {
    return `http://${LISTEN_HOST}:${this.port}/`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, LISTEN_HOST, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

