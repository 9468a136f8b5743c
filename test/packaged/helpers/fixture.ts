/**
 * What the packaged sync tests share: an in-process emulator with a seeded source vault, values
 * that are hard to mask (escaping characters, CRLF, non-ASCII), and checks that none of them leaks.
 */
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createSecretClient } from '../../helpers/emulator';

/** Seeded secrets: recognisable values that exercise every escaped form a log could carry. */
export const SEEDED_SECRETS: Record<string, string> = {
  'app-plain': 'SEEDVALUE-plain-0001',
  'app-semicolon': 'SEEDVALUE-a%3Bb',
  'app-newline-escape': 'SEEDVALUE-x%0Ay',
  'app-percent': 'SEEDVALUE-50%off',
  'app-query': 'SEEDVALUE-k=1&v=2',
  'app-bracket': 'SEEDVALUE-]close;semi',
  'app-pem': '-----BEGIN SEEDVALUE KEY-----\r\nSEEDVALUE-pem-line-two\r\n-----END SEEDVALUE KEY-----',
  'app-unicode': 'SEEDVALUE-grüße-東京',
};

export const SOURCE_VAULT = 'kv-source';

/** Starts an emulator with the seeded source vault and one empty vault per target name. */
export async function startSeededEmulator(targets: string[]): Promise<Emulator> {
  const emulator = await startEmulator({ vaults: [SOURCE_VAULT, ...targets] });
  emulator.admin.seed(
    SOURCE_VAULT,
    Object.entries(SEEDED_SECRETS).map(([name, value]) => ({ name, value, contentType: 'text/plain', tags: { team: 'payments' } })),
  );
  return emulator;
}

/** The pieces of a seeded value that must never appear in output: the value and each of its lines. */
function leakForms(value: string): string[] {
  return [value, ...value.split(/\r?\n/)].filter((form) => form.length >= 3);
}

/** Fails naming the secret and the place when any seeded value or line of one appears in `text`. */
export function assertNoSeededValue(text: string, where: string): void {
  for (const [name, value] of Object.entries(SEEDED_SECRETS)) {
    for (const form of leakForms(value)) {
      assert.ok(!text.includes(form), `a value of secret ${name} appears in ${where}`);
    }
  }
}

/**
 * Fails unless every seeded value was registered for masking: a single-line value whole, and a
 * multi-line value line by line (the agent accepts only single-line registrations).
 */
export function assertEverySeededValueRegistered(registered: Set<string>, where: string): void {
  for (const [name, value] of Object.entries(SEEDED_SECRETS)) {
    const lines = value.split(/\r?\n/);
    const expected = lines.length === 1 ? [value] : lines;
    for (const form of expected) assert.ok(registered.has(form), `secret ${name} (${form.length} characters) was not registered through ${where}`);
  }
}

/** Reads every seeded secret from a target vault with the real SDK and compares it byte for byte. */
export async function assertTargetHoldsSeededValues(emulator: Emulator, vault: string): Promise<void> {
  const client = createSecretClient(emulator, vault);
  for (const [name, value] of Object.entries(SEEDED_SECRETS)) {
    const secret = await client.getSecret(name);
    assert.ok(secret.value === value, `secret ${name} in ${vault} differs from the source`);
    assert.equal(secret.properties.contentType, 'text/plain', `contentType of ${name}`);
    assert.equal(secret.properties.tags?.team, 'payments', `tag team of ${name}`);
  }
}

/** Returns the issuers of the JWTs among `values`, so a test can tell an ID token from an access token. */
export function jwtIssuers(values: Iterable<string>): string[] {
  const issuers: string[] = [];
  for (const value of values) {
    const parts = value.split('.');
    if (parts.length !== 3 || !parts[0].startsWith('ey')) continue;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { iss?: unknown };
      if (typeof claims.iss === 'string') issuers.push(claims.iss);
    } catch {
      // Not a JWT after all.
    }
  }
  return issuers;
}
