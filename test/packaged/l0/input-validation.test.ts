/**
 * L0 tests in azure-pipelines-task-lib's style: MockTestRunner runs the built KeyVaultSync bundle
 * with bad inputs, and the task must fail with an error issue naming the input. No emulator runs
 * here, so a task that called a vault or identity endpoint first would fail with another message.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { repoRoot } from '../../helpers/front-ends';

const scenario = join(__dirname, 'scenario.js');

describe('KeyVaultSync input validation (L0)', function () {
  this.timeout(300_000);
  let agentTemp: string;

  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs', 'tasks'], { cwd: repoRoot, stdio: 'inherit' });
    agentTemp = mkdtempSync(join(tmpdir(), 'kvdr-l0-'));
  });

  after(() => {
    if (agentTemp) rmSync(agentTemp, { recursive: true, force: true });
  });

  async function run(inputs: Record<string, string>): Promise<MockTestRunner> {
    process.env.KVDR_L0_INPUTS = JSON.stringify(inputs);
    process.env.AGENT_TEMPDIRECTORY = agentTemp;
    try {
      const runner = new MockTestRunner(scenario);
      // Set explicitly: without it MockTestRunner downloads a Node build.
      runner.nodePath = process.execPath;
      await runner.runAsync();
      return runner;
    } finally {
      delete process.env.KVDR_L0_INPUTS;
      delete process.env.AGENT_TEMPDIRECTORY;
    }
  }

  const vaults = { source: 'kv-app-weu', target: 'kv-app-neu' };

  const cases: { name: string; inputs: Record<string, string>; message: RegExp }[] = [
    { name: 'rejects an unknown mode', inputs: { ...vaults, azureSubscription: 'c', mode: 'sideways' }, message: /sideways/ },
    { name: 'rejects a non-boolean dryRun', inputs: { ...vaults, azureSubscription: 'c', dryRun: 'maybe' }, message: /"dryRun": "maybe"\. Use true or false/ },
    { name: 'rejects a bad duration', inputs: { ...vaults, azureSubscription: 'c', timeout: '10 minutes' }, message: /10 minutes/ },
    { name: 'rejects an invalid vault name', inputs: { source: 'kv_bad!', target: 'kv-app-neu', azureSubscription: 'c' }, message: /kv_bad!/ },
    { name: 'requires a source', inputs: { target: 'kv-app-neu', azureSubscription: 'c' }, message: /source/ },
    { name: 'requires azureSubscription', inputs: { ...vaults }, message: /Missing required input "azureSubscription"/ },
  ];

  for (const { name, inputs, message } of cases) {
    it(name, async () => {
      const runner = await run(inputs);
      assert.ok(runner.failed, `the task failed; stdout:\n${runner.stdout.slice(-1500)}`);
      assert.equal(runner.errorIssues.length, 1, `one error issue: ${JSON.stringify(runner.errorIssues)}`);
      assert.match(runner.errorIssues[0], message);
    });
  }
});
