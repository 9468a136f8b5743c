/**
 * Setup for sync integration tests: an emulator per test, the command run in-process through the
 * real SDK (`openVault` with the emulator's CA and a ClientSecretCredential against its authority),
 * and checks that no seeded value reaches any output.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index';
import { runSyncCommand } from '../../../src/commands/sync';
import { openVault } from '../../../src/core/vault/factory';
import type { VaultStore } from '../../../src/core/vault/port';
import { parseVaultReference } from '../../../src/core/vault/url';
import { createCredential } from '../../helpers/emulator';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';

/** Prefix of every seeded value, so tests can assert that none leaks. */
export const SEED = 'SEEDVALUE-';

const ENV = { KVDR_ALLOW_CUSTOM_HOSTS: '1' };

/** One test's emulator, output folder and helpers. */
export class SyncFixture {
  readonly directory = mkdtempSync(join(tmpdir(), 'kvdr-sync-it-'));
  private readonly credential;

  private constructor(readonly emulator: Emulator) {
    this.credential = createCredential(emulator);
  }

  static async start(options: EmulatorOptions): Promise<SyncFixture> {
    return new SyncFixture(await startEmulator(options));
  }

  async close(): Promise<void> {
    await this.emulator.close();
    rmSync(this.directory, { recursive: true, force: true });
  }

  url(vault: string): string {
    const url = this.emulator.vaults[vault];
    if (url === undefined) throw new Error(`unknown vault ${vault}`);
    return url;
  }

  /** Returns the lineage id of an emulator vault (`127.0.0.1:<port>`). */
  id(vault: string): string {
    return parseVaultReference(this.url(vault), true).id;
  }

  /** Opens a store over the real SDK, for setting up and inspecting a vault. */
  store(vault: string): VaultStore {
    return openVault(parseVaultReference(this.url(vault), true), { credential: this.credential, tlsCa: this.emulator.ca, retry: { maxRetries: 10 } });
  }

  /** Runs `kvdr sync` in-process with a JSON report, and checks that no seeded value leaked. */
  async sync(inputs: Inputs, extra: { lookup?: LookupFunction } = {}): Promise<{ code: number; host: RecordingHost; report: SyncReportJson }> {
    const reportPath = join(this.directory, `report-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
    const junitPath = reportPath.replace(/\.json$/, '.xml');
    const host = new RecordingHost({ report: reportPath, junit: junitPath, ...inputs }, { credential: this.credential });
    const code = await runSyncCommand(host, { env: ENV, tlsCa: this.emulator.ca, lookup: extra.lookup });
    const texts = [host.transcript];
    for (const path of [reportPath, junitPath]) if (existsSync(path)) texts.push(readFileSync(path, 'utf8'));
    for (const text of texts) assert.ok(!text.includes(SEED), 'a seeded value appeared in an output');
    const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as SyncReportJson) : emptyReport();
    return { code, host, report };
  }
}

/** The part of the JSON report tests read. */
export interface SyncReportJson {
  entries: Array<{ secret: string; vault: string; action: string; outcome: string; reason?: string; error?: string }>;
  vaults: Array<{ vaultId: string; throttledResponses: number; retries: number; error?: string }>;
}

function emptyReport(): SyncReportJson {
  return { entries: [], vaults: [] };
}

/** Returns the report entry of one secret and vault. */
export function entry(report: SyncReportJson, secret: string, vaultId: string) {
  const found = report.entries.find((item) => item.secret.toLowerCase() === secret.toLowerCase() && item.vault === vaultId);
  if (found === undefined) throw new Error(`No entry for ${secret} in ${vaultId}: ${JSON.stringify(report.entries)}`);
  return found;
}
