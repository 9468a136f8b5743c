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
import { connectionEnv, outputVariables, registeredSecrets, taskResult } from './helpers/agent';
import { parseLoggingCommands, withoutSecretRegistrations } from './helpers/commands';
import { SEEDED_SECRETS, SOURCE_VAULT, assertEverySeededValueRegistered, assertNoSeededValue, assertTargetHoldsSeededValues, jwtIssuers, startSeededEmulator } from './helpers/fixture';
import { CURRENT_NODE, ensureNode24, runNode, type NodeRuntime } from './helpers/runtimes';
import { extractZip } from './helpers/zip';

/** A service connection id as the agent passes it: the connection's GUID. */
const CONNECTION_ID = '5d0c6a1e-7f43-4f0b-9a55-3c2a1f0e9b71';

/** How the job authenticates in each run: the agent's default, a service principal or a managed identity. */
type Scheme = 'WorkloadIdentityFederation' | 'ServicePrincipal' | 'ManagedServiceIdentity';


const RUNS: { label: string; scheme: Scheme; target: string }[] = [
  { label: CURRENT_NODE, scheme: 'WorkloadIdentityFederation', target: 'kv-first' },
  { label: 'Node 24', scheme: 'WorkloadIdentityFederation', target: 'kv-second' },
  { label: CURRENT_NODE, scheme: 'ServicePrincipal', target: 'kv-third' },
  { label: CURRENT_NODE, scheme: 'ManagedServiceIdentity', target: 'kv-fourth' },
];

/** Returns the variables of an AzureRM service connection that uses a service principal secret. */
function servicePrincipalConnection(emulator: Emulator): Record<string, string> {
  return {
    INPUT_AZURESUBSCRIPTION: CONNECTION_ID,
    ...connectionEnv(
      CONNECTION_ID,
      'ServicePrincipal',
      { serviceprincipalid: emulator.clientId, tenantid: emulator.tenantId, authenticationType: 'spnKey', serviceprincipalkey: emulator.clientSecret },
      { environmentAuthorityUrl: emulator.authorityHost },
    ),
  };
}

/**
 * Returns the variables of a workload identity federation connection, with the job's OIDC endpoint
 * and its access token in the SystemVssConnection endpoint, where the agent puts them.
 */
function workloadIdentityConnection(emulator: Emulator): Record<string, string> {
  const { identity } = emulator;
  return {
    INPUT_AZURESUBSCRIPTION: identity.serviceConnectionId,
    SYSTEM_OIDCREQUESTURI: identity.oidcRequestUri,
    ...connectionEnv(identity.serviceConnectionId, 'WorkloadIdentityFederation', { serviceprincipalid: emulator.clientId, tenantid: emulator.tenantId }, { environmentAuthorityUrl: emulator.authorityHost }),
    ...connectionEnv('SystemVssConnection', 'OAuth', { AccessToken: identity.systemAccessToken }, {}),
  };
}

/** Returns the variables of a managed identity connection on an agent whose identity endpoint the emulator serves. */
function managedIdentityConnection(emulator: Emulator): Record<string, string> {
  return {
    INPUT_AZURESUBSCRIPTION: CONNECTION_ID,
    IDENTITY_ENDPOINT: emulator.identity.identityEndpoint,
    IDENTITY_HEADER: emulator.identity.identityHeader,
    ...connectionEnv(CONNECTION_ID, 'ManagedServiceIdentity', { tenantid: emulator.tenantId }, {}),
  };
}

function connectionFor(scheme: Scheme, emulator: Emulator): Record<string, string> {
  if (scheme === 'WorkloadIdentityFederation') return workloadIdentityConnection(emulator);
  if (scheme === 'ServicePrincipal') return servicePrincipalConnection(emulator);
  return managedIdentityConnection(emulator);
}

/** Returns the secrets a connection hands the task, which must be masked and never logged. */
function connectionSecrets(scheme: Scheme, emulator: Emulator): string[] {
  if (scheme === 'WorkloadIdentityFederation') return [emulator.identity.systemAccessToken];
  if (scheme === 'ServicePrincipal') return [emulator.clientSecret];
  return [];
}

/** Only what points Node and the SDK at the emulator; the credential comes from the connection. */
function emulatorEnv(emulator: Emulator): Record<string, string> {
  const { NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS, AZURE_AUTHORITY_HOST } = emulator.env;
  return { NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS, AZURE_AUTHORITY_HOST };
}

describe('KeyVaultSync task from the .vsix', function () {
  this.timeout(600_000);
  let work: string;
  let taskDirectory: string;
  let emulator: Emulator;
  const runtimePaths = new Map<string, NodeRuntime>();

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-task-'));
    runtimePaths.set(CURRENT_NODE, { label: CURRENT_NODE, path: process.execPath });
    runtimePaths.set('Node 24', { label: 'Node 24', path: ensureNode24() });
    execFileSync(process.execPath, ['scripts/build.mjs', 'tasks'], { cwd: repoRoot, stdio: 'inherit' });
    const out = join(work, 'out');
    execFileSync(process.execPath, ['scripts/package.mjs', '--out-dir', out, '--publisher', 'kvdr-test'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    const vsix = readdirSync(out).find((name) => name.endsWith('.vsix'));
    assert.ok(vsix, 'npm run package wrote a .vsix');
    const entries = extractZip(join(out, vsix), join(work, 'vsix'));
    assert.ok(entries.includes('tasks/KeyVaultSync/task.json'));
    taskDirectory = join(work, 'vsix', 'tasks', 'KeyVaultSync');
    emulator = await startSeededEmulator([...RUNS.map((run) => run.target), 'kv-healthy', 'kv-read-only']);
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

  for (const { label, scheme, target } of RUNS) {
    it(`syncs with ${scheme} on ${label}`, async () => {
      const runtime = runtimePaths.get(label)!;
      const run = await runTask(runtime, {
        ...emulatorEnv(emulator),
        ...connectionFor(scheme, emulator),
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

      const registered = registeredSecrets(run.commands);
      assertEverySeededValueRegistered(registered, '##vso[task.setsecret]');
      for (const secret of connectionSecrets(scheme, emulator)) {
        assert.ok(registered.has(secret), `a ${scheme} credential is registered as a secret`);
        assert.ok(!withoutSecretRegistrations(run.stdout).includes(secret), `a ${scheme} credential stays out of the log`);
      }
      if (scheme === 'WorkloadIdentityFederation') {
        assert.ok(jwtIssuers(registered).includes(emulator.identity.state.pipelinesIssuer), 'the OIDC token is registered as a secret');
      }

      const summaries = run.commands.filter((command) => command.command === 'task.uploadsummary');
      assert.equal(summaries.length, 1, 'one summary attachment');
      assert.ok(existsSync(summaries[0].data), 'the summary file exists');
      const summary = readFileSync(summaries[0].data, 'utf8');
      assert.match(summary, /\S/);
      assertNoSeededValue(summary, 'the summary');

      assertNoSeededValue(withoutSecretRegistrations(run.stdout), 'stdout');
      assertNoSeededValue(run.stderr, 'stderr');
      // task-lib warns this way when its message resources cannot be found next to the bundle.
      assert.ok(!/loc string|Resource file/i.test(run.stdout), 'task-lib found its messages');
      await assertTargetHoldsSeededValues(emulator, target);
    });
  }

  it('names the subject of a rejected federation', async () => {
    const { state } = emulator.identity;
    const trusted = state.federatedCredentials.map((credential) => ({ ...credential }));
    emulator.identity.update({ federatedCredentials: [{ clientId: emulator.clientId, issuer: state.pipelinesIssuer, subject: 'sc://another-org/another-project/another-connection' }] });
    try {
      const run = await runTask(runtimePaths.get(CURRENT_NODE)!, {
        ...emulatorEnv(emulator),
        ...workloadIdentityConnection(emulator),
        INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
        INPUT_TARGET: emulator.vaults['kv-healthy'],
      });
      const complete = taskResult(run.commands);
      assert.equal(complete.properties.result, 'Failed');
      assert.ok(complete.data.includes(`subject "${state.pipelinesSubject('kvdr-emulator')}"`), complete.data);
      assert.ok(complete.data.includes(`issuer "${state.pipelinesIssuer}"`), complete.data);
      assert.ok(!/ey[\w-]+\.ey[\w-]+\.[\w-]+/.test(withoutSecretRegistrations(run.stdout)), 'no token in the log');
    } finally {
      emulator.identity.update({ federatedCredentials: trusted });
    }
  });

  it('succeeds with issues when one target fails', async () => {
    const run = await runTask(runtimePaths.get(CURRENT_NODE)!, {
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
    const run = await runTask(runtimePaths.get(CURRENT_NODE)!, {
      ...emulatorEnv(emulator),
      INPUT_AZURESUBSCRIPTION: CONNECTION_ID,
      ...connectionEnv(CONNECTION_ID, 'UsernamePassword', { username: 'someone' }, {}),
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
    const run = await runTask(runtimePaths.get(CURRENT_NODE)!, {
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
