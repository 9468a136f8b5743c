/**
 * The Entra ID stand-in: OpenID Connect discovery and the client-credentials token grant, as MSAL
 * calls them when `disableInstanceDiscovery` is set (no instance discovery request is made).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Router, readBody, sendJson } from '../http';
import type { AuthorityState } from '../state';
import { TOKEN_LIFETIME_SECONDS } from '../tokens';

/** Adds the discovery and token routes to the authority's router. */
export function registerAuthorityRoutes(router: Router, authority: AuthorityState): void {
  const discovery = ({ res, params }: { res: ServerResponse; params: Record<string, string> }) => {
    if (!knownTenant(authority, params.tenant)) {
      sendOAuthError(res, 400, 'invalid_tenant', `AADSTS90002: Tenant '${params.tenant}' not found. Use tenant ${authority.tenantId}.`, 90002);
      return;
    }
    const base = `${authority.host}${authority.tenantId}`;
    sendJson(res, 200, {
      issuer: `${base}/v2.0`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'emulator',
    });
  };

  router
    .add('GET', '/{tenant}/v2.0/.well-known/openid-configuration', 'openidConfiguration', discovery)
    .add('GET', '/{tenant}/.well-known/openid-configuration', 'openidConfiguration', discovery)
    .add('POST', '/{tenant}/oauth2/v2.0/token', 'token', async ({ req, res, params }) => {
      if (!knownTenant(authority, params.tenant)) {
        sendOAuthError(res, 400, 'invalid_request', `AADSTS90002: Tenant '${params.tenant}' not found. Use tenant ${authority.tenantId}.`, 90002);
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      const grantType = form.get('grant_type');
      if (grantType !== 'client_credentials') {
        sendOAuthError(res, 400, 'unsupported_grant_type', `AADSTS70003: The grant type '${grantType}' is not supported. The emulator issues client_credentials tokens.`, 70003);
        return;
      }
      if (form.has('client_assertion') && authority.clientAssertionGrant) {
        authority.clientAssertionGrant(form, res);
        return;
      }
      const clientId = form.get('client_id') ?? '';
      const expectedSecret = authority.clients.get(clientId);
      if (expectedSecret === undefined) {
        sendOAuthError(res, 400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${authority.tenantId}'.`, 700016);
        return;
      }
      if (form.get('client_secret') !== expectedSecret) {
        sendOAuthError(res, 401, 'invalid_client', `AADSTS7000215: Invalid client secret provided for application '${clientId}'.`, 7000215);
        return;
      }
      const scope = (form.get('scope') ?? '').split(' ').find((entry) => entry.endsWith('/.default'));
      if (!scope) {
        sendOAuthError(res, 400, 'invalid_scope', 'AADSTS1002012: The scope must be a resource followed by /.default, for example https://vault.azure.net/.default.', 1002012);
        return;
      }
      const { token } = authority.issuer.issue(clientId, scope.slice(0, -'/.default'.length));
      sendJson(res, 200, {
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
        ext_expires_in: TOKEN_LIFETIME_SECONDS,
        access_token: token,
      });
    });
}

function knownTenant(authority: AuthorityState, tenant: string): boolean {
  return tenant.toLowerCase() === authority.tenantId.toLowerCase();
}

export function sendOAuthError(res: ServerResponse, status: number, error: string, description: string, code: number): void {
  sendJson(res, status, {
    error,
    error_description: description,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}
