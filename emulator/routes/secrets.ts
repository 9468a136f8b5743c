/**
 * The Key Vault secrets REST API of one vault. Authentication and faults are applied before these
 * handlers run (see `vault-server.ts`).
 */
import type { BackupCodec } from '../backup';
import { KeyVaultHttpError, Router, readJson, sendEmpty, sendJson, type RouteRequest } from '../http';
import type { VaultState } from '../state';
import { latest } from '../store';
import { badParameter, validateProperties, validateValue } from '../validate';
import { deletedSecretBundle, deletedSecretItem, secretBundle, secretItem } from '../wire';

/** Page size Key Vault uses when `maxresults` is absent, and the largest it accepts. */
export const DEFAULT_PAGE_SIZE = 25;

/** Operations that change a vault; a read-only vault rejects them. */
export const WRITE_OPERATIONS = new Set(['setSecret', 'updateSecret', 'deleteSecret', 'recoverDeletedSecret', 'purgeDeletedSecret', 'restoreSecret']);

/** Creates the router of one vault's secrets API. Operation names are the spec's operationIds in camelCase. */
export function createSecretsRouter(vault: VaultState, backups: BackupCodec): Router {
  const context = () => ({ vaultUrl: vault.url, recoveryLevel: vault.store.recoveryLevel });
  const store = vault.store;

  return new Router()
    .add('GET', '/secrets', 'getSecrets', ({ res, url }) => {
      const { value, nextLink } = page(store.list(), url, vault.url, '/secrets');
      sendJson(res, 200, { value: value.map((secret) => secretItem(secret, latest(secret), context(), false)), ...(nextLink ? { nextLink } : {}) });
    })
    .add('POST', '/secrets/restore', 'restoreSecret', async ({ req, res }) => {
      const body = await readObject(req);
      if (typeof body.value !== 'string') throw badParameter('The restore body needs "value": a backup blob.');
      const secret = store.restore(backups.decode(body.value));
      sendJson(res, 200, secretBundle(secret, latest(secret), context(), false));
    })
    .add('PUT', '/secrets/{name}', 'setSecret', async ({ req, res, params }) => {
      const body = await readObject(req);
      const value = validateValue(body.value);
      const { secret, version } = store.set(params.name, value, validateProperties(body));
      sendJson(res, 200, secretBundle(secret, version, context(), true));
    })
    .add('DELETE', '/secrets/{name}', 'deleteSecret', ({ res, params }) => {
      sendJson(res, 200, deletedSecretBundle(store.delete(params.name), context()));
    })
    .add('GET', '/secrets/{name}/versions', 'getSecretVersions', ({ res, url, params }) => {
      const secret = store.findSecret(params.name);
      const { value, nextLink } = page(secret.versions, url, vault.url, `/secrets/${encodeURIComponent(params.name)}/versions`);
      sendJson(res, 200, { value: value.map((version) => secretItem(secret, version, context(), true)), ...(nextLink ? { nextLink } : {}) });
    })
    .add('POST', '/secrets/{name}/backup', 'backupSecret', ({ res, params }) => {
      sendJson(res, 200, { value: backups.encode(store.findSecret(params.name)) });
    })
    .add('GET', '/secrets/{name}', 'getSecret', ({ res, params }) => {
      const { secret, version } = store.get(params.name, '');
      sendJson(res, 200, secretBundle(secret, version, context(), true));
    })
    .add('GET', '/secrets/{name}/{version}', 'getSecret', ({ res, params }) => {
      const { secret, version } = store.get(params.name, params.version);
      sendJson(res, 200, secretBundle(secret, version, context(), true));
    })
    .add('PATCH', '/secrets/{name}', 'updateSecret', async (request) => updateSecret(request, ''))
    .add('PATCH', '/secrets/{name}/{version}', 'updateSecret', async (request) => updateSecret(request, request.params.version))
    .add('GET', '/deletedsecrets', 'getDeletedSecrets', ({ res, url }) => {
      const { value, nextLink } = page(store.listDeleted(), url, vault.url, '/deletedsecrets');
      sendJson(res, 200, { value: value.map((entry) => deletedSecretItem(entry, context())), ...(nextLink ? { nextLink } : {}) });
    })
    .add('GET', '/deletedsecrets/{name}', 'getDeletedSecret', ({ res, params }) => {
      sendJson(res, 200, deletedSecretBundle(store.getDeleted(params.name), context()));
    })
    .add('DELETE', '/deletedsecrets/{name}', 'purgeDeletedSecret', ({ res, params }) => {
      store.purge(params.name);
      sendEmpty(res, 204);
    })
    .add('POST', '/deletedsecrets/{name}/recover', 'recoverDeletedSecret', ({ res, params }) => {
      const secret = store.recover(params.name);
      sendJson(res, 200, secretBundle(secret, latest(secret), context(), false));
    });

  async function updateSecret({ req, res, params }: RouteRequest, versionId: string): Promise<void> {
    const body = await readObject(req);
    const { secret, version } = store.update(params.name, versionId, validateProperties(body));
    sendJson(res, 200, secretBundle(secret, version, context(), false));
  }
}

async function readObject(req: RouteRequest['req']): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (error) {
    if (error instanceof SyntaxError) throw badParameter('The request body is not valid JSON.');
    throw badParameter((error as Error).message);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badParameter('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/**
 * Cuts one page from `items`. The position travels in `$skiptoken`, and `nextLink` is absolute,
 * as Key Vault returns it, with the caller's api-version and `maxresults`.
 */
function page<T>(items: readonly T[], url: URL, vaultUrl: string, path: string): { value: T[]; nextLink?: string } {
  const maxText = url.searchParams.get('maxresults');
  let pageSize = DEFAULT_PAGE_SIZE;
  if (maxText !== null && maxText !== '') {
    const parsed = Number(maxText);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > DEFAULT_PAGE_SIZE) {
      throw badParameter(`Invalid maxresults ${maxText}: use a whole number from 1 to ${DEFAULT_PAGE_SIZE}.`);
    }
    pageSize = parsed;
  }
  const offset = decodeSkipToken(url.searchParams.get('$skiptoken'));
  const value = items.slice(offset, offset + pageSize);
  if (offset + pageSize >= items.length) return { value };

  const next = new URL(path.replace(/^\//, ''), vaultUrl);
  next.searchParams.set('api-version', url.searchParams.get('api-version') ?? '');
  next.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ offset: offset + pageSize })).toString('base64url'));
  if (maxText) next.searchParams.set('maxresults', String(pageSize));
  return { value, nextLink: next.toString() };
}

function decodeSkipToken(token: string | null): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // Falls through to the error below.
  }
  throw new KeyVaultHttpError(400, 'BadParameter', 'Invalid $skiptoken. Use the nextLink of the previous page as it is.');
}
