/**
 * The request pipeline of one vault listener. Faults that hit every request come first (latency,
 * throttling, resets, 5xx), then challenge-based bearer authentication, the firewall, RBAC,
 * read-only mode, and finally the secrets API.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { BackupCodec } from './backup';
import { KeyVaultHttpError, isRouteMatch, sendKeyVaultError } from './http';
import { authorizeRole, readOnlyError } from './access';
import { createSecretsRouter, WRITE_OPERATIONS } from './routes/secrets';
import type { AuthorityState, VaultState } from './state';
import type { AccessTokenClaims } from './tokens';

/** The resource Key Vault names in its challenge, which tokens must carry as audience. */
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

/** api-version values the emulator serves: the current one and the older ones SDKs still send. */
const API_VERSIONS = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-06-01', '2025-07-01']);

/** Statuses and error codes of injected failures. */
const FAILURE_CODES: Record<number, string> = { 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' };

export function createVaultHandler(vault: VaultState, authority: AuthorityState, backups: BackupCodec): (req: IncomingMessage, res: ServerResponse) => void {
  const router = createSecretsRouter(vault, backups);

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof KeyVaultHttpError) {
        if (!res.headersSent) sendKeyVaultError(res, error);
        return;
      }
      process.stderr.write(`emulator: vault ${vault.name} failed on ${req.method} ${req.url?.split('?')[0]}: ${(error as Error).message}\n`);
      if (!res.headersSent) sendKeyVaultError(res, new KeyVaultHttpError(500, 'InternalServerError', `The emulator failed: ${(error as Error).message}`));
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', vault.url || 'https://127.0.0.1/');
    const match = router.match(req.method ?? 'GET', url.pathname);
    const operation = isRouteMatch(match) ? match.operation : 'unknown';
    const authorization = req.headers.authorization;
    vault.count(authorization ? operation : 'challenge');

    res.setHeader('x-ms-request-id', randomUUID());
    res.setHeader('x-ms-keyvault-service-version', 'kvdr-emulator');
    res.setHeader('x-ms-keyvault-region', 'emulator');

    if (await injectFaults(req, res)) return;

    // Key Vault rejects an unauthenticated request at once, before it reads the body.
    if (!authorization) throw challenge('AKV10000: Request is missing a Bearer or PoP token.');
    const claims = authenticate(authorization);

    const clientAddress = vault.firewall.effectiveAddress(req.socket.remoteAddress);
    res.setHeader('x-ms-keyvault-network-info', `conn_type=Ipv4;addr=${clientAddress};act_addr_fam=InterNetwork;`);
    if (!vault.firewall.allows(clientAddress)) {
      throw new KeyVaultHttpError(
        403,
        'Forbidden',
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${clientAddress}\r\nCaller: appid=${claims.appid};oid=${claims.oid};iss=${claims.iss}\r\nVault: ${vault.name};location=emulator`,
        'ForbiddenByFirewall',
      );
    }

    if (!isRouteMatch(match)) {
      if (match.methodMismatch) throw new KeyVaultHttpError(405, 'MethodNotAllowed', `Method ${req.method} is not allowed on ${url.pathname}.`);
      throw new KeyVaultHttpError(404, 'NotFound', `No operation at ${url.pathname}. The emulator serves the secrets API only.`);
    }

    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) throw new KeyVaultHttpError(400, 'BadParameter', 'The api-version query parameter is missing. Add ?api-version=2025-07-01.');
    if (!API_VERSIONS.has(apiVersion)) {
      throw new KeyVaultHttpError(400, 'BadParameter', `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`);
    }

    authorizeRole(vault, operation, claims, url.pathname);
    if (vault.faults.readOnly && WRITE_OPERATIONS.has(operation)) throw readOnlyError(vault, operation);

    await match.handler({ req, res, url, params: match.params });
  }

  /** Applies latency, throttling, resets and 5xx. Returns true when a fault has already ended the request. */
  async function injectFaults(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const faults = vault.faults;
    const runtime = vault.runtime;
    runtime.requestCount += 1;
    const n = runtime.requestCount;

    if (faults.latencyMs) await delay(faults.latencyMs);

    const throttle = faults.throttle;
    if (throttle) {
      let waitInMs: number | undefined;
      if (throttle.every) {
        if (n % throttle.every === 0) waitInMs = 1000;
      } else if (throttle.limit) {
        waitInMs = runtime.admit(throttle.limit, (throttle.windowSeconds ?? 10) * 1000, Date.now());
      }
      if (waitInMs !== undefined) {
        vault.countThrottled();
        const headers: Record<string, string> = {};
        if (throttle.retryAfter === true) headers['retry-after'] = String(Math.max(1, Math.ceil(waitInMs / 1000)));
        else if (typeof throttle.retryAfter === 'number') headers['retry-after'] = String(throttle.retryAfter);
        sendKeyVaultError(
          res,
          new KeyVaultHttpError(429, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached', undefined, headers),
        );
        return true;
      }
    }

    const reset = (faults.resetEvery && n % faults.resetEvery === 0) || (faults.resetRate && runtime.random() < faults.resetRate);
    if (reset) {
      req.socket.destroy();
      return true;
    }

    const fail = (faults.failEvery && n % faults.failEvery === 0) || (faults.failureRate && runtime.random() < faults.failureRate);
    if (fail) {
      const status = faults.failureStatus ?? 500;
      sendKeyVaultError(res, new KeyVaultHttpError(status, FAILURE_CODES[status], `Injected failure ${status} on request ${n} to vault ${vault.name}.`));
      return true;
    }
    return false;
  }

  function authenticate(authorization: string): AccessTokenClaims {
    const [scheme, token] = authorization.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw challenge('AKV10000: Request is missing a Bearer or PoP token.');
    const result = authority.issuer.verify(token, [KEY_VAULT_RESOURCE, `${KEY_VAULT_RESOURCE}/`]);
    if ('reason' in result) throw challenge(result.reason);
    return result.claims;
  }

  function challenge(message: string): KeyVaultHttpError {
    return new KeyVaultHttpError(401, 'Unauthorized', message, undefined, {
      'www-authenticate': `Bearer authorization="${authority.host}${authority.tenantId}", resource="${KEY_VAULT_RESOURCE}"`,
    });
  }
}
