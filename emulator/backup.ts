/**
 * Backup blobs. Key Vault's backups are opaque and protected, so the emulator encrypts a secret
 * with all its versions (AES-256-GCM, key generated at start). A blob restores into any vault of
 * the same emulator run and nowhere else, and its values cannot be read.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { StoredSecret } from './store';
import { badParameter } from './validate';

const MARKER = 'kvdr-emulator-backup-v1';

export class BackupCodec {
  private readonly key = randomBytes(32);

  encode(secret: StoredSecret): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = Buffer.from(JSON.stringify({ marker: MARKER, secret }), 'utf8');
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url');
  }

  /** Decodes a blob, or throws 400 BadParameter when it is not a backup of this emulator run. */
  decode(blob: string): StoredSecret {
    try {
      const bytes = Buffer.from(blob, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      const parsed = JSON.parse(plain) as { marker?: string; secret?: StoredSecret };
      if (parsed.marker !== MARKER || !parsed.secret) throw new Error('marker');
      return parsed.secret;
    } catch {
      throw badParameter('Backup blob could not be deserialized. Give a blob returned by backupSecret of this vault service.');
    }
  }
}
