/**
 * ID tokens of the emulated external identity providers (Azure DevOps and GitHub Actions), which
 * a workload presents to the token endpoint as a client assertion. They are JWTs signed with
 * HS256 and a key generated at start, so the token endpoint accepts only tokens this emulator run
 * issued.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** The audience Microsoft Entra ID expects in a token exchanged through a federated credential. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Lifetime of issued ID tokens, in seconds (GitHub's and Azure DevOps' last minutes, not hours). */
export const ID_TOKEN_LIFETIME_SECONDS = 600;

/** Claims every issued ID token has; providers add their own (`repository`, `ref`, ...). */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  /** Unix seconds. */
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  [claim: string]: unknown;
}

/** The result of checking a presented ID token. */
export type IdTokenCheck =
  | { claims: IdTokenClaims }
  /** `claims` is set when the token could be decoded, so the caller can name its issuer and subject. */
  | { reason: string; claims?: Partial<IdTokenClaims> };

export class IdTokenSigner {
  private readonly key = randomBytes(32);
  /** Key id in the token header, which distinguishes this run's tokens from another run's. */
  readonly keyId = randomUUID();

  /** Issues a token with the standard claims and the provider's `extra` claims. */
  issue(claims: { iss: string; sub: string; aud: string; extra?: Record<string, unknown> }, nowInSeconds = Math.floor(Date.now() / 1000)): string {
    const payload: IdTokenClaims = {
      ...claims.extra,
      jti: randomUUID(),
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      nbf: nowInSeconds - 5,
      iat: nowInSeconds,
      exp: nowInSeconds + ID_TOKEN_LIFETIME_SECONDS,
    };
    const header = base64UrlJson({ alg: 'HS256', typ: 'JWT', kid: this.keyId });
    const body = base64UrlJson(payload);
    return `${header}.${body}.${this.sign(`${header}.${body}`)}`;
  }

  /** Returns whether the token's header names this signer's key; the signature is not checked. */
  isOwnToken(token: string): boolean {
    const header = decodeSegment(token.split('.')[0] ?? '');
    return header?.kid === this.keyId;
  }

  /** Checks the signature and the time window of a token this signer issued. */
  verify(token: string, nowInSeconds = Math.floor(Date.now() / 1000)): IdTokenCheck {
    const parts = token.split('.');
    const claims = decodeSegment(parts[1] ?? '') as Partial<IdTokenClaims> | undefined;
    if (parts.length !== 3 || !claims) return { reason: 'The client assertion is not a well-formed JWT.' };
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const actual = Buffer.from(parts[2]);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      return { reason: 'The client assertion failed signature validation.', claims };
    }
    if (typeof claims.exp !== 'number' || claims.exp <= nowInSeconds || (typeof claims.nbf === 'number' && claims.nbf > nowInSeconds + 300)) {
      return { reason: 'The client assertion is not within its valid time range.', claims };
    }
    return { claims: claims as IdTokenClaims };
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

/** Decodes one base64url JSON segment of a JWT, or returns `undefined`. */
export function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
