/**
 * `kvdr deploy` end to end with the real terraform binary, on a fixture stack of built-in features
 * only. The azurerm backend needs Azure, so each test copy gets a local backend override, and the
 * per-region state comes from `path=<dir>/{region}.tfstate`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deployCommand } from '../../../src/commands/deploy';
import type { DeployResult } from '../../../src/core/terraform/deploy';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURE = resolve(REPO_ROOT, 'test', 'fixtures', 'terraform', 'region-stack');
/** A recognisable sensitive value: it must appear in no log, summary, output, report or plan record. */
const SECRET = 'kvdr-test-secret-7f3c9a1e-DO-NOT-PRINT';

function terraformInstalled(): boolean {
  return spawnSync('terraform', ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' } }).status === 0;
}

describe('kvdr deploy with terraform', function () {
  this.timeout(300_000);
  let workDir: string;
  let stackDir: string;

  before(function () {
    if (!terraformInstalled()) {
      console.log('    skipped: terraform is not installed (install Terraform 1.5 or newer to run the deploy tests)');
      this.skip();
    }
  });

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'kvdr-deploy-'));
    stackDir = join(workDir, 'stack');
    cpSync(FIXTURE, stackDir, { recursive: true });
    writeFileSync(join(stackDir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
  });

  afterEach(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  const deploy = async (inputs: Inputs): Promise<{ host: RecordingHost; exitCode: number; result: DeployResult }> => {
    const host = new RecordingHost(
      {
        terraformDir: stackDir,
        backendConfig: [`path=${join(workDir, 'state', '{region}.tfstate')}`],
        varFile: join(stackDir, 'regions.tfvars'),
        report: join(workDir, 'report.json'),
        markdown: join(workDir, 'summary.md'),
        ...inputs,
      },
      { childEnv: { TF_VAR_connection_secret: SECRET, TF_CLI_CONFIG_FILE: '/dev/null' } },
    );
    const exitCode = await deployCommand.run(host);
    return { host, exitCode, result: host.results[0] as DeployResult };
  };

  const filesUnder = (directory: string): string[] =>
    readdirSync(directory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));

  it('plans, applies, then plans no change', async () => {
    const regions = ['westeurope', 'northeurope'];

    const planned = await deploy({ region: regions, command: 'plan' });
    assert.equal(planned.exitCode, 0, planned.host.transcript);
    assert.equal(planned.host.outputs.changesPresent, 'true');
    assert.equal(planned.host.outputs.destroyPresent, 'false');
    for (const region of planned.result.regions) {
      assert.equal(region.plan?.create, 2, region.region);
      assert.equal(region.applied, false, region.region);
      assert.ok(existsSync(join(stackDir, '.kvdr', 'plans', `${region.region}.tfplan`)), `${region.region} has no plan file`);
    }
    assert.match(planned.host.summaries[0], /\| westeurope \| succeeded \| 2 \| 0 \| 0 \| 0 \|/);

    const applied = await deploy({ region: regions, command: 'apply' });
    assert.equal(applied.exitCode, 0, applied.host.transcript);
    for (const region of applied.result.regions) {
      assert.equal(region.planSource, 'saved-plan', region.region);
      assert.equal(region.applied, true, region.region);
      assert.equal(region.outputs?.values.vault_uri, `https://kv-fixture-${region.region === 'westeurope' ? 'weu' : 'neu'}.vault.azure.net/`);
      assert.deepEqual(region.outputs?.sensitiveNames, ['connection']);
    }
    assert.ok(existsSync(join(workDir, 'state', 'westeurope.tfstate')), 'westeurope has no state of its own');
    assert.ok(existsSync(join(workDir, 'state', 'northeurope.tfstate')), 'northeurope has no state of its own');

    const again = await deploy({ region: regions, command: 'plan' });
    assert.equal(again.exitCode, 0, again.host.transcript);
    assert.equal(again.host.outputs.changesPresent, 'false');
    assert.equal(again.result.regions.every((region) => region.plan?.changesPresent === false), true);
  });

  it('reports a planned destroy', async () => {
    await deploy({ region: 'westeurope', command: 'plan-apply' });
    const planned = await deploy({ region: 'westeurope', command: 'plan', varFile: [join(stackDir, 'regions.tfvars'), join(stackDir, 'no-replica.tfvars')] });
    assert.equal(planned.exitCode, 0, planned.host.transcript);
    assert.equal(planned.host.outputs.destroyPresent, 'true');
    assert.deepEqual(planned.result.regions[0].plan?.changes, [{ address: 'terraform_data.replica[0]', kind: 'delete' }]);
  });

  it('re-plans and applies a matching approval', async () => {
    await deploy({ region: 'westeurope', command: 'plan-apply' });
    const premium = { region: 'westeurope', varFile: join(stackDir, 'regions-premium.tfvars') };

    const planned = await deploy({ ...premium, command: 'plan' });
    assert.equal(planned.result.regions[0].plan?.update, 1);
    // Only the approved-plan record remains, as when the plan file did not travel between stages.
    rmSync(join(stackDir, '.kvdr', 'plans', 'westeurope.tfplan'));

    const applied = await deploy({ ...premium, command: 'apply' });
    assert.equal(applied.exitCode, 0, applied.host.transcript);
    assert.equal(applied.result.regions[0].planSource, 're-planned');
    assert.equal(applied.result.regions[0].applied, true);
  });

  it('refuses a plan that differs from the approval', async () => {
    await deploy({ region: 'westeurope', command: 'plan-apply' });
    await deploy({ region: 'westeurope', command: 'plan', varFile: join(stackDir, 'regions-premium.tfvars') });
    rmSync(join(stackDir, '.kvdr', 'plans', 'westeurope.tfplan'));

    // The apply stage gets different variables than the approved plan did, so its new plan differs.
    const applied = await deploy({ region: 'westeurope', command: 'apply' });
    assert.equal(applied.exitCode, 2);
    const region = applied.result.regions[0];
    assert.equal(region.outcome, 'failed');
    assert.equal(region.applied, false);
    assert.equal(region.errorCode, 'conflict');
    assert.match(region.error ?? '', /differs from the approved plan/);
  });

  it('isolates a failing region', async () => {
    const run = await deploy({ region: ['westeurope', 'brokenregion', 'northeurope'], command: 'plan-apply' });
    assert.equal(run.exitCode, 2);
    assert.deepEqual(run.result.failedRegions, ['brokenregion']);
    assert.equal(run.host.outputs.failedRegions, 'brokenregion');
    assert.equal(run.host.result, 'partial');
    assert.match(run.host.message ?? '', /brokenregion/);
    const byRegion = Object.fromEntries(run.result.regions.map((region) => [region.region, region]));
    assert.equal(byRegion.westeurope.applied, true);
    assert.equal(byRegion.northeurope.applied, true);
    assert.match(byRegion.brokenregion.error ?? '', /rejected on purpose/);
    assert.equal(existsSync(join(stackDir, '.kvdr', 'plans', 'brokenregion.tfplan')), false, 'a failed plan left a plan file');
  });

  it('does not wait for a hanging region', async () => {
    const started = Date.now();
    const run = await deploy({ region: ['hangingregion', 'westeurope'], command: 'plan-apply', timeout: '20s' });
    assert.equal(run.exitCode, 2);
    const byRegion = Object.fromEntries(run.result.regions.map((region) => [region.region, region]));
    assert.equal(byRegion.westeurope.applied, true, byRegion.westeurope.error);
    assert.equal(byRegion.hangingregion.outcome, 'failed');
    assert.equal(byRegion.hangingregion.errorCode, 'timeout');
    assert.ok(Date.now() - started < 120_000, 'the hanging apply was not stopped');
  });

  it('keeps the sensitive value out of everything it writes', async () => {
    const run = await deploy({ region: ['westeurope', 'brokenregion'], command: 'plan-apply' });
    await deploy({ region: ['westeurope'], command: 'plan' });
    assert.equal(run.host.transcript.includes(SECRET), false, 'the transcript contains the secret');
    for (const file of [join(workDir, 'report.json'), join(workDir, 'summary.md')]) {
      assert.equal(readFileSync(file, 'utf8').includes(SECRET), false, `${file} contains the secret`);
    }
    for (const file of filesUnder(join(stackDir, '.kvdr', 'plans')).filter((name) => name.endsWith('.json'))) {
      assert.equal(readFileSync(file, 'utf8').includes(SECRET), false, `${file} contains the secret`);
    }
  });

  it('runs through the CLI', async () => {
    const args = [
      join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'src', 'cli.ts'), 'deploy',
      '--terraform-dir', stackDir, '--region', 'westeurope', '--region', 'brokenregion',
      '--backend-config', `path=${join(workDir, 'state', '{region}.tfstate')}`,
      '--var-file', join(stackDir, 'regions.tfvars'), '--command', 'plan-apply', '--json',
    ];
    const child = spawn(process.execPath, args, {
      cwd: workDir,
      env: { ...process.env, TF_VAR_connection_secret: SECRET, TF_CLI_CONFIG_FILE: '/dev/null', KVDR_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((done) => child.on('close', done));

    assert.equal(exitCode, 2, stderr);
    const report = JSON.parse(stdout) as DeployResult & { kind: string };
    assert.equal(report.kind, 'deploy');
    assert.deepEqual(report.failedRegions, ['brokenregion']);
    assert.match(stderr, /Deploy plan-apply failed in 1 of 2 region\(s\): brokenregion\./);
    assert.equal(stdout.includes(SECRET) || stderr.includes(SECRET), false, 'the CLI printed the secret');
  });

  it('rejects a stack without backend', async () => {
    rmSync(join(stackDir, 'backend_override.tf'));
    writeFileSync(join(stackDir, 'main.tf'), readFileSync(join(stackDir, 'main.tf'), 'utf8').replace('backend "azurerm" {}', ''));
    const run = await deploy({ region: ['westeurope', 'northeurope'], command: 'plan' });
    assert.equal(run.exitCode, 2);
    assert.match(run.result.regions[0].error ?? '', /declares no backend/);
  });
});
