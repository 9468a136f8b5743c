/**
 * A local Azure Key Vault stand-in over HTTPS for tests, the demo and benchmarks: one listener per
 * vault, an Entra ID-compatible token authority and an admin API, all on 127.0.0.1.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorAdmin } from './admin';
import { BackupCodec } from './backup';
import { generateCertificate } from './cert';
import { Router } from './http';
import { caPathFor, removeReadyFile, writeReadyFile } from './ready-file';
import { registerAdminRoutes } from './routes/admin';
import { registerAuthorityRoutes } from './routes/authority';
import { startArm, type ArmOptions, type EmulatorArm } from './routes/arm';
import { startIdentity, type EmulatorIdentity, type IdentityOptions, type StoppableListener } from './routes/identity';
import { HttpsListener, routerHandler } from './server';
import { AuthorityState, EmulatorState, VaultState } from './state';
import type { TransientConflictOptions } from './store';
import { createVaultHandler } from './vault-server';

export { EmulatorAdmin, type SeedSecret } from './admin';
export type { Faults, SecretsRole, ThrottleFaults, FirewallFaults } from './faults';
export type { VaultStatsSnapshot } from './state';
export type { ReadyFile } from './ready-file';
export type { EmulatorIdentity, FederatedCredential, IdentityOptions } from './routes/identity';
export type { ArmOptions, ArmRole, EmulatorArm } from './routes/arm';

export interface EmulatorOptions {
  /** Vault names, for example `['kv-weu', 'kv-neu']`. */
  vaults: string[];
  /** Purge protection for every vault (`true`) or for the named ones. */
  purgeProtection?: boolean | string[];
  /**
   * Transient 409 `ObjectIsBeingDeleted`/`ObjectIsBeingRecovered` after delete, recover and purge,
   * for a number of requests naming the secret or a duration, whichever ends first. Default: none.
   */
  transientConflict?: TransientConflictOptions;
  /** Path of the ready file to write once every listener is up. */
  readyFile?: string;
  /** Azure DevOps, GitHub and managed identity settings; every field has a default. */
  identity?: IdentityOptions;
  /** Subscription, resource group and management-plane roles of the ARM surface. */
  arm?: ArmOptions;
}

export interface Emulator {
  /** Vault name to `https://127.0.0.1:<port>/`. */
  vaults: Record<string, string>;
  adminUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** PEM of the self-signed certificate. */
  ca: string;
  /** The ready file's `env`: what points the Azure SDK and kvdr at this emulator. */
  env: Record<string, string>;
  /** The admin API, in-process. */
  admin: EmulatorAdmin;
  /** The Azure DevOps OIDC, GitHub ID-token and managed identity endpoints. */
  identity: EmulatorIdentity;
  /** The ARM endpoint serving GET and PATCH of each vault resource (`KVDR_ARM_ENDPOINT`). */
  armUrl: string;
  /** Vault name to ARM resource id. */
  resourceIds: Record<string, string>;
  /** The ARM surface: subscription, resource group and management-plane roles. */
  arm: EmulatorArm;
  close(): Promise<void>;
}

/** Vault names the emulator accepts: letters, digits and hyphens, 1-24 characters. */
const VAULT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,23}$/;

/** Starts the emulator. Every listener is up when the promise resolves. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const names = validateVaultNames(options.vaults);
  if (options.readyFile) removeReadyFile(options.readyFile);

  const tls = await generateCertificate();
  const authority = new AuthorityState(randomUUID());
  const clientId = randomUUID();
  const clientSecret = randomBytes(24).toString('base64url');
  authority.clients.set(clientId, clientSecret);

  const state = new EmulatorState(authority);
  const admin = new EmulatorAdmin(state);
  const backups = new BackupCodec();
  const listeners: StoppableListener[] = [];

  try {
    const authorityRouter = new Router();
    registerAuthorityRoutes(authorityRouter, authority);
    const authorityListener = new HttpsListener(tls, routerHandler(authorityRouter));
    listeners.push(authorityListener);
    await authorityListener.listen();
    authority.start(authorityListener.url);

    const adminRouter = new Router();
    registerAdminRoutes(adminRouter, state, admin);
    const adminListener = new HttpsListener(tls, routerHandler(adminRouter));
    listeners.push(adminListener);
    await adminListener.listen();

    const { identity, env: identityEnv } = await startIdentity({ tls, authority, clientId, options: options.identity, listeners, adminRouter });

    const vaultUrls: Record<string, string> = {};
    for (const name of names) {
      const vault = new VaultState(name, {
        purgeProtection: hasPurgeProtection(options.purgeProtection, name),
        transientConflict: options.transientConflict,
        now: () => Math.floor(Date.now() / 1000),
      });
      const listener = new HttpsListener(tls, createVaultHandler(vault, authority, backups));
      listeners.push(listener);
      await listener.listen();
      vault.url = listener.url;
      vault.onOutageChange = (outage) => (outage ? listener.stop() : listener.listen());
      state.vaults.set(name.toLowerCase(), vault);
      vaultUrls[name] = listener.url;
    }
    const { arm, env: armEnv } = await startArm({ tls, state, options: options.arm, listeners, adminRouter });

    const caDirectory = options.readyFile ? undefined : mkdtempSync(join(tmpdir(), 'kvdr-emulator-'));
    const caPath = options.readyFile ? caPathFor(options.readyFile) : join(caDirectory!, 'ca.pem');
    writeFileSync(caPath, tls.cert);

    const env: Record<string, string> = {
      NODE_EXTRA_CA_CERTS: caPath,
      AZURE_TENANT_ID: authority.tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_SECRET: clientSecret,
      AZURE_AUTHORITY_HOST: authority.host,
      KVDR_ALLOW_CUSTOM_HOSTS: '1',
      AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
      ...identityEnv,
      ...armEnv,
    };
    if (options.readyFile) {
      writeReadyFile(options.readyFile, { vaults: vaultUrls, adminUrl: adminListener.url, authorityHost: authority.host, armUrl: arm.url, resourceIds: arm.resourceIds, env, pid: process.pid });
    }

    let closed = false;
    return {
      vaults: vaultUrls,
      adminUrl: adminListener.url,
      authorityHost: authority.host,
      tenantId: authority.tenantId,
      clientId,
      clientSecret,
      ca: tls.cert,
      env,
      admin,
      identity,
      armUrl: arm.url,
      resourceIds: arm.resourceIds,
      arm,
      async close() {
        if (closed) return;
        closed = true;
        await Promise.all(listeners.map((listener) => listener.stop()));
        if (options.readyFile) {
          removeReadyFile(options.readyFile);
          rmSync(caPath, { force: true });
        }
        if (caDirectory) rmSync(caDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.stop()));
    throw error;
  }
}

function validateVaultNames(vaults: string[]): string[] {
  if (!Array.isArray(vaults) || vaults.length === 0) {
    throw new Error('No vaults given. Pass at least one vault name, for example vaults: ["kv-weu"].');
  }
  const seen = new Set<string>();
  for (const name of vaults) {
    if (typeof name !== 'string' || !VAULT_NAME.test(name)) {
      throw new Error(`Invalid vault name "${String(name)}": use 1-24 letters, digits and hyphens, starting with a letter or digit.`);
    }
    if (seen.has(name.toLowerCase())) throw new Error(`Vault name "${name}" is given twice. Vault names are case-insensitive, so give each name once.`);
    seen.add(name.toLowerCase());
  }
  return vaults;
}

function hasPurgeProtection(option: boolean | string[] | undefined, name: string): boolean {
  if (Array.isArray(option)) return option.some((entry) => entry.toLowerCase() === name.toLowerCase());
  return option === true;
}
