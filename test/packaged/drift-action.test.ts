/**
 * Runs the committed drift action bundle the way the GitHub runner does: `node dist/index.js` with
 * INPUT_* variables and GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, against the emulator. The
 * committed sync action bundle replicates first, so the test also shows that a sync that
 * succeeded leaves no drift, compared by value hash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index';
import { readActionManifest, repoRoot } from '../helpers/front-ends';
import { parseFileCommands, parseWorkflowCommands, withoutMaskCommands } from './helpers/commands';
import { SEEDED_SECRETS, SOURCE_VAULT, assertEverySeededValueRegistered, assertNoSeededValue, startSeededEmulator } from './helpers/fixture';
import { ensureNode24, runNode, type NodeRuntime } from './helpers/runtimes';

describe('drift action bundle', function () {
  this.timeout(600_000);
  let work: string;
  let emulator: Emulator;
  let current: NodeRuntime;
  let node24: NodeRuntime;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-drift-action-'));
    current = { label: `Node ${process.versions.node.split('.')[0]}`, path: process.execPath };
    node24 = { label: 'Node 24', path: ensureNode24() };
    emulator = await startSeededEmulator(['kv-replica', 'kv-empty']);
  });

  after(async () => {
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Credentials from AZURE_* variables, as `authMode: environment` reads them on a runner. */
  function credentialEnv(): Record<string, string> {
    return {
      NODE_EXTRA_CA_CERTS: emulator.env.NODE_EXTRA_CA_CERTS,
      KVDR_ALLOW_CUSTOM_HOSTS: '1',
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: emulator.clientId,
      AZURE_CLIENT_SECRET: emulator.clientSecret,
      INPUT_AUTHMODE: 'environment',
    };
  }

  async function runAction(action: string, runtime: NodeRuntime, env: Record<string, string>) {
    const runDirectory = mkdtempSync(join(work, 'run-'));
    const outputFile = join(runDirectory, 'output');
    const summaryFile = join(runDirectory, 'summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const directory = join(repoRoot, 'actions', action);
    const manifest = readActionManifest(directory);
    const result = await runNode(runtime, join(directory, manifest.runs.main), { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: runDirectory, ...env }, runDirectory);
    return {
      ...result,
      commands: parseWorkflowCommands(result.stdout),
      outputs: parseFileCommands(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
  }

  it('finds no drift after the sync action', async () => {
    const synced = await runAction('sync', node24, { ...credentialEnv(), INPUT_SOURCE: emulator.vaults[SOURCE_VAULT], INPUT_TARGET: emulator.vaults['kv-replica'] });
    assert.equal(synced.outputs.result, 'succeeded', synced.stderr);

    const run = await runAction('drift', node24, { ...credentialEnv(), INPUT_SOURCE: emulator.vaults[SOURCE_VAULT], INPUT_VAULT: emulator.vaults['kv-replica'], INPUT_DEEP: 'true' });

    assert.equal(run.code, 0, `stderr: ${run.stderr}\nstdout: ${withoutMaskCommands(run.stdout).slice(-2000)}`);
    assert.equal(run.outputs.driftDetected, 'false');
    assert.equal(run.outputs.driftCount, '0');
    assert.equal(run.outputs.result, 'succeeded');
    const declared = Object.keys(readActionManifest(join(repoRoot, 'actions', 'drift')).outputs);
    assert.deepEqual(Object.keys(run.outputs).filter((name) => !declared.includes(name)), [], 'every output is declared in action.yml');
    const masked = new Set(run.commands.filter((command) => command.command === 'add-mask').map((command) => command.data));
    assertEverySeededValueRegistered(masked, '::add-mask:: under deep');
    assertNoSeededValue(run.summary, 'the job summary');
    assertNoSeededValue(withoutMaskCommands(run.stdout), 'stdout');
    assertNoSeededValue(run.stderr, 'stderr');
  });

  it('fails on drift with an error annotation', async () => {
    const run = await runAction('drift', current, { ...credentialEnv(), INPUT_SOURCE: emulator.vaults[SOURCE_VAULT], INPUT_VAULT: emulator.vaults['kv-empty'] });

    assert.equal(run.code, 1);
    assert.equal(run.outputs.driftDetected, 'true');
    assert.equal(run.outputs.driftCount, String(Object.keys(SEEDED_SECRETS).length));
    assert.equal(run.commands.filter((command) => command.command === 'error').length, 1, 'one error annotation');
    assert.match(run.summary, /### Drifted secrets/);
    for (const name of Object.keys(SEEDED_SECRETS)) assert.ok(run.summary.includes(`\`${name}\``), `the summary names ${name}`);
    assertNoSeededValue(run.summary, 'the job summary');
    assertNoSeededValue(JSON.stringify(run.outputs), 'GITHUB_OUTPUT');
  });

  it('warns under onDrift warn', async () => {
    const run = await runAction('drift', current, { ...credentialEnv(), INPUT_SOURCE: emulator.vaults[SOURCE_VAULT], INPUT_VAULT: emulator.vaults['kv-empty'], INPUT_ONDRIFT: 'warn' });

    assert.equal(run.code, 0);
    assert.equal(run.outputs.result, 'partial');
    assert.ok(run.commands.some((command) => command.command === 'warning'), 'a warning annotation');
    assert.ok(!run.commands.some((command) => command.command === 'error'), 'no error annotation');
  });
});
