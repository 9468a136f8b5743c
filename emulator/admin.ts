/**
 * The emulator's admin operations, in-process. The HTTP admin API (`routes/admin.ts`) calls the
 * same methods, so tests can use either form.
 */
import type { Faults } from './faults';
import type { EmulatorState, VaultStatsSnapshot } from './state';
import { validateProperties, validateSecretName, validateValue } from './validate';

/** One secret to seed. Times are Unix seconds; `createdOn` places the version in the past. */
export interface SeedSecret {
  name: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  expiresOn?: number;
  notBefore?: number;
  /** Seeds a certificate-backed secret: it lists and reads like a secret but rejects set and update. */
  managed?: boolean;
  createdOn?: number;
}

export class EmulatorAdmin {
  constructor(private readonly state: EmulatorState) {}

  /** Replaces a vault's faults (see `Faults`). Throws an `Error` naming an invalid field. */
  async setFaults(vault: string, faults: Faults): Promise<void> {
    await this.state.vault(vault).setFaults(faults);
  }

  /** Removes every fault of a vault, including its firewall rules. */
  async clearFaults(vault: string): Promise<void> {
    await this.state.vault(vault).clearFaults();
  }

  faults(vault: string): Faults {
    return this.state.vault(vault).faults;
  }

  stats(vault: string): VaultStatsSnapshot {
    return this.state.vault(vault).snapshot();
  }

  resetStats(vault: string): void {
    this.state.vault(vault).resetStats();
  }

  /**
   * Writes secrets directly into a vault's store, bypassing authentication, faults and request
   * counts. Each item becomes a new version. Every item is checked with Key Vault's rules before
   * the first write, so an invalid batch writes nothing.
   */
  seed(vault: string, secrets: SeedSecret[]): number {
    const target = this.state.vault(vault);
    if (!Array.isArray(secrets)) throw new Error('Seed input must be a JSON array of secrets.');
    const prepared = secrets.map((item, index) => {
      if (typeof item !== 'object' || item === null || typeof item.name !== 'string') {
        throw new Error(`Seed item ${index} needs a "name" string.`);
      }
      try {
        validateSecretName(item.name);
        if (target.store.isUnavailable(item.name)) throw new Error('the name is soft-deleted; purge it or seed another name');
        if (target.store.isManaged(item.name) && !item.managed) throw new Error('the secret backs a certificate; seed it with managed: true');
        const value = validateValue(item.value);
        const properties = validateProperties({
          contentType: item.contentType,
          tags: item.tags,
          attributes: { enabled: item.enabled, nbf: item.notBefore, exp: item.expiresOn },
        });
        if (item.createdOn !== undefined && (!Number.isInteger(item.createdOn) || item.createdOn < 0)) {
          throw new Error('createdOn must be a time in whole Unix seconds');
        }
        return { item, value, properties };
      } catch (error) {
        throw new Error(`Seed item ${index} (${item.name}) is invalid: ${(error as Error).message}`);
      }
    });
    for (const { item, value, properties } of prepared) {
      target.store.set(item.name, value, properties, { managed: item.managed === true, createdOn: item.createdOn, seed: true });
    }
    return prepared.length;
  }

  /** Versions stored under a name, active or soft-deleted; 0 when the name is unknown. */
  versionCount(vault: string, name: string): number {
    return this.state.vault(vault).store.versionCount(name);
  }

  /** Registers another client (service principal) the token endpoint accepts, for RBAC tests. */
  registerClient(clientId: string, clientSecret: string): void {
    if (!clientId || !clientSecret) throw new Error('registerClient needs a clientId and a clientSecret.');
    this.state.authority.clients.set(clientId, clientSecret);
  }
}
