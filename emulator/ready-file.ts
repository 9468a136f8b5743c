/**
 * The ready file: JSON naming every listener and the environment that points the Azure SDK and
 * kvdr at the emulator. It is written to a temporary file and renamed, so a reader never sees a
 * partial file.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export interface ReadyFile {
  vaults: Record<string, string>;
  adminUrl: string;
  authorityHost: string;
  /** The ARM endpoint (`KVDR_ARM_ENDPOINT` in `env`). */
  armUrl: string;
  /** Vault name to ARM resource id. */
  resourceIds: Record<string, string>;
  env: Record<string, string>;
  /** Id of the process serving the emulator: signal it (SIGINT or SIGTERM) to stop the emulator. */
  pid: number;
}

export function writeReadyFile(path: string, content: ReadyFile): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Removes a ready file left by an earlier run, so a waiting reader never picks up stale ports. */
export function removeReadyFile(path: string): void {
  rmSync(path, { force: true });
}

/** Returns the path of the certificate PEM, next to the ready file. */
export function caPathFor(readyFile: string): string {
  return `${readyFile}.ca.pem`;
}
