/**
 * The slice of Azure Resource Manager that DR drills need: GET and PATCH of a vault resource
 * (`networkAcls`, `publicNetworkAccess`, tags) and the caller's permissions on it, over HTTPS with
 * bearer tokens for the management audience from the emulator's token endpoint.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TlsMaterial } from '../cert';
import { Router, isRouteMatch, readJson, sendJson, type RouteRequest } from '../http';
import { HttpsListener, LISTEN_HOST } from '../server';
import type { EmulatorState, VaultState } from '../state';
import type { AccessTokenClaims } from '../tokens';
import { ArmState, VAULT_READ_ACTION, VAULT_WRITE_ACTION, roleActions, roleAllows, type ArmOptions, type ArmRole } from './arm-state';
import { VaultPatchError, applyVaultPatch, parseVaultPatch, vaultResource } from './arm-vault';
import type { StoppableListener } from './identity';

export type { ArmOptions, ArmRole } from './arm-state';

/** Audiences ARM accepts in a bearer token. */
const MANAGEMENT_AUDIENCES = ['https://management.azure.com', 'https://management.azure.com/', 'https://management.core.windows.net', 'https://management.core.windows.net/'];

// NOTE: the list of older api-versions is from memory of Key Vault's published versions, not checked
// against the provider; 2025-05-01 is the version the emulator's responses are validated against.
const API_VERSIONS = ['2019-09-01', '2021-10-01', '2022-07-01', '2023-02-01', '2023-07-01', '2024-11-01', '2025-05-01'];

/** The authenticated caller of each request, set before its route runs. */
const callers = new WeakMap<IncomingMessage, AccessTokenClaims>();

const VAULT_PATH = '/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault}';

/** The emulator's ARM endpoint, and what a caller needs to address its vaults. */
export interface EmulatorArm {
  /** `https://127.0.0.1:<port>/`, the `KVDR_ARM_ENDPOINT`. */
  url: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Vault name to ARM resource id. */
  resourceIds: Record<string, string>;
  /** Sets the management-plane role per client id; `undefined` lets every principal read and write. */
  setRoles(roles: Record<string, ArmRole> | undefined): void;
}

/** An ARM error: `{"error": {"code", "message"}}` with the status. */
class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Starts the ARM listener and adds `GET /arm` and `PUT /arm/roles` to the admin API. Returns the
 * endpoint and `KVDR_ARM_ENDPOINT` for the ready file's env.
 */
export async function startArm(context: {
  tls: TlsMaterial;
  state: EmulatorState;
  options?: ArmOptions;
  listeners: StoppableListener[];
  adminRouter: Router;
}): Promise<{ arm: EmulatorArm; env: Record<string, string> }> {
  const { state } = context;
  const arm = new ArmState(context.options);
  const router = new Router();
  registerVaultRoutes(router, state, arm);

  const listener = new HttpsListener(context.tls, (req, res) => handle(req, res, router, state).catch((error: unknown) => sendArmError(res, toArmError(error))));
  context.listeners.push(listener);
  await listener.listen();

  const resourceIds = Object.fromEntries([...state.vaults.values()].map((vault) => [vault.name, arm.resourceId(vault.name)]));
  const emulatorArm: EmulatorArm = {
    url: listener.url,
    subscriptionId: arm.subscriptionId,
    resourceGroup: arm.resourceGroup,
    resourceIds,
    setRoles: (roles) => arm.setRoles(roles),
  };
  registerArmAdminRoutes(context.adminRouter, arm, emulatorArm);
  return { arm: emulatorArm, env: { KVDR_ARM_ENDPOINT: listener.url } };
}

async function handle(req: IncomingMessage, res: ServerResponse, router: Router, state: EmulatorState): Promise<void> {
  const url = new URL(req.url ?? '/', `https://${LISTEN_HOST}/`);
  res.setHeader('x-ms-request-id', randomUUID());
  res.setHeader('x-ms-correlation-request-id', String(req.headers['x-ms-correlation-request-id'] ?? randomUUID()));

  const claims = authenticate(req, state);
  const match = router.match(req.method ?? 'GET', url.pathname);
  if (!isRouteMatch(match)) {
    if (match.methodMismatch) throw new ArmError(405, 'MethodNotAllowed', `The emulator's ARM surface does not serve ${req.method} ${url.pathname}. It serves GET and PATCH of a vault.`);
    throw new ArmError(404, 'InvalidResourceType', `No resource at ${url.pathname}. The emulator serves ${VAULT_PATH}.`);
  }
  const apiVersion = url.searchParams.get('api-version');
  if (!apiVersion) throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  callers.set(req, claims);
  await match.handler({ req, res, url, params: match.params });
}

function registerVaultRoutes(router: Router, state: EmulatorState, arm: ArmState): void {
  const claimsOf = (req: IncomingMessage): AccessTokenClaims => {
    const claims = callers.get(req);
    if (!claims) throw new Error('The request reached a route before authentication.');
    return claims;
  };

  router
    .add('GET', VAULT_PATH, 'getVault', ({ req, res, url, params }) => {
      checkApiVersion(url);
      const vault = findVault(state, arm, params);
      authorize(arm, claimsOf(req), VAULT_READ_ACTION, arm.resourceId(vault.name));
      sendJson(res, 200, vaultResource(vault, arm, state.authority.tenantId));
    })
    .add('PATCH', VAULT_PATH, 'updateVault', async ({ req, res, url, params }) => {
      checkApiVersion(url);
      const vault = findVault(state, arm, params);
      const claims = claimsOf(req);
      authorize(arm, claims, VAULT_WRITE_ACTION, arm.resourceId(vault.name));
      let body: unknown;
      try {
        body = await readJson(req);
      } catch {
        throw new ArmError(400, 'InvalidRequestContent', 'The request content is not valid JSON. Send a VaultPatchParameters object such as {"properties": {"publicNetworkAccess": "Disabled"}}.');
      }
      applyVaultPatch(vault, arm, parseVaultPatch(body), claims.appid);
      sendJson(res, 200, vaultResource(vault, arm, state.authority.tenantId));
    })
    .add('GET', `${VAULT_PATH}/providers/Microsoft.Authorization/permissions`, 'listPermissions', ({ req, res, params }) => {
      findVault(state, arm, params);
      const role = arm.roleOf(claimsOf(req).appid);
      const value = role ? [{ ...roleActions(role), dataActions: [], notDataActions: [] }] : [];
      sendJson(res, 200, { value });
    });
}

function registerArmAdminRoutes(router: Router, arm: ArmState, emulatorArm: EmulatorArm): void {
  router
    .add('GET', '/arm', 'getArm', ({ res }) => {
      sendJson(res, 200, { url: emulatorArm.url, subscriptionId: arm.subscriptionId, resourceGroup: arm.resourceGroup, resourceIds: emulatorArm.resourceIds, roles: arm.roles ?? null });
    })
    .add('PUT', '/arm/roles', 'setArmRoles', async ({ req, res }: RouteRequest) => {
      try {
        const body = await readJson(req);
        arm.setRoles(body === undefined || body === null ? undefined : (body as Record<string, ArmRole>));
        sendJson(res, 200, { roles: arm.roles ?? null });
      } catch (error) {
        const message = error instanceof SyntaxError ? 'The request body is not valid JSON.' : (error as Error).message;
        sendJson(res, 400, { error: { code: 'BadRequest', message } });
      }
    });
}

/** Verifies the bearer token as ARM does: 401 without one, for another audience, or not from this tenant. */
function authenticate(req: IncomingMessage, state: EmulatorState): AccessTokenClaims {
  const authority = state.authority;
  const challenge = (description: string) => ({
    'www-authenticate': `Bearer authorization_uri="${authority.host}${authority.tenantId}", error="invalid_token", error_description="${description}"`,
  });
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  if (!req.headers.authorization) {
    throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", challenge("The authentication failed because of missing 'Authorization' header."));
  }
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is not a bearer token.", challenge('The access token is missing or malformed.'));
  }
  const result = authority.issuer.verify(token, MANAGEMENT_AUDIENCES);
  if ('claims' in result) return result.claims;
  if (result.reason.startsWith('AKV10022')) {
    const audience = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).aud as string;
    throw new ArmError(
      401,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences '${MANAGEMENT_AUDIENCES.join("','")}'.`,
      challenge('The access token has the wrong audience.'),
    );
  }
  throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', challenge('The access token is invalid or expired.'));
}

function authorize(arm: ArmState, claims: AccessTokenClaims, action: string, scope: string): void {
  if (roleAllows(arm.roleOf(claims.appid), action)) return;
  throw new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${claims.appid}' with object id '${claims.oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

function checkApiVersion(url: URL): void {
  const apiVersion = url.searchParams.get('api-version') ?? '';
  if (!API_VERSIONS.includes(apiVersion)) {
    throw new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${apiVersion}' is invalid. The supported versions are '${API_VERSIONS.join(',')}'.`,
    );
  }
}

function findVault(state: EmulatorState, arm: ArmState, params: Record<string, string>): VaultState {
  if (params.subscription.toLowerCase() !== arm.subscriptionId.toLowerCase()) {
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${params.subscription}' could not be found. The emulator's subscription is ${arm.subscriptionId}.`);
  }
  if (params.group.toLowerCase() !== arm.resourceGroup.toLowerCase()) {
    throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${params.group}' could not be found. The emulator's vaults are in ${arm.resourceGroup}.`);
  }
  const vault = state.vaults.get(params.vault.toLowerCase());
  if (!vault) {
    throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/vaults/${params.vault}' under resource group '${params.group}' was not found.`);
  }
  return vault;
}

function toArmError(error: unknown): ArmError {
  if (error instanceof ArmError) return error;
  if (error instanceof VaultPatchError) return new ArmError(400, 'BadRequest', error.message);
  return new ArmError(500, 'InternalServerError', `The emulator failed: ${(error as Error).message}`);
}

function sendArmError(res: ServerResponse, error: ArmError): void {
  if (!res.headersSent) sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}
