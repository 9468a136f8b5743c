/**
 * Runs the KeyVaultFailoverDrill task from the built .vsix the way the Azure Pipelines agent does:
 * `node dist/index.js` with INPUT_* variables and a workload identity federation service
 * connection, on Node 20 and Node 24, against the emulator. The post-job step runs the
 * `postjobexecution` target with the task variable the step set, as the agent passes it on.
 */
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/index';
import { createSecretClient } from '../helpers/emulator';
import { repoRoot } from '../helpers/front-ends';
import { connectionEnv, outputVariables, registeredSecrets, taskResult } from './helpers/agent';
import { parseLoggingCommands, withoutSecretRegistrations, type LoggingCommand } from './helpers/commands';
import { armRequest, assertNoActiveCanary, canaryValues, seedReplicated, startStep, vaultSet, waitForCanary, type VaultSet } from './helpers/drill';
import { assertNoSeededValue, jwtIssuers } from './helpers/fixture';
import { CURRENT_NODE, ensureNode24, runNode, type NodeRuntime, type ProcessResult } from './helpers/runtimes';
import { extractZip } from './helpers/zip';


/** The primary's network settings before a network drill: rules the drill must put back exactly. */
const ORIGINAL_NETWORK = {
  publicNetworkAccess: 'Enabled',
  networkAcls: {
    bypass: 'AzureServices',
    defaultAction: 'Deny',
    // 127.0.0.1 is the address every client of the emulator has, so the vault stays reachable.
    ipRules: [{ value: '127.0.0.1' }, { value: '203.0.113.0/24' }],
    virtualNetworkRules: [{ id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/snet-app' }],
  },
};

const SETS = {
  logicalCurrent: vaultSet('lc'),
  logicalNode24: vaultSet('l24'),
  killedCurrent: vaultSet('kc'),
  killedNode24: vaultSet('k24'),
  missedRto: vaultSet('rto'),
  missedRpo: vaultSet('rpo'),
  cancelled: vaultSet('sig'),
};

/**
 * Returns the agent's variables for a job with a workload identity federation connection: the
 * job's OIDC endpoint, its access token in SystemVssConnection and the job ids the drill records.
 * Also returns what points Node and kvdr at the emulator: its CA, custom hosts and ARM endpoint.
 */
function agentEnv(emulator: Emulator, jobId: string): Record<string, string> {
  const { identity } = emulator;
  const { NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS, AZURE_AUTHORITY_HOST, KVDR_ARM_ENDPOINT } = emulator.env;
  return {
    NODE_EXTRA_CA_CERTS,
    KVDR_ALLOW_CUSTOM_HOSTS,
    AZURE_AUTHORITY_HOST,
    KVDR_ARM_ENDPOINT,
    AGENT_VERSION: '4.252.0',
    BUILD_BUILDID: '812',
    SYSTEM_JOBID: jobId,
    INPUT_AZURESUBSCRIPTION: identity.serviceConnectionId,
    SYSTEM_OIDCREQUESTURI: identity.oidcRequestUri,
    ...connectionEnv(identity.serviceConnectionId, 'WorkloadIdentityFederation', { serviceprincipalid: emulator.clientId, tenantid: emulator.tenantId }, { environmentAuthorityUrl: emulator.authorityHost }),
    ...connectionEnv('SystemVssConnection', 'OAuth', { AccessToken: identity.systemAccessToken }, {}),
  };
}

/**
 * Returns the `VSTS_TASKVARIABLE_*` variables the agent gives the post-job step for the task
 * variables the step set, named as azure-pipelines-task-lib reads them.
 */
function taskVariablesEnv(commands: LoggingCommand[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const command of commands.filter((candidate) => candidate.command === 'task.settaskvariable')) {
    env[`VSTS_TASKVARIABLE_${command.properties.variable.replace(/[. ]/g, '_').toUpperCase()}`] = command.data;
  }
  return env;
}

/** The part of task.json the tests read. */
interface TaskJson {
  execution: Record<string, { target: string }>;
  postjobexecution: Record<string, { target: string }>;
  outputVariables: Array<{ name: string }>;
}

/** The part of the JSON report the tests read. */
interface DrillReportJson {
  runId: string;
  passed: boolean;
  steps: Array<{ name: string; status: string; error?: string }>;
  canaries: Array<{ name: string; vaultId: string }>;
  rpo?: { count?: number; survivors: Array<{ secrets: string[] }> };
}

describe('KeyVaultFailoverDrill task from the .vsix', function () {
  this.timeout(600_000);
  let work: string;
  let taskDirectory: string;
  let emulator: Emulator;
  const runtimes = new Map<string, NodeRuntime>();
  const started: ChildProcess[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-drill-task-'));
    runtimes.set(CURRENT_NODE, { label: CURRENT_NODE, path: process.execPath });
    runtimes.set('Node 24', { label: 'Node 24', path: ensureNode24() });
    execFileSync(process.execPath, ['scripts/build.mjs', 'tasks'], { cwd: repoRoot, stdio: 'inherit' });
    const out = join(work, 'out');
    execFileSync(process.execPath, ['scripts/package.mjs', '--out-dir', out, '--publisher', 'kvdr-test'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    const vsix = readdirSync(out).find((name) => name.endsWith('.vsix'));
    assert.ok(vsix, 'npm run package wrote a .vsix');
    const entries = extractZip(join(out, vsix), join(work, 'vsix'));
    assert.ok(entries.includes('tasks/KeyVaultFailoverDrill/task.json'), 'the .vsix contains the drill task');
    taskDirectory = join(work, 'vsix', 'tasks', 'KeyVaultFailoverDrill');

    const sets = Object.values(SETS);
    // Purge protection keeps each canary soft-deleted in the secondaries, so the test can recover it and read every value the drill wrote.
    emulator = await startEmulator({ vaults: sets.flatMap((set) => [set.primary, ...set.secondaries]), purgeProtection: sets.flatMap((set) => set.secondaries) });
    for (const set of sets) await seedReplicated(emulator, set);
  });

  after(async () => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function drillInputs(set: VaultSet, extra: Record<string, string> = {}): Record<string, string> {
    return {
      INPUT_PRIMARY: emulator.vaults[set.primary],
      INPUT_SECONDARY: set.secondaries.map((name) => emulator.vaults[name]).join('\n'),
      ...extra,
    };
  }

  function readTaskJson(): TaskJson {
    return JSON.parse(readFileSync(join(taskDirectory, 'task.json'), 'utf8')) as TaskJson;
  }

  /** Returns the script the agent starts for a runtime: the step's or the post-job step's handler target. */
  function handlerTarget(runtime: NodeRuntime, phase: 'execution' | 'postjobexecution'): string {
    const handler = runtime.label === 'Node 24' ? 'Node24' : 'Node20_1';
    return join(taskDirectory, readTaskJson()[phase][handler].target);
  }

  function agentTemp(): string {
    return mkdtempSync(join(work, 'agent-temp-'));
  }

  async function runTask(runtime: NodeRuntime, phase: 'execution' | 'postjobexecution', env: Record<string, string>) {
    const result = await runNode(runtime, handlerTarget(runtime, phase), { AGENT_TEMPDIRECTORY: agentTemp(), ...env }, work);
    return { ...result, commands: parseLoggingCommands(result.stdout) };
  }

  /** Fails when any of `values` appears in the task's log (registrations aside), its stderr or `files`. */
  function assertNoValueIn(values: string[], run: ProcessResult, files: Record<string, string>): void {
    const places: Record<string, string> = { stdout: withoutSecretRegistrations(run.stdout), stderr: run.stderr, ...files };
    for (const [where, text] of Object.entries(places)) {
      assertNoSeededValue(text, where);
      for (const value of values) assert.ok(!text.includes(value), `a canary value appears in ${where}`);
    }
  }

  for (const [label, set] of [[CURRENT_NODE, SETS.logicalCurrent], ['Node 24', SETS.logicalNode24]] as const) {
    it(`passes a logical drill on ${label}`, async () => {
      const runtime = runtimes.get(label)!;
      const report = join(work, `${set.primary}.json`);
      const markdown = join(work, `${set.primary}.md`);
      const junit = join(work, `${set.primary}.xml`);
      const env = { ...agentEnv(emulator, `job-${set.primary}`), ...drillInputs(set, { INPUT_REPORT: report, INPUT_MARKDOWN: markdown, INPUT_JUNIT: junit }) };
      const run = await runTask(runtime, 'execution', env);

      const complete = taskResult(run.commands);
      assert.equal(complete.properties.result, 'Succeeded', `task result: ${complete.data}\nstderr: ${run.stderr}`);
      assert.equal(run.code, 0);
      const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson;
      assert.deepEqual(json.steps.map((step) => `${step.name} ${step.status}`), ['preflight passed', 'loss passed', 'canary passed', 'failover-reads passed', 'failback passed', 'cleanup passed']);

      const outputs = outputVariables(run.commands);
      const declared = readTaskJson().outputVariables.map((output) => output.name);
      assert.deepEqual(Object.keys(outputs).filter((name) => !declared.includes(name)), [], 'every output variable is declared in task.json');
      assert.equal(outputs.result, 'succeeded');
      assert.equal(outputs.passed, 'true');
      assert.equal(outputs.runId, json.runId);
      assert.match(outputs.runId, /^\d{14}-[0-9a-f]{6}$/);
      assert.match(outputs.rtoSeconds, /^\d+\.\d$/);
      assert.equal(outputs.rpoSecretsAtRisk, '0');
      assert.equal(outputs.rpoOldestAgeSeconds, '0');
      assert.equal(outputs.reportPath, report);

      const summaries = run.commands.filter((command) => command.command === 'task.uploadsummary');
      assert.equal(summaries.length, 1, 'one summary attachment');
      const summary = readFileSync(summaries[0].data, 'utf8');
      assert.match(summary, /^## kvdr drill: passed/m);
      assert.match(summary, /### Timeline/);
      assert.match(summary, /\| RTO \(end of loss to first write in a survivor\) \| [^|]+ \| 5 min 0 s \| met \|/);

      const registered = registeredSecrets(run.commands);
      assert.ok(registered.has(emulator.identity.systemAccessToken), 'the job access token is registered as a secret');
      assert.ok(jwtIssuers(registered).includes(emulator.identity.state.pipelinesIssuer), 'the OIDC token is registered as a secret');
      assert.equal(json.canaries.length, 2, 'one canary per secondary');
      const values = await canaryValues(emulator, set, json.canaries);
      assert.equal(values.all.length, 4, 'a write and a rotation per canary');
      assert.equal(values.rotated.length, 2);
      for (const value of values.rotated) assert.ok(registered.has(value), 'the rotated canary value, which the drill reads back, is registered as a secret');
      assert.equal(run.stderr, '', 'nothing on stderr');
      assertNoValueIn(values.all, run, {
        summary,
        'the output variables': JSON.stringify(outputs),
        'the JSON report': readFileSync(report, 'utf8'),
        'the Markdown summary': readFileSync(markdown, 'utf8'),
        'the JUnit file': readFileSync(junit, 'utf8'),
      });
      await assertNoActiveCanary(emulator, set);

      const post = await runTask(runtime, 'postjobexecution', { ...env, ...taskVariablesEnv(run.commands) });
      const postComplete = taskResult(post.commands);
      assert.equal(postComplete.properties.result, 'Succeeded', `post-job result: ${postComplete.data}\nstderr: ${post.stderr}`);
      assert.equal(postComplete.data, 'No drill of this job was left to restore.');
      assert.equal(post.commands.filter((command) => command.command === 'task.uploadsummary').length, 0, 'the post-job step attaches no summary');
    });
  }

  /**
   * Starts the task's step with a network drill on `set` and sends `signal` once the outage is on
   * and the first secondary contains a canary. Returns the step's output and what the test needs to
   * run the post-job step and compare the primary's settings.
   */
  async function stopNetworkDrill(runtime: NodeRuntime, set: VaultSet, signal: NodeJS.Signals) {
    const resourceId = emulator.resourceIds[set.primary];
    await armRequest(emulator, 'PATCH', resourceId, { properties: ORIGINAL_NETWORK });
    const original = await armRequest(emulator, 'GET', resourceId);
    const report = join(work, `${set.primary}.json`);
    const env = {
      ...agentEnv(emulator, `job-${set.primary}`),
      ...drillInputs(set, { INPUT_MODE: 'network', INPUT_ALLOWDISRUPTION: 'true', INPUT_PRIMARYRESOURCEID: resourceId, INPUT_LOCKEXPIRY: '10m', INPUT_PROPAGATIONTIMEOUT: '1m', INPUT_REPORT: report }),
      AGENT_TEMPDIRECTORY: agentTemp(),
    };

    // The slow second secondary keeps the outage open for seconds, so the signal lands inside it.
    await emulator.admin.setFaults(set.secondaries[1], { latencyMs: 1000 });
    const running = startStep(runtime, handlerTarget(runtime, 'execution'), env, work);
    started.push(running.child);
    await waitForCanary(emulator, set, running, 'task');
    assert.equal((await armRequest(emulator, 'GET', resourceId)).publicNetworkAccess, 'Disabled', 'the primary is closed when the signal is sent');
    running.child.kill(signal);
    await emulator.admin.clearFaults(set.secondaries[1]);
    const step = await running.ended;
    return { env, resourceId, original, report, step, commands: parseLoggingCommands(step.stdout) };
  }

  for (const [label, set] of [[CURRENT_NODE, SETS.killedCurrent], ['Node 24', SETS.killedNode24]] as const) {
    it(`restores a killed network drill post-job on ${label}`, async () => {
      const runtime = runtimes.get(label)!;
      const { env, resourceId, original, step, commands } = await stopNetworkDrill(runtime, set, 'SIGKILL');
      assert.equal((await armRequest(emulator, 'GET', resourceId)).publicNetworkAccess, 'Disabled', 'the killed step left the primary closed');
      assert.equal(commands.filter((command) => command.command === 'task.complete').length, 0, 'the killed step never completed');

      const post = await runTask(runtime, 'postjobexecution', { ...env, ...taskVariablesEnv(commands) });
      const complete = taskResult(post.commands);
      assert.equal(complete.properties.result, 'Succeeded', `post-job result: ${complete.data}\nstderr: ${post.stderr}`);
      assert.match(complete.data, /^Restored drill \d{14}-[0-9a-f]{6}\.$/);
      assert.equal(post.code, 0);
      const postLog = post.stdout.split('\n').filter((line) => !line.startsWith('##'));
      assert.ok(postLog.some((line) => /removed canary drill-canary-\S+-1 from /.test(line)), `the post-job step removed the canary:\n${postLog.join('\n')}`);
      const warnings = post.commands.filter((command) => command.command === 'task.issue' && command.properties.type === 'warning').map((command) => command.data);
      assert.deepEqual(warnings.filter((warning) => !/did not finish; restoring what it changed\.$/.test(warning)), [], 'no warning besides the one naming the drill it restores');
      assert.deepEqual(await armRequest(emulator, 'GET', resourceId), original, 'the post-job step put back the original network settings');
      await createSecretClient(emulator, set.primary).getSecret('app-plain');
      await assertNoActiveCanary(emulator, set);
      const canary = /removed canary (drill-canary-\S+-1) from /.exec(post.stdout)![1];
      const values = await canaryValues(emulator, set, [{ name: canary }]);
      assert.ok(values.all.length > 0, 'the killed drill wrote the canary');
      assertNoValueIn(values.all, step, {});
      assertNoValueIn(values.all, post, {});

      // The restored run released its lock, so the next drill on these vaults starts at once.
      if (label !== CURRENT_NODE) return;
      const next = await runTask(runtime, 'execution', { ...agentEnv(emulator, 'job-next'), ...drillInputs(set) });
      assert.equal(taskResult(next.commands).properties.result, 'Succeeded', `the next drill: ${taskResult(next.commands).data}`);
      assert.ok(!next.stdout.includes('did not finish; restoring what it changed'), 'the next drill found nothing left to restore');
    });
  }

  it('restores the primary itself on SIGINT', async () => {
    // The agent sends SIGINT to a cancelled task before it kills it.
    const set = SETS.cancelled;
    const runtime = runtimes.get(CURRENT_NODE)!;
    const { env, resourceId, original, report, step, commands } = await stopNetworkDrill(runtime, set, 'SIGINT');

    const complete = taskResult(commands);
    assert.equal(complete.properties.result, 'Failed', `task result: ${complete.data}\nstderr: ${step.stderr}`);
    assert.equal(step.code, 1);
    assert.deepEqual(await armRequest(emulator, 'GET', resourceId), original, 'the step put back the original network settings before it exited');
    const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson & { network: { restored: boolean }; warnings: string[] };
    assert.equal(json.network.restored, true);
    assert.ok(json.warnings.some((warning) => /stopped by SIGINT/.test(warning)), JSON.stringify(json.warnings));
    await assertNoActiveCanary(emulator, set);
    assertNoValueIn([], step, {});

    const post = await runTask(runtime, 'postjobexecution', { ...env, ...taskVariablesEnv(commands) });
    assert.equal(taskResult(post.commands).data, 'No drill of this job was left to restore.');
  });

  it('fails on a missed RTO target', async () => {
    const set = SETS.missedRto;
    const report = join(work, `${set.primary}.json`);
    // Latency in the first secondary makes the bookkeeping write and the canary write, which the RTO spans, take 200 ms or more.
    await emulator.admin.setFaults(set.secondaries[0], { latencyMs: 100 });
    const run = await runTask(runtimes.get('Node 24')!, 'execution', { ...agentEnv(emulator, `job-${set.primary}`), ...drillInputs(set, { INPUT_RTOTARGET: '50ms', INPUT_REPORT: report }) });
    await emulator.admin.clearFaults(set.secondaries[0]);

    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'Failed', `task result: ${complete.data}\nstderr: ${run.stderr}`);
    assert.equal(run.code, 1);
    assert.match(complete.data, /RTO [\d.]+ m?s \(target 50 ms, missed\)/);
    const outputs = outputVariables(run.commands);
    assert.equal(outputs.result, 'failed');
    assert.equal(outputs.passed, 'false');
    assert.ok(Number(outputs.rtoSeconds) >= 0.2, `rtoSeconds ${outputs.rtoSeconds}`);
    const issues = run.commands.filter((command) => command.command === 'task.issue' || command.command === 'task.logissue');
    assert.ok(issues.some((issue) => issue.properties.type === 'error'), 'an error annotation');
    const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson;
    assert.ok(json.steps.every((step) => step.status === 'passed'), 'every step passed; only the target was missed');
    const summary = readFileSync(run.commands.find((command) => command.command === 'task.uploadsummary')!.data, 'utf8');
    assert.match(summary, /\| RTO \(end of loss to first write in a survivor\) \| [^|]+ \| 50 ms \| missed \|/);
    assertNoValueIn((await canaryValues(emulator, set, json.canaries)).all, run, { summary });
  });

  it('fails on a missed RPO target', async () => {
    const set = SETS.missedRpo;
    // A write the secondaries never received, made two minutes before the drill.
    emulator.admin.seed(set.primary, [{ name: 'app-unsynced', value: 'SEEDVALUE-unsynced', createdOn: Math.floor(Date.now() / 1000) - 120 }]);
    const report = join(work, `${set.primary}.json`);
    const run = await runTask(runtimes.get(CURRENT_NODE)!, 'execution', { ...agentEnv(emulator, `job-${set.primary}`), ...drillInputs(set, { INPUT_RPOTARGET: '1m', INPUT_REPORT: report }) });

    const complete = taskResult(run.commands);
    assert.equal(complete.properties.result, 'Failed', `task result: ${complete.data}\nstderr: ${run.stderr}`);
    assert.equal(run.code, 1);
    assert.match(complete.data, /RPO 1 secret\(s\) at risk, oldest [^(]+\(target 1 min 0 s, missed\)/);
    const outputs = outputVariables(run.commands);
    assert.equal(outputs.result, 'failed');
    assert.equal(outputs.passed, 'false');
    assert.equal(outputs.rpoSecretsAtRisk, '1');
    assert.ok(Number(outputs.rpoOldestAgeSeconds) >= 120, `rpoOldestAgeSeconds ${outputs.rpoOldestAgeSeconds}`);
    const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson;
    assert.deepEqual(json.rpo?.survivors[0].secrets, ['app-unsynced']);
    // Preflight applies the RPO target, so the drill stops before it changes anything.
    assert.deepEqual(json.steps.map((step) => `${step.name} ${step.status}`), ['preflight failed', 'loss skipped', 'canary skipped', 'failover-reads skipped', 'failback skipped', 'cleanup skipped']);
    const summary = readFileSync(run.commands.find((command) => command.command === 'task.uploadsummary')!.data, 'utf8');
    assert.ok(summary.includes('app-unsynced'), 'the summary names the secret at risk');
    assertNoValueIn(['SEEDVALUE-unsynced'], run, { summary, 'the JSON report': readFileSync(report, 'utf8') });
  });
});
