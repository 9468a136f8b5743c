/**
 * `npm start` end to end: the demo runs the built CLI against the emulator in a child process,
 * exits 0, and prints no seeded secret value.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { buildEstate, DEFAULT_DEMO_SEED } from '../../scripts/demo/estate';

const ROOT = join(__dirname, '..', '..');

interface DemoRun {
  exitCode: number | null;
  output: string;
}

function runDemo(): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'demo.ts')], {
      cwd: ROOT,
      env: { ...process.env, KVDR_DEMO_SEED: DEFAULT_DEMO_SEED },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

describe('npm start demo', function () {
  // The demo takes about 20 s on an idle 2-core machine; the limit leaves room for a loaded one.
  this.timeout(300_000);

  let run: DemoRun;
  before(async () => {
    run = await runDemo();
  });

  it('exits 0', () => {
    assert.equal(run.exitCode, 0, run.output.slice(-2000));
  });

  it('runs all four steps', () => {
    for (const step of ['Step 1 of 4', 'Step 2 of 4', 'Step 3 of 4', 'Step 4 of 4']) assert.ok(run.output.includes(step), `missing ${step}`);
  });

  it('prints no seeded value', () => {
    const estate = buildEstate(DEFAULT_DEMO_SEED);
    const values = [...estate.primary, ...estate.softDeletedInNorth, ...estate.south, ...estate.writes].map((secret) => secret.value);
    assert.ok(estate.secretParts.length > 300, 'the estate should have a few hundred random parts to look for');
    const leaked = [...values, ...estate.secretParts].filter((value) => run.output.includes(value));
    assert.equal(leaked.length, 0, `${leaked.length} seeded value(s) appeared in the demo's output`);
  });
});
