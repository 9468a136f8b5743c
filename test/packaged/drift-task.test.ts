/**
 * Runs the KeyVaultDriftCheck task from the built .vsix the way the Azure Pipelines agent does:
 * `node dist/index.js` with INPUT_* and ENDPOINT_* variables, on Node 20 and Node 24, against the
 * emulator, and reads back the `##vso` commands it wrote.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index';
import { repoRoot } from '../helpers/front-ends';
import { outputVariables, taskResult } from './helpers/agent';
import { parseLoggingCommands, withoutSecretRegistrations } from './helpers/commands';
import { SEEDED_SECRETS, SOURCE_VAULT, assertNoSeededValue, startSeededEmulator } from './helpers/fixture';
import { ensureNode24, runNode, type NodeRuntime } from './helpers/runtimes';
import { extractZip } from './helpers/zip';

const CONNECTION_ID = '0b6f2c4e-93a1-4d5e-8f70-2a9c41d6e3b8';

/** Returns the agent's variables for an AzureRM service connection with a service principal secret. */
function servicePrincipalConnection(emulator: Emulator): Record<string, string> {
  const parameters = { serviceprincipalid: emulator.clientId, tenantid: emulator.tenantId, authenticationType: 'spnKey', serviceprincipalkey: emulator.clientSecret };
  const env: Record<string, string> = {
    INPUT_AZURESUBSCRIPTION: CONNECTION_ID,
    [`ENDPOINT_AUTH_${CONNECTION_ID}`]: JSON.stringify({ parameters, scheme: 'ServicePrincipal' }),
    [`ENDPOINT_AUTH_SCHEME_${CONNECTION_ID}`]: 'ServicePrincipal',
    [`ENDPOINT_DATA_${CONNECTION_ID}_ENVIRONMENTAUTHORITYURL`]: emulator.authorityHost,
    NODE_EXTRA_CA_CERTS: emulator.env.NODE_EXTRA_CA_CERTS,
    KVDR_ALLOW_CUSTOM_HOSTS: '1',
    AZURE_AUTHORITY_HOST: emulator.authorityHost,
  };
  for (const [key, value] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${CONNECTION_ID}_${key.toUpperCase()}`] = value;
  return env;
}

describe('KeyVaultDriftCheck task from the .vsix', function () {
  this.timeout(600_000);
  let work: string;
  let taskDirectory: string;
  let emulator: Emulator;
  const runtimes: NodeRuntime[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-drift-task-'));
    runtimes.push({ label: `Node ${process.versions.node.split('.')[0]}`, path: process.execPath }, { label: 'Node 24', path: ensureNode24() });
    execFileSync(process.execPath, ['scripts/build.mjs', 'tasks'], { cwd: repoRoot, stdio: 'inherit' });
    const out = join(work, 'out');
    execFileSync(process.execPath, ['scripts/package.mjs', '--out-dir', out, '--publisher', 'kvdr-test'], { cwd: repoRoot, stdio: 'ignore' });
    const vsix = readdirSync(out).find((name) => name.endsWith('.vsix'));
    assert.ok(vsix, 'npm run package wrote a .vsix');
    const entries = extractZip(join(out, vsix), join(work, 'vsix'));
    assert.ok(entries.includes('tasks/KeyVaultDriftCheck/task.json'), 'the .vsix contains the drift task');
    taskDirectory = join(work, 'vsix', 'tasks', 'KeyVaultDriftCheck');
    emulator = await startSeededEmulator(['kv-empty']);
  });

  after(async () => {
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function runTask(runtime: NodeRuntime, env: Record<string, string>) {
    const task = JSON.parse(readFileSync(join(taskDirectory, 'task.json'), 'utf8')) as { execution: Record<string, { target: string }> };
    const handler = runtime.label === 'Node 24' ? 'Node24' : 'Node20_1';
    const agentTemp = join(work, `agent-temp-${runtime.label.replace(' ', '')}-${Date.now()}`);
    mkdirSync(agentTemp, { recursive: true });
    const result = await runNode(runtime, join(taskDirectory, task.execution[handler].target), { AGENT_TEMPDIRECTORY: agentTemp, ...env }, work);
    return { ...result, commands: parseLoggingCommands(result.stdout) };
  }

  for (const index of [0, 1]) {
    it(`fails on drift on ${index === 0 ? 'the current Node' : 'Node 24'}`, async () => {
      const runtime = runtimes[index];
      const junit = join(work, `drift-${index}.xml`);
      const run = await runTask(runtime, {
        ...servicePrincipalConnection(emulator),
        INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
        INPUT_VAULT: emulator.vaults['kv-empty'],
        INPUT_JUNIT: junit,
      });

      const complete = taskResult(run.commands);
      assert.equal(complete.properties.result, 'Failed', `${runtime.label}: ${complete.data}\nstderr: ${run.stderr}`);
      assert.equal(run.code, 1);
      const outputs = outputVariables(run.commands);
      assert.equal(outputs.driftDetected, 'true');
      assert.equal(outputs.driftCount, String(Object.keys(SEEDED_SECRETS).length));
      assert.equal(outputs.result, 'failed');

      const summaries = run.commands.filter((command) => command.command === 'task.uploadsummary');
      assert.equal(summaries.length, 1, 'one summary attachment');
      const summary = readFileSync(summaries[0].data, 'utf8');
      assert.match(summary, /\| missing \| 127\.0\.0\.1:\d+ \| 8 \|/);
      for (const name of Object.keys(SEEDED_SECRETS)) assert.ok(summary.includes(`\`${name}\``), `the summary names ${name}`);
      assertNoSeededValue(summary, 'the summary');
      assert.ok(existsSync(junit), 'the JUnit file');
      assertNoSeededValue(readFileSync(junit, 'utf8'), 'the JUnit file');
      assertNoSeededValue(withoutSecretRegistrations(run.stdout), 'stdout');
      assertNoSeededValue(run.stderr, 'stderr');
    });
  }

  it('succeeds with issues under onDrift warn', async () => {
    const run = await runTask(runtimes[0], {
      ...servicePrincipalConnection(emulator),
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_VAULT: emulator.vaults['kv-empty'],
      INPUT_ONDRIFT: 'warn',
    });

    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'SucceededWithIssues', complete.data);
    assert.equal(run.code, 0);
    assert.equal(outputVariables(run.commands).result, 'partial');
    const warnings = run.commands.filter((command) => (command.command === 'task.issue' || command.command === 'task.logissue') && command.properties.type === 'warning');
    assert.ok(warnings.length > 0, 'a warning annotation');
    assertNoSeededValue(withoutSecretRegistrations(run.stdout), 'stdout');
  });

  it('fails naming an invalid input', async () => {
    const run = await runTask(runtimes[0], {
      ...servicePrincipalConnection(emulator),
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_VAULT: emulator.vaults['kv-empty'],
      INPUT_ONDRIFT: 'explode',
    });

    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'Failed');
    assert.match(complete.data, /explode/);
    assert.match(complete.data, /input onDrift/);
  });
});
