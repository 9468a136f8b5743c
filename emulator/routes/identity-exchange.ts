/**
 * The client-assertion grant of the token endpoint, with Entra ID's responses. An ID token from
 * the emulated Azure DevOps or GitHub is exchanged when its issuer, subject and audience match a
 * federated credential of the client. A JWT the client signed with a registered certificate is
 * exchanged too. Anything else gets Entra's `invalid_client` error naming what was presented.
 */
import { constants, verify, type X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http';
import type { AuthorityState } from '../state';
import { TOKEN_LIFETIME_SECONDS } from '../tokens';
import { sendOAuthError } from './authority';
import type { IdentityState } from './identity-state';
import { IdTokenSigner, TOKEN_EXCHANGE_AUDIENCE, decodeSegment, type IdTokenClaims } from './identity-tokens';

/** The only `client_assertion_type` Entra ID accepts. */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Leeway for clock differences when checking a certificate assertion's times, in seconds. */
const CLOCK_SKEW_SECONDS = 300;

/** Returns the handler the token endpoint calls for a request that carries `client_assertion`. */
export function createClientAssertionGrant(authority: AuthorityState, state: IdentityState, signer: IdTokenSigner): (form: URLSearchParams, res: ServerResponse) => void {
  return (form, res) => {
    const clientId = form.get('client_id') ?? '';
    const assertion = form.get('client_assertion') ?? '';
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      sendOAuthError(res, 400, 'invalid_request', `AADSTS50027: Invalid client_assertion_type "${form.get('client_assertion_type') ?? ''}". Use ${JWT_BEARER}.`, 50027);
      return;
    }
    if (!isKnownClient(authority, state, clientId)) {
      sendOAuthError(res, 400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${authority.tenantId}'.`, 700016);
      return;
    }
    const scope = (form.get('scope') ?? '').split(' ').find((entry) => entry.endsWith('/.default'));
    if (!scope) {
      sendOAuthError(res, 400, 'invalid_scope', 'AADSTS1002012: The scope must be a resource followed by /.default, for example https://vault.azure.net/.default.', 1002012);
      return;
    }

    const header = decodeSegment(assertion.split('.')[0] ?? '');
    const claims = decodeSegment(assertion.split('.')[1] ?? '') as Partial<IdTokenClaims> | undefined;
    if (!header || !claims) {
      sendOAuthError(res, 400, 'invalid_client', 'AADSTS50027: The client assertion is not a well-formed JWT.', 50027);
      return;
    }
    const failure =
      claims.iss === clientId && claims.sub === clientId && !signer.isOwnToken(assertion)
        ? checkCertificateAssertion(authority, state, clientId, assertion, header, claims)
        : checkFederatedAssertion(state, signer, clientId, assertion);
    if (failure) {
      sendOAuthError(res, 400, 'invalid_client', failure.description, failure.code);
      return;
    }

    const { token } = authority.issuer.issue(clientId, scope.slice(0, -'/.default'.length));
    sendJson(res, 200, { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: token });
  };
}

type Failure = { description: string; code: number } | undefined;

function checkFederatedAssertion(state: IdentityState, signer: IdTokenSigner, clientId: string, assertion: string): Failure {
  const check = signer.isOwnToken(assertion) ? signer.verify(assertion) : { reason: 'The assertion was not issued by an issuer this emulator trusts.', claims: decodeSegment(assertion.split('.')[1] ?? '') as Partial<IdTokenClaims> };
  const presented = check.claims ?? {};
  const named = `Assertion Issuer: '${String(presented.iss ?? '')}'. Assertion Subject: '${String(presented.sub ?? '')}'. Assertion Audience: '${String(presented.aud ?? '')}'.`;
  if ('reason' in check) {
    // NOTE: Entra ID's exact code for a bad signature or an expired assertion varies; 700024 is its time-range code.
    return { description: `AADSTS700024: ${check.reason} ${named}`, code: 700024 };
  }
  const { iss, sub, aud } = check.claims;
  const match = state.federatedCredentials.some(
    (credential) =>
      credential.clientId.toLowerCase() === clientId.toLowerCase() &&
      credential.issuer === iss &&
      credential.subject === sub &&
      (credential.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).includes(aud),
  );
  if (!match) return { description: `AADSTS70021: No matching federated identity record found for presented assertion. ${named}`, code: 70021 };
  return undefined;
}

function checkCertificateAssertion(
  authority: AuthorityState,
  state: IdentityState,
  clientId: string,
  assertion: string,
  header: Record<string, unknown>,
  claims: Partial<IdTokenClaims>,
): Failure {
  const certificate = state.clientCertificates.get(clientId);
  if (!certificate) return { description: `AADSTS700027: The client assertion is signed with a key that is not registered for application '${clientId}'. Register its certificate first.`, code: 700027 };
  if (!thumbprintMatches(header, certificate)) {
    return { description: `AADSTS700027: The certificate thumbprint in the client assertion header does not match the certificate registered for application '${clientId}'.`, code: 700027 };
  }
  const [encodedHeader, encodedPayload, signature] = assertion.split('.');
  const key = header.alg === 'PS256' ? { key: certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : certificate.publicKey;
  const signed = (header.alg === 'RS256' || header.alg === 'PS256') && verify('sha256', Buffer.from(`${encodedHeader}.${encodedPayload}`), key, Buffer.from(signature ?? '', 'base64url'));
  if (!signed) return { description: `AADSTS700027: The client assertion failed signature validation for application '${clientId}'.`, code: 700027 };
  const tokenEndpoint = `${authority.host}${authority.tenantId}/oauth2/v2.0/token`;
  if (claims.aud !== tokenEndpoint) {
    return { description: `AADSTS700212: The client assertion audience '${String(claims.aud)}' is not the token endpoint '${tokenEndpoint}'.`, code: 700212 };
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS <= now || (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > now)) {
    return { description: 'AADSTS700024: Client assertion is not within its valid time range.', code: 700024 };
  }
  return undefined;
}

/** Compares `x5t` (SHA-1) or `x5t#S256` (SHA-256), both the base64url bytes of the thumbprint. */
function thumbprintMatches(header: Record<string, unknown>, certificate: X509Certificate): boolean {
  const encode = (fingerprint: string) => Buffer.from(fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
  if (typeof header['x5t#S256'] === 'string') return header['x5t#S256'] === encode(certificate.fingerprint256);
  if (typeof header.x5t === 'string') return header.x5t === encode(certificate.fingerprint);
  return false;
}

function isKnownClient(authority: AuthorityState, state: IdentityState, clientId: string): boolean {
  const id = clientId.toLowerCase();
  return (
    authority.clients.has(clientId) ||
    state.federatedCredentials.some((credential) => credential.clientId.toLowerCase() === id) ||
    [...state.clientCertificates.keys()].some((key) => key.toLowerCase() === id)
  );
}
