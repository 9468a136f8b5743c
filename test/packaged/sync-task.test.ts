/**
 * Runs the KeyVaultSync task from the built .vsix the way the Azure Pipelines agent does: `node
 * dist/index.js` with INPUT_* and ENDPOINT_* variables, on Node 20 and Node 24, against the
 * emulator, and reads back the `##vso` commands it wrote.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index';
import { repoRoot } from '../helpers/front-ends';
import { parseLoggingCommands, withoutSecretRegistrations, type LoggingCommand } from './helpers/commands';
import { SEEDED_SECRETS, SOURCE_VAULT, assertEverySeededValueRegistered, assertNoSeededValue, assertTargetHoldsSeededValues, startSeededEmulator } from './helpers/fixture';
import { ensureNode24, runNode, type NodeRuntime } from './helpers/runtimes';
import { extractZip } from './helpers/zip';

/** A service connection id as the agent passes it: the connection's GUID. */
const CONNECTION_ID = '5d0c6a1e-7f43-4f0b-9a55-3c2a1f0e9b71';

const RUNTIMES = [
  { label: `Node ${process.versions.node.split('.')[0]}`, target: 'kv-first' },
  { label: 'Node 24', target: 'kv-second' },
];

/**
 * Returns the variables the agent sets for a service connection: the authorization as JSON, its scheme,
 * each parameter on its own, and the connection's data.
 */
function connectionEnv(scheme: string, parameters: Record<string, string>, data: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    INPUT_AZURESUBSCRIPTION: CONNECTION_ID,
    [`ENDPOINT_AUTH_${CONNECTION_ID}`]: JSON.stringify({ parameters, scheme }),
    [`ENDPOINT_AUTH_SCHEME_${CONNECTION_ID}`]: scheme,
  };
  for (const [key, value] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${CONNECTION_ID}_${key.toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(data)) env[`ENDPOINT_DATA_${CONNECTION_ID}_${key.toUpperCase()}`] = value;
  return env;
}

/** Returns the variables of an AzureRM service connection that uses a service principal secret. */
function servicePrincipalConnection(emulator: Emulator): Record<string, string> {
  return connectionEnv(
    'ServicePrincipal',
    { serviceprincipalid: emulator.clientId, tenantid: emulator.tenantId, authenticationType: 'spnKey', serviceprincipalkey: emulator.clientSecret },
    { environmentAuthorityUrl: emulator.authorityHost },
  );
}

/** Only what points Node and the SDK at the emulator; the credential comes from the connection. */
function emulatorEnv(emulator: Emulator): Record<string, string> {
  const { NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS, AZURE_AUTHORITY_HOST } = emulator.env;
  return { NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS, AZURE_AUTHORITY_HOST };
}

function outputVariables(commands: LoggingCommand[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const command of commands) {
    if (command.command === 'task.setvariable' && command.properties.isOutput === 'true') result[command.properties.variable] = command.data;
  }
  return result;
}

function registeredSecrets(commands: LoggingCommand[]): Set<string> {
  return new Set(
    commands
      .filter((command) => command.command === 'task.setsecret' || (command.command === 'task.setvariable' && command.properties.issecret === 'true'))
      .map((command) => command.data),
  );
}

function taskResult(commands: LoggingCommand[]): LoggingCommand {
  const complete = commands.filter((command) => command.command === 'task.complete');
  assert.equal(complete.length, 1, 'exactly one task.complete');
  return complete[0];
}

describe('KeyVaultSync task from the .vsix', function () {
  this.timeout(600_000);
  let work: string;
  let taskDirectory: string;
  let emulator: Emulator;
  const runtimePaths = new Map<string, NodeRuntime>();

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-task-'));
    runtimePaths.set(RUNTIMES[0].label, { label: RUNTIMES[0].label, path: process.execPath });
    runtimePaths.set('Node 24', { label: 'Node 24', path: ensureNode24() });
    execFileSync(process.execPath, ['scripts/build.mjs', 'tasks'], { cwd: repoRoot, stdio: 'inherit' });
    const out = join(work, 'out');
    execFileSync(process.execPath, ['scripts/package.mjs', '--out-dir', out, '--publisher', 'kvdr-test'], { cwd: repoRoot, stdio: 'ignore' });
    const vsix = readdirSync(out).find((name) => name.endsWith('.vsix'));
    assert.ok(vsix, 'npm run package wrote a .vsix');
    const entries = extractZip(join(out, vsix), join(work, 'vsix'));
    assert.ok(entries.includes('tasks/KeyVaultSync/task.json'));
    taskDirectory = join(work, 'vsix', 'tasks', 'KeyVaultSync');
    emulator = await startSeededEmulator([...RUNTIMES.map((runtime) => runtime.target), 'kv-healthy', 'kv-read-only']);
    await emulator.admin.setFaults('kv-read-only', { readOnly: true });
  });

  after(async () => {
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the unpacked task's Node handler target with the agent's variables. */
  async function runTask(runtime: NodeRuntime, env: Record<string, string>) {
    const task = JSON.parse(readFileSync(join(taskDirectory, 'task.json'), 'utf8')) as { execution: Record<string, { target: string }> };
    const handler = runtime.label === 'Node 24' ? 'Node24' : 'Node20_1';
    const agentTemp = join(work, `agent-temp-${runtime.label.replace(' ', '')}-${Date.now()}`);
    mkdirSync(agentTemp, { recursive: true });
    const result = await runNode(runtime, join(taskDirectory, task.execution[handler].target), { AGENT_TEMPDIRECTORY: agentTemp, ...env }, work);
    return { ...result, commands: parseLoggingCommands(result.stdout) };
  }

  for (const { label, target } of RUNTIMES) {
    it(`syncs with a service principal on ${label}`, async () => {
      const runtime = runtimePaths.get(label)!;
      const run = await runTask(runtime, {
        ...emulatorEnv(emulator),
        ...servicePrincipalConnection(emulator),
        INPUT_MODE: 'one-way',
        INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
        INPUT_TARGET: emulator.vaults[target],
      });
      const complete = taskResult(run.commands);
      assert.equal(complete.properties.result, 'Succeeded', `task result; stderr: ${run.stderr}\n${complete.data}`);
      assert.equal(run.code, 0);

      const outputs = outputVariables(run.commands);
      const declared = (JSON.parse(readFileSync(join(taskDirectory, 'task.json'), 'utf8')) as { outputVariables: { name: string }[] }).outputVariables.map((output) => output.name);
      assert.deepEqual(Object.keys(outputs).filter((name) => !declared.includes(name)), [], 'every output variable is declared in task.json');
      assert.equal(outputs.result, 'succeeded');
      assert.equal(outputs.created, String(Object.keys(SEEDED_SECRETS).length));
      assert.equal(outputs.failed, '0');
      assert.equal(outputs.conflicts, '0');

      assertEverySeededValueRegistered(registeredSecrets(run.commands), '##vso[task.setsecret]');
      assert.ok(registeredSecrets(run.commands).has(emulator.clientSecret), 'the service principal secret is registered');

      const summaries = run.commands.filter((command) => command.command === 'task.uploadsummary');
      assert.equal(summaries.length, 1, 'one summary attachment');
      assert.ok(existsSync(summaries[0].data), 'the summary file exists');
      const summary = readFileSync(summaries[0].data, 'utf8');
      assert.match(summary, /\S/);
      assertNoSeededValue(summary, 'the summary');

      assertNoSeededValue(withoutSecretRegistrations(run.stdout), 'stdout');
      assertNoSeededValue(run.stderr, 'stderr');
      assert.ok(!withoutSecretRegistrations(run.stdout).includes(emulator.clientSecret), 'the client secret stays out of the log');
      await assertTargetHoldsSeededValues(emulator, target);
    });
  }

  it('succeeds with issues when one target fails', async () => {
    const run = await runTask(runtimePaths.get(RUNTIMES[0].label)!, {
      ...emulatorEnv(emulator),
      ...servicePrincipalConnection(emulator),
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_TARGET: `${emulator.vaults['kv-healthy']}\n${emulator.vaults['kv-read-only']}`,
    });
    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'SucceededWithIssues', complete.data);
    assert.equal(run.code, 0);
    const outputs = outputVariables(run.commands);
    assert.equal(outputs.result, 'partial');
    assert.equal(outputs.failed, String(Object.keys(SEEDED_SECRETS).length));
    const warnings = run.commands.filter((command) => (command.command === 'task.issue' || command.command === 'task.logissue') && command.properties.type === 'warning');
    assert.ok(warnings.length > 0, 'a warning annotation');
    assertNoSeededValue(withoutSecretRegistrations(run.stdout), 'stdout');
    await assertTargetHoldsSeededValues(emulator, 'kv-healthy');
  });

  it('fails naming an unsupported connection scheme', async () => {
    const run = await runTask(runtimePaths.get(RUNTIMES[0].label)!, {
      ...emulatorEnv(emulator),
      INPUT_AZURESUBSCRIPTION: CONNECTION_ID,
      [`ENDPOINT_AUTH_SCHEME_${CONNECTION_ID}`]: 'UsernamePassword',
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_TARGET: emulator.vaults['kv-first'],
    });
    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'Failed');
    assert.match(complete.data, /"UsernamePassword" authorization scheme/);
    const issues = run.commands.filter((command) => command.command === 'task.issue' || command.command === 'task.logissue');
    assert.ok(issues.some((issue) => issue.properties.type === 'error'), 'an error annotation');
  });

  it('fails naming an invalid input before any write', async () => {
    const run = await runTask(runtimePaths.get(RUNTIMES[0].label)!, {
      ...emulatorEnv(emulator),
      ...servicePrincipalConnection(emulator),
      INPUT_MODE: 'sideways',
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_TARGET: emulator.vaults['kv-first'],
    });
    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'Failed');
    assert.match(complete.data, /sideways/);
    assert.match(complete.data, /mode/);
  });
});
