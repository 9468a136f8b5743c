/**
 * Access tokens the emulator's token endpoint issues and its vaults accept: JWTs signed with
 * HS256 and a key generated at start, so a token from any other issuer (or another emulator run)
 * fails verification.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Claims the emulator puts in, and reads from, an access token. */
export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  /** The client (application) id the token was issued to. */
  appid: string;
  azp: string;
  oid: string;
  /** Unix seconds. */
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

/** Lifetime of issued tokens, in seconds. */
export const TOKEN_LIFETIME_SECONDS = 3600;

export class TokenIssuer {
  private readonly key = randomBytes(32);

  constructor(
    readonly tenantId: string,
    readonly issuer: string,
  ) {}

  /** Issues a token for `clientId` with audience `audience` (the scope without `/.default`). */
  issue(clientId: string, audience: string, nowInSeconds = Math.floor(Date.now() / 1000)): { token: string; claims: AccessTokenClaims } {
    const claims: AccessTokenClaims = {
      aud: audience,
      iss: this.issuer,
      tid: this.tenantId,
      appid: clientId,
      azp: clientId,
      oid: objectIdFor(clientId),
      iat: nowInSeconds,
      nbf: nowInSeconds - 300,
      exp: nowInSeconds + TOKEN_LIFETIME_SECONDS,
      jti: randomUUID(),
    };
    const header = base64UrlJson({ alg: 'HS256', typ: 'JWT' });
    const payload = base64UrlJson(claims);
    const signature = this.sign(`${header}.${payload}`);
    return { token: `${header}.${payload}.${signature}`, claims };
  }

  /**
   * Verifies a bearer token. Returns its claims, or a reason in Key Vault's words when the token
   * is malformed, signed by someone else, expired or for another audience.
   */
  verify(token: string, audiences: string[], nowInSeconds = Math.floor(Date.now() / 1000)): { claims: AccessTokenClaims } | { reason: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { reason: 'AKV10000: Request is missing a Bearer or PoP token.' };
    const [header, payload, signature] = parts;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      return { reason: 'AKV10032: Invalid issuer or signature. The token was not issued by this tenant.' };
    }
    let claims: AccessTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
    } catch {
      return { reason: 'AKV10000: The token payload is not valid JSON.' };
    }
    if (!audiences.includes(claims.aud)) return { reason: `AKV10022: Invalid audience. Expected ${audiences[0]}, found: ${claims.aud}.` };
    if (claims.exp <= nowInSeconds) return { reason: 'AKV10032: The token is expired.' };
    return { claims };
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

/** Derives a stable object id per client id, so RBAC messages can name `oid` like Key Vault does. */
function objectIdFor(clientId: string): string {
  const hex = createHmac('sha256', 'kvdr-emulator-oid').update(clientId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
