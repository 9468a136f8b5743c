/**
 * Command-line entry: `npm run emulator -- --vaults a,b --ready-file <path>`. Serves until SIGINT
 * or SIGTERM, then closes every listener and exits 0.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index';

const USAGE = 'Usage: npm run emulator -- --vaults <name>[,<name>...] [--ready-file <path>] [--purge-protection all|<name>,...] [--transient-requests <n>] [--transient-ms <ms>]';

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        vaults: { type: 'string' },
        'ready-file': { type: 'string' },
        'purge-protection': { type: 'string' },
        'transient-requests': { type: 'string' },
        'transient-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const vaults = typeof values.vaults === 'string' ? values.vaults.split(',').map((name) => name.trim()).filter(Boolean) : [];
  if (vaults.length === 0) fail(`Missing --vaults.\n${USAGE}`);

  const purgeOption = values['purge-protection'];
  let purgeProtection: boolean | string[] | undefined;
  if (purgeOption === 'all') purgeProtection = true;
  else if (typeof purgeOption === 'string') purgeProtection = purgeOption.split(',');
  const transientConflict = {
    requests: parseCount('--transient-requests', values['transient-requests']),
    durationInMs: parseCount('--transient-ms', values['transient-ms']),
  };

  const emulator = await startEmulator({
    vaults,
    purgeProtection,
    transientConflict,
    readyFile: typeof values['ready-file'] === 'string' ? values['ready-file'] : undefined,
  });
  for (const [name, url] of Object.entries(emulator.vaults)) process.stderr.write(`emulator: vault ${name} at ${url}\n`);
  process.stderr.write(`emulator: admin at ${emulator.adminUrl}, authority at ${emulator.authorityHost}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`emulator: ${signal} received, stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator: failed to stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function parseCount(flag: string, text: string | boolean | undefined): number | undefined {
  if (typeof text !== 'string') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) fail(`Invalid ${flag} "${text}": use a whole number of at least 0.`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => fail(`failed to start: ${(error as Error).message}`));
