/**
 * The HTTP admin API: faults, request counts, seeding and clients, mirroring `EmulatorAdmin`.
 * Errors are `{"error": {"code", "message"}}` with 400 for invalid input and 404 for an unknown vault.
 */
import type { ServerResponse } from 'node:http';
import type { EmulatorAdmin, SeedSecret } from '../admin';
import type { Faults } from '../faults';
import { Router, readJson, sendEmpty, sendJson, type RouteRequest } from '../http';
import type { EmulatorState } from '../state';

export function registerAdminRoutes(router: Router, state: EmulatorState, admin: EmulatorAdmin): void {
  const withVault =
    (handler: (request: RouteRequest, vault: string) => Promise<void> | void) =>
    async (request: RouteRequest): Promise<void> => {
      const name = request.params.vault;
      if (!state.vaults.has(name.toLowerCase())) {
        sendAdminError(request.res, 404, 'VaultNotFound', `Unknown vault "${name}". Known vaults: ${[...state.vaults.values()].map((v) => v.name).join(', ')}.`);
        return;
      }
      try {
        await handler(request, name);
      } catch (error) {
        sendAdminError(request.res, 400, 'BadRequest', (error as Error).message);
      }
    };

  router
    .add('GET', '/health', 'health', ({ res }) => sendJson(res, 200, { status: 'ok' }))
    .add('GET', '/vaults', 'listVaults', ({ res }) => {
      sendJson(res, 200, Object.fromEntries([...state.vaults.values()].map((vault) => [vault.name, vault.url])));
    })
    .add('GET', '/vaults/{vault}/faults', 'getFaults', withVault(({ res }, vault) => sendJson(res, 200, admin.faults(vault))))
    .add('PUT', '/vaults/{vault}/faults', 'setFaults', withVault(async ({ req, res }, vault) => {
      await admin.setFaults(vault, (await readJsonOrThrow(req)) as Faults);
      sendJson(res, 200, admin.faults(vault));
    }))
    .add('DELETE', '/vaults/{vault}/faults', 'clearFaults', withVault(async ({ res }, vault) => {
      await admin.clearFaults(vault);
      sendEmpty(res, 204);
    }))
    .add('GET', '/vaults/{vault}/stats', 'stats', withVault(({ res }, vault) => sendJson(res, 200, admin.stats(vault))))
    .add('DELETE', '/vaults/{vault}/stats', 'resetStats', withVault(({ res }, vault) => {
      admin.resetStats(vault);
      sendEmpty(res, 204);
    }))
    .add('POST', '/vaults/{vault}/seed', 'seed', withVault(async ({ req, res }, vault) => {
      const seeded = admin.seed(vault, (await readJsonOrThrow(req)) as SeedSecret[]);
      sendJson(res, 200, { seeded });
    }))
    .add('GET', '/vaults/{vault}/secrets/{name}/version-count', 'versionCount', withVault(({ res, params }, vault) => {
      sendJson(res, 200, { count: admin.versionCount(vault, params.name) });
    }))
    .add('POST', '/clients', 'registerClient', async ({ req, res }) => {
      try {
        const body = (await readJsonOrThrow(req)) as { clientId?: string; clientSecret?: string } | undefined;
        admin.registerClient(body?.clientId ?? '', body?.clientSecret ?? '');
        sendEmpty(res, 204);
      } catch (error) {
        sendAdminError(res, 400, 'BadRequest', (error as Error).message);
      }
    });
}

async function readJsonOrThrow(req: RouteRequest['req']): Promise<unknown> {
  try {
    return await readJson(req);
  } catch {
    throw new Error('The request body is not valid JSON.');
  }
}

function sendAdminError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}
