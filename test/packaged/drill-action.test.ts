/**
 * Runs the committed drill action bundle the way the GitHub runner does: `node dist/index.js` with
 * INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE files and the runner's
 * ID-token endpoint, on Node 20 and Node 24, against the emulator. The post step runs `runs.post`
 * with the state the step saved, passed on as STATE_* variables as the runner does.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/index';
import { createSecretClient } from '../helpers/emulator';
import { readActionManifest, repoRoot } from '../helpers/front-ends';
import { parseFileCommands, parseWorkflowCommands, withoutMaskCommands } from './helpers/commands';
import {
  armRequest,
  assertNoActiveCanary,
  canaryValues,
  seedReplicated,
  startStep,
  vaultSet,
  waitForCanary,
  type VaultSet,
} from './helpers/drill';
import { assertNoSeededValue, jwtIssuers } from './helpers/fixture';
import { CURRENT_NODE, ensureNode24, runNode, type NodeRuntime, type ProcessResult } from './helpers/runtimes';

const actionDirectory = join(repoRoot, 'actions', 'drill');

/** The primary's network settings before a network drill: rules the drill must put back exactly. */
const ORIGINAL_NETWORK = {
  publicNetworkAccess: 'Enabled',
  networkAcls: {
    bypass: 'AzureServices',
    defaultAction: 'Deny',
    // 127.0.0.1 is the address every client of the emulator has, so the vault stays reachable.
    ipRules: [{ value: '127.0.0.1' }, { value: '198.51.100.0/24' }],
    virtualNetworkRules: [{ id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/snet-runners' }],
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
  matrix: vaultSet('mx'),
};

/** The part of the JSON report the tests read. */
interface DrillReportJson {
  runId: string;
  steps: Array<{ name: string; status: string }>;
  canaries: Array<{ name: string }>;
  rpo?: { survivors: Array<{ secrets: string[] }> };
}

/** What one run of the bundle wrote: its output, workflow commands and the runner's files. */
interface ActionRun extends ProcessResult {
  commands: ReturnType<typeof parseWorkflowCommands>;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
}

describe('drill action bundle', function () {
  this.timeout(600_000);
  let work: string;
  let emulator: Emulator;
  const runtimes = new Map<string, NodeRuntime>();
  const started: ChildProcess[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-drill-action-'));
    runtimes.set(CURRENT_NODE, { label: CURRENT_NODE, path: process.execPath });
    runtimes.set('Node 24', { label: 'Node 24', path: ensureNode24() });
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

  /**
   * Returns the runner's variables for a job with `permissions: id-token: write` that signs in
   * with OIDC, the run ids the drill records, and what points Node and kvdr at the emulator.
   */
  function runnerEnv(set: VaultSet, extra: Record<string, string> = {}): Record<string, string> {
    const { NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS, AZURE_AUTHORITY_HOST, KVDR_ARM_ENDPOINT } = emulator.env;
    return {
      NODE_EXTRA_CA_CERTS,
      KVDR_ALLOW_CUSTOM_HOSTS,
      AZURE_AUTHORITY_HOST,
      KVDR_ARM_ENDPOINT,
      GITHUB_RUN_ID: '9077',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: `drill-${set.primary}`,
      ACTIONS_ID_TOKEN_REQUEST_URL: emulator.identity.idTokenRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.identity.idTokenRequestToken,
      INPUT_AUTHMODE: 'oidc',
      INPUT_CLIENTID: emulator.clientId,
      INPUT_TENANTID: emulator.tenantId,
      INPUT_PRIMARY: emulator.vaults[set.primary],
      INPUT_SECONDARY: set.secondaries.map((name) => emulator.vaults[name]).join('\n'),
      ...extra,
    };
  }

  /** Creates the files the runner gives one step: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE and RUNNER_TEMP. */
  function stepFiles(): Record<string, string> {
    const directory = mkdtempSync(join(work, 'step-'));
    const files = { GITHUB_OUTPUT: join(directory, 'output'), GITHUB_STEP_SUMMARY: join(directory, 'summary'), GITHUB_STATE: join(directory, 'state') };
    for (const file of Object.values(files)) writeFileSync(file, '');
    return { ...files, RUNNER_TEMP: directory };
  }

  function readStep(result: ProcessResult, files: Record<string, string>): ActionRun {
    return {
      ...result,
      commands: parseWorkflowCommands(result.stdout),
      outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      state: parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8')),
    };
  }

  /** Runs `runs.main` (or `runs.post`, with the STATE_* variables the runner derives from the step's GITHUB_STATE). */
  async function runAction(runtime: NodeRuntime, phase: 'main' | 'post', env: Record<string, string>, savedState: Record<string, string> = {}): Promise<ActionRun> {
    const manifest = readActionManifest(actionDirectory) as ReturnType<typeof readActionManifest> & { runs: { post: string } };
    const files = stepFiles();
    const stateEnv = Object.fromEntries(Object.entries(savedState).map(([name, value]) => [`STATE_${name}`, value]));
    const result = await runNode(runtime, join(actionDirectory, manifest.runs[phase]), { ...env, ...stateEnv, ...files }, files.RUNNER_TEMP);
    return readStep(result, files);
  }

  /** Fails when a seeded value or any of `values` appears in the step's log (mask commands aside), stderr, outputs, summary or `files`. */
  function assertNoValueIn(values: string[], run: ActionRun, files: Record<string, string> = {}): void {
    const places: Record<string, string> = {
      stdout: withoutMaskCommands(run.stdout),
      stderr: run.stderr,
      GITHUB_OUTPUT: JSON.stringify(run.outputs),
      'the job summary': run.summary,
      ...files,
    };
    for (const [where, text] of Object.entries(places)) {
      assertNoSeededValue(text, where);
      for (const value of values) assert.ok(!text.includes(value), `a canary value appears in ${where}`);
    }
  }

  function masked(run: ActionRun): Set<string> {
    return new Set(run.commands.filter((command) => command.command === 'add-mask').map((command) => command.data));
  }

  for (const [label, set] of [[CURRENT_NODE, SETS.logicalCurrent], ['Node 24', SETS.logicalNode24]] as const) {
    it(`passes a logical drill on ${label}`, async () => {
      const runtime = runtimes.get(label)!;
      const report = join(work, `${set.primary}.json`);
      const markdown = join(work, `${set.primary}.md`);
      const junit = join(work, `${set.primary}.xml`);
      const env = runnerEnv(set, { INPUT_REPORT: report, INPUT_MARKDOWN: markdown, INPUT_JUNIT: junit });
      const run = await runAction(runtime, 'main', env);

      assert.equal(run.code, 0, `exit code; stderr: ${run.stderr}\nstdout: ${withoutMaskCommands(run.stdout).slice(-3000)}`);
      assert.ok(!run.commands.some((command) => command.command === 'error'), 'no error annotation');
      const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson;
      assert.deepEqual(json.steps.map((step) => `${step.name} ${step.status}`), ['preflight passed', 'loss passed', 'canary passed', 'failover-reads passed', 'failback passed', 'cleanup passed']);

      const declared = Object.keys(readActionManifest(actionDirectory).outputs);
      assert.deepEqual(Object.keys(run.outputs).filter((name) => !declared.includes(name)), [], 'every output is declared in action.yml');
      assert.equal(run.outputs.result, 'succeeded');
      assert.equal(run.outputs.passed, 'true');
      assert.equal(run.outputs.runId, json.runId);
      assert.match(run.outputs.runId, /^\d{14}-[0-9a-f]{6}$/);
      assert.match(run.outputs.rtoSeconds, /^\d+\.\d$/);
      assert.equal(run.outputs.rpoSecretsAtRisk, '0');
      assert.equal(run.outputs.rpoOldestAgeSeconds, '0');
      assert.equal(run.outputs.reportPath, report);
      assert.deepEqual(run.state, { kvdrDrillStarted: 'true' }, 'the step saved the state its post step reads');

      assert.match(run.summary, /^## kvdr drill: passed/m);
      assert.match(run.summary, /### Timeline/);
      assert.match(run.summary, /\| RTO \(end of loss to first write in a survivor\) \| [^|]+ \| 5 min 0 s \| met \|/);

      const registered = masked(run);
      assert.ok(jwtIssuers(registered).includes('https://token.actions.githubusercontent.com'), 'the ID token is masked');
      assert.ok(!withoutMaskCommands(run.stdout).includes(emulator.identity.idTokenRequestToken), 'the request token stays out of the log');
      assert.equal(json.canaries.length, 2, 'one canary per secondary');
      const values = await canaryValues(emulator, set, json.canaries);
      assert.equal(values.all.length, 4, 'a write and a rotation per canary');
      assert.equal(values.rotated.length, 2);
      for (const value of values.rotated) assert.ok(registered.has(value), 'the rotated canary value, which the drill reads back, is masked');
      assert.equal(run.stderr, '', 'nothing on stderr');
      assertNoValueIn(values.all, run, {
        'the JSON report': readFileSync(report, 'utf8'),
        'the Markdown summary': readFileSync(markdown, 'utf8'),
        'the JUnit file': readFileSync(junit, 'utf8'),
      });
      await assertNoActiveCanary(emulator, set);

      const post = await runAction(runtime, 'post', env, run.state);
      assert.equal(post.code, 0, `post step exit code; stderr: ${post.stderr}\nstdout: ${withoutMaskCommands(post.stdout)}`);
      assert.ok(post.stdout.includes('No drill of this job was left to restore.'), withoutMaskCommands(post.stdout));
      assert.equal(post.summary, '', 'the post step writes no job summary');
      assertNoValueIn(values.all, post);
    });
  }

  /**
   * Starts the action's main step with a network drill on `set`. Once the outage is on and the
   * first secondary contains a canary, runs `whileOutage`, then sends `signal` (when given) and
   * waits for the step to end. Returns the step's output and files and what the test needs to run
   * the post step and compare the primary's settings.
   */
  async function runNetworkDrill(runtime: NodeRuntime, set: VaultSet, options: { signal?: NodeJS.Signals; whileOutage?: () => Promise<void>; env?: Record<string, string> }) {
    const resourceId = emulator.resourceIds[set.primary];
    await armRequest(emulator, 'PATCH', resourceId, { properties: ORIGINAL_NETWORK });
    const original = await armRequest(emulator, 'GET', resourceId);
    const report = join(work, `${set.primary}.json`);
    const env = runnerEnv(set, { INPUT_MODE: 'network', INPUT_ALLOWDISRUPTION: 'true', INPUT_PRIMARYRESOURCEID: resourceId, INPUT_LOCKEXPIRY: '10m', INPUT_PROPAGATIONTIMEOUT: '1m', INPUT_REPORT: report, ...options.env });
    const files = stepFiles();

    // The slow second secondary keeps the outage open for seconds, so the signal lands inside it.
    await emulator.admin.setFaults(set.secondaries[1], { latencyMs: 1000 });
    const manifest = readActionManifest(actionDirectory);
    const running = startStep(runtime, join(actionDirectory, manifest.runs.main), { ...env, ...files }, files.RUNNER_TEMP);
    started.push(running.child);
    await waitForCanary(emulator, set, running, 'step');
    assert.equal((await armRequest(emulator, 'GET', resourceId)).publicNetworkAccess, 'Disabled', 'the outage is on');
    await options.whileOutage?.();
    if (options.signal !== undefined) running.child.kill(options.signal);
    await emulator.admin.clearFaults(set.secondaries[1]);
    return { env, resourceId, original, report, step: readStep(await running.ended, files) };
  }

  for (const [label, set] of [[CURRENT_NODE, SETS.killedCurrent], ['Node 24', SETS.killedNode24]] as const) {
    it(`restores a killed network drill in post on ${label}`, async () => {
      const runtime = runtimes.get(label)!;
      const { env, resourceId, original, step } = await runNetworkDrill(runtime, set, { signal: 'SIGKILL' });
      assert.equal((await armRequest(emulator, 'GET', resourceId)).publicNetworkAccess, 'Disabled', 'the killed step left the primary closed');
      assert.equal(step.outputs.result, undefined, 'the killed step never finished');

      const post = await runAction(runtime, 'post', env, step.state);
      assert.equal(post.code, 0, `post step exit code; stderr: ${post.stderr}\nstdout: ${withoutMaskCommands(post.stdout)}`);
      assert.match(post.stdout, /^Restored drill \d{14}-[0-9a-f]{6}\.$/m);
      assert.match(post.stdout, /removed canary drill-canary-\S+-1 from /);
      const warnings = post.commands.filter((command) => command.command === 'warning').map((command) => command.data);
      assert.deepEqual(warnings.filter((warning) => !/did not finish; restoring what it changed\.$/.test(warning)), [], 'no warning besides the one naming the drill it restores');
      assert.ok(!post.commands.some((command) => command.command === 'error'), 'no error annotation');
      assert.deepEqual(await armRequest(emulator, 'GET', resourceId), original, 'the post step put back the original network settings');
      await createSecretClient(emulator, set.primary).getSecret('app-plain');
      await assertNoActiveCanary(emulator, set);
      const canary = /removed canary (drill-canary-\S+-1) from /.exec(post.stdout)![1];
      const values = await canaryValues(emulator, set, [{ name: canary }]);
      assert.ok(values.all.length > 0, 'the killed drill wrote the canary');
      assertNoValueIn(values.all, step);
      assertNoValueIn(values.all, post);

      // The restored run released its lock, so the next drill on these vaults starts at once.
      if (label !== CURRENT_NODE) return;
      const next = await runAction(runtime, 'main', runnerEnv(set, { GITHUB_RUN_ID: '9078' }));
      assert.equal(next.outputs.result, 'succeeded', `the next drill: ${next.stderr}\n${withoutMaskCommands(next.stdout).slice(-2000)}`);
      assert.ok(!next.stdout.includes('did not finish; restoring what it changed'), 'the next drill found nothing left to restore');
    });
  }

  it('restores the primary itself on SIGINT', async () => {
    // The runner sends SIGINT to a cancelled step before it kills it.
    const set = SETS.cancelled;
    const runtime = runtimes.get('Node 24')!;
    const { env, resourceId, original, report, step } = await runNetworkDrill(runtime, set, { signal: 'SIGINT' });

    assert.equal(step.code, 1, `exit code; stderr: ${step.stderr}`);
    assert.equal(step.outputs.result, 'failed');
    assert.ok(step.commands.some((command) => command.command === 'error'), 'an error annotation');
    assert.deepEqual(await armRequest(emulator, 'GET', resourceId), original, 'the step put back the original network settings before it exited');
    const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson & { network: { restored: boolean }; warnings: string[] };
    assert.equal(json.network.restored, true);
    assert.ok(json.warnings.some((warning) => /stopped by SIGINT/.test(warning)), JSON.stringify(json.warnings));
    await assertNoActiveCanary(emulator, set);
    assertNoValueIn([], step);

    const post = await runAction(runtime, 'post', env, step.state);
    assert.equal(post.code, 0, `post step exit code; stderr: ${post.stderr}`);
    assert.ok(post.stdout.includes('No drill of this job was left to restore.'), withoutMaskCommands(post.stdout));
  });

  it("leaves another matrix leg's drill alone", async () => {
    // Legs of one matrix job share GITHUB_RUN_ID and GITHUB_JOB, and run on different runners.
    const set = SETS.matrix;
    const runtime = runtimes.get(CURRENT_NODE)!;
    const resourceId = emulator.resourceIds[set.primary];
    let otherPost: ActionRun | undefined;
    const { original, step } = await runNetworkDrill(runtime, set, {
      env: { RUNNER_NAME: 'GitHub Actions 2' },
      whileOutage: async () => {
        otherPost = await runAction(runtime, 'post', runnerEnv(set, { RUNNER_NAME: 'GitHub Actions 1' }), { kvdrDrillStarted: 'true' });
        assert.equal((await armRequest(emulator, 'GET', resourceId)).publicNetworkAccess, 'Disabled', "the other leg's post step left the running drill's outage on");
      },
    });

    assert.equal(otherPost?.code, 0, `the other leg's post step; stderr: ${otherPost?.stderr}`);
    assert.ok(otherPost.stdout.includes('No drill of this job was left to restore.'), withoutMaskCommands(otherPost.stdout));
    assert.equal(step.code, 0, `the drill's exit code; stderr: ${step.stderr}\nstdout: ${withoutMaskCommands(step.stdout).slice(-3000)}`);
    assert.equal(step.outputs.result, 'succeeded');
    assert.deepEqual(await armRequest(emulator, 'GET', resourceId), original, 'the drill put back the original network settings');
  });

  it('fails on a missed RTO target', async () => {
    const set = SETS.missedRto;
    const report = join(work, `${set.primary}.json`);
    // Latency in the first secondary makes the bookkeeping write and the canary write, which the RTO spans, take 200 ms or more.
    await emulator.admin.setFaults(set.secondaries[0], { latencyMs: 100 });
    const run = await runAction(runtimes.get(CURRENT_NODE)!, 'main', runnerEnv(set, { INPUT_RTOTARGET: '50ms', INPUT_REPORT: report }));
    await emulator.admin.clearFaults(set.secondaries[0]);

    assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
    assert.equal(run.outputs.result, 'failed');
    assert.equal(run.outputs.passed, 'false');
    assert.ok(Number(run.outputs.rtoSeconds) >= 0.2, `rtoSeconds ${run.outputs.rtoSeconds}`);
    const errors = run.commands.filter((command) => command.command === 'error').map((command) => command.data);
    assert.equal(errors.length, 1, `one error annotation: ${errors.join('\n')}`);
    assert.match(errors[0], /RTO [\d.]+ m?s \(target 50 ms, missed\)/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson;
    assert.ok(json.steps.every((step) => step.status === 'passed'), 'every step passed; only the target was missed');
    assert.match(run.summary, /\| RTO \(end of loss to first write in a survivor\) \| [^|]+ \| 50 ms \| missed \|/);
    assertNoValueIn((await canaryValues(emulator, set, json.canaries)).all, run);
  });

  it('fails on a missed RPO target', async () => {
    const set = SETS.missedRpo;
    // A write the secondaries never received, made two minutes before the drill.
    emulator.admin.seed(set.primary, [{ name: 'app-unsynced', value: 'SEEDVALUE-unsynced', createdOn: Math.floor(Date.now() / 1000) - 120 }]);
    const report = join(work, `${set.primary}.json`);
    const run = await runAction(runtimes.get('Node 24')!, 'main', runnerEnv(set, { INPUT_RPOTARGET: '1m', INPUT_REPORT: report }));

    assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
    assert.equal(run.outputs.result, 'failed');
    assert.equal(run.outputs.passed, 'false');
    assert.equal(run.outputs.rpoSecretsAtRisk, '1');
    assert.ok(Number(run.outputs.rpoOldestAgeSeconds) >= 120, `rpoOldestAgeSeconds ${run.outputs.rpoOldestAgeSeconds}`);
    // One error annotation for the failed preflight step, then the step's result.
    const errors = run.commands.filter((command) => command.command === 'error').map((command) => command.data);
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0], /^Drill step preflight failed: Drift exceeds the RPO target of 1 min 0 s/);
    assert.match(errors[1], /RPO 1 secret\(s\) at risk, oldest [^(]+\(target 1 min 0 s, missed\)/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as DrillReportJson;
    assert.deepEqual(json.rpo?.survivors[0].secrets, ['app-unsynced']);
    // Preflight applies the RPO target, so the drill stops before it changes anything.
    assert.deepEqual(json.steps.map((step) => `${step.name} ${step.status}`), ['preflight failed', 'loss skipped', 'canary skipped', 'failover-reads skipped', 'failback skipped', 'cleanup skipped']);
    assert.ok(run.summary.includes('app-unsynced'), 'the job summary names the secret at risk');
    assertNoValueIn(['SEEDVALUE-unsynced'], run, { 'the JSON report': readFileSync(report, 'utf8') });
  });
});
