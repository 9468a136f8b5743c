/**
 * Credential parts every front end shares: options for custom (emulator or proxy) hosts, masking
 * of every access token, and readable messages when Microsoft Entra ID rejects a token exchange.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { EngineError, describeError, isEngineError } from '../../core/errors';
import { customHostsAllowed } from '../../core/vault/url';

/** The `@azure/identity` options that point a credential at a custom authority. */
export interface IdentityHostOptions {
  authorityHost?: string;
  disableInstanceDiscovery?: boolean;
}

/**
 * Returns identity options for the environment. With `KVDR_ALLOW_CUSTOM_HOSTS=1`, Entra instance
 * discovery is disabled (it would call login.microsoftonline.com) and `AZURE_AUTHORITY_HOST` is
 * honoured; otherwise `fallbackAuthorityHost` (a service connection's cloud) or the SDK default.
 */
export function identityHostOptions(env: NodeJS.ProcessEnv, fallbackAuthorityHost?: string): IdentityHostOptions {
  if (customHostsAllowed(env)) {
    const authorityHost = env.AZURE_AUTHORITY_HOST || fallbackAuthorityHost;
    return { disableInstanceDiscovery: true, ...(authorityHost ? { authorityHost } : {}) };
  }
  return fallbackAuthorityHost ? { authorityHost: fallbackAuthorityHost } : {};
}

/** The claims of a presented token that Entra ID matches against a federated credential. */
export interface AssertionClaims {
  issuer?: string;
  subject?: string;
  audience?: string;
}

/**
 * Decodes the issuer, subject and audience of a JWT without verifying it. Only these claims are
 * returned, so a caller can print them; the token itself must never be printed.
 */
export function decodeAssertionClaims(token: string): AssertionClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const audience = Array.isArray(claims.aud) ? claims.aud.join(', ') : claims.aud;
    return {
      issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
      subject: typeof claims.sub === 'string' ? claims.sub : undefined,
      audience: typeof audience === 'string' ? audience : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Describes a credential for error messages, such as `workload identity federation (service connection "prod")`. */
export interface CredentialDescription {
  /** The authentication method, in words. */
  method: string;
  clientId?: string;
  tenantId?: string;
  /** The fix to suggest when Entra ID rejects the credential. */
  remedy: string;
}

export interface GuardedCredentialOptions {
  description: CredentialDescription;
  /** Registers a value with the host's masking; every access token passes through it. */
  setSecret(value: string): void;
  /** Returns the claims of the last assertion presented, for a rejected federated exchange. */
  lastAssertionClaims?(): AssertionClaims | undefined;
}

/**
 * Wraps a credential so that every access token is masked as soon as it is issued, and every
 * failure becomes an `unauthorized` EngineError naming the method, client, tenant, the claims
 * presented (for federated credentials) and what to fix.
 */
export class GuardedCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly options: GuardedCredentialOptions,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    let token: AccessToken | null;
    try {
      token = await this.inner.getToken(scopes, options);
    } catch (error) {
      throw this.describeFailure(error);
    }
    if (!token) throw this.describeFailure(new Error('The credential returned no token.'));
    this.options.setSecret(token.token);
    return token;
  }

  private describeFailure(error: unknown): EngineError {
    if (isEngineError(error)) return error;
    const { method, clientId, tenantId, remedy } = this.options.description;
    const identity = [clientId && `client ${clientId}`, tenantId && `tenant ${tenantId}`].filter(Boolean).join(', ');
    const parts = [`Authentication with ${method}${identity ? ` (${identity})` : ''} failed: ${compactMessage(describeError(error))}`];
    const claims = this.options.lastAssertionClaims?.();
    if (claims) {
      parts.push(
        `The token presented to Microsoft Entra ID has issuer "${claims.issuer ?? 'unknown'}", subject "${claims.subject ?? 'unknown'}" and audience "${claims.audience ?? 'unknown'}". A federated credential on the app registration must match the issuer and subject exactly.`,
      );
    }
    parts.push(remedy);
    return new EngineError('unauthorized', parts.join(' '), { cause: error });
  }
}

/** SDK messages span lines and can be long; the result status line keeps one line of at most this length. */
const MAX_CAUSE_LENGTH = 600;

function compactMessage(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_CAUSE_LENGTH ? oneLine.slice(0, MAX_CAUSE_LENGTH) + '...' : oneLine;
}
