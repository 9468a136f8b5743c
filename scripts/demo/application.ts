/**
 * The applications of the demo: they write and read secrets with a plain `SecretClient`, as
 * services do, trusting the emulator's certificate and signing in at its token endpoint.
 */
import { createHash } from 'node:crypto';

import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

import type { Emulator } from '../../emulator/index';
import type { DemoWrite } from './estate';

/** Secret clients for the emulator's vaults, created on first use. */
export class DemoApplication {
  private readonly credential: ClientSecretCredential;
  private readonly clients = new Map<string, SecretClient>();

  constructor(private readonly emulator: Emulator) {
    this.credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emulator.ca },
    });
  }

  client(vault: string): SecretClient {
    let client = this.clients.get(vault);
    if (client === undefined) {
      const url = this.emulator.vaults[vault];
      if (url === undefined) throw new Error(`Unknown demo vault "${vault}".`);
      client = new SecretClient(url, this.credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: this.emulator.ca } });
      this.clients.set(vault, client);
    }
    return client;
  }

  /** Writes a new version and returns its `createdOn` in Unix seconds. */
  async write(write: DemoWrite): Promise<number> {
    const secret = await this.client(write.vault).setSecret(write.name, write.value, { contentType: write.contentType, tags: write.tags });
    return Math.floor((secret.properties.createdOn?.getTime() ?? Date.now()) / 1000);
  }

  /** Soft-deletes a secret and waits until Key Vault reports it deleted. */
  async softDelete(vault: string, name: string): Promise<void> {
    const poller = await this.client(vault).beginDeleteSecret(name, { intervalInMs: 100 });
    await poller.pollUntilDone();
  }

  /** SHA-256 of a secret's current value, so the demo can compare values without printing them. */
  async valueHash(vault: string, name: string): Promise<string> {
    const secret = await this.client(vault).getSecret(name);
    return createHash('sha256').update(secret.value ?? '').digest('hex');
  }
}

/** SHA-256 of a value, as {@link DemoApplication.valueHash} computes it. */
export function hashValue(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Checks outputs for seeded values. It never prints a value: a finding names only the output and
 * how many values it contained.
 */
export class LeakGuard {
  private readonly needles: string[];

  constructor(values: readonly string[]) {
    this.needles = [...new Set(values.filter((value) => value.length >= 12))];
  }

  /** Throws when any of `texts` contains a seeded value. */
  check(label: string, ...texts: string[]): void {
    const found = this.needles.filter((needle) => texts.some((text) => text.includes(needle))).length;
    if (found > 0) throw new Error(`${found} seeded secret value(s) appeared in ${label}. The demo stops here; the output is not shown, because it contains secrets.`);
  }

  get size(): number {
    return this.needles.length;
  }
}
