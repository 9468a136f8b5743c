/**
 * The KeyVaultDeploy task and the deploy action as the agent and the runner run them: each entry
 * point bundled with esbuild, started with Node and the platform's environment (INPUT_*, a service
 * connection, GITHUB_OUTPUT), on the fixture stack with a local backend override. The platform's
 * commands are parsed structurally.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { parseFileCommands, parseLoggingCommands, withoutSecretRegistrations } from '../../packaged/helpers/commands';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'terraform', 'region-stack');
const SECRET = 'kvdr-test-secret-bundle-5d21';
const SP_KEY = 'kvdr-test-secret-sp-key-9c44';

function bundle(entry: string, outfile: string): void {
  buildSync({ entryPoints: [join(REPO_ROOT, entry)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error', absWorkingDir: REPO_ROOT });
}

async function run(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  return { exitCode, stdout, stderr };
}

describe('deploy task and action bundles', function () {
  this.timeout(300_000);
  let workDir: string;
  let stackDir: string;

  before(function () {
    const terraform = spawnSync('terraform', ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' } });
    if (terraform.status !== 0) {
      console.log('    skipped: terraform is not installed (install Terraform 1.5 or newer to run the bundle tests)');
      this.skip();
    }
  });

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'kvdr-deploy-bundle-'));
    stackDir = join(workDir, 'stack');
    cpSync(FIXTURE, stackDir, { recursive: true });
    writeFileSync(join(stackDir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
  });

  afterEach(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Environment shared by both front ends: only what terraform and the bundle need, no host secrets. */
  const baseEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TF_CLI_CONFIG_FILE: '/dev/null',
    TF_VAR_connection_secret: SECRET,
  });

  it('runs the task with a service connection', async () => {
    const script = join(workDir, 'task.js');
    bundle('tasks/KeyVaultDeploy/index.ts', script);
    const result = await run(script, workDir, {
      ...baseEnv(),
      INPUT_AZURESUBSCRIPTION: 'conn1',
      INPUT_TERRAFORMDIR: stackDir,
      INPUT_REGION: 'westeurope\nbrokenregion',
      INPUT_COMMAND: 'plan-apply',
      INPUT_BACKENDCONFIG: `path=${join(workDir, 'state', '{region}.tfstate')}`,
      INPUT_VARFILE: join(stackDir, 'regions.tfvars'),
      ENDPOINT_AUTH_SCHEME_CONN1: 'ServicePrincipal',
      ENDPOINT_AUTH_PARAMETER_CONN1_SERVICEPRINCIPALID: '00000000-0000-0000-0000-000000000001',
      ENDPOINT_AUTH_PARAMETER_CONN1_TENANTID: '00000000-0000-0000-0000-000000000002',
      ENDPOINT_AUTH_PARAMETER_CONN1_SERVICEPRINCIPALKEY: SP_KEY,
      ENDPOINT_DATA_CONN1_SUBSCRIPTIONID: '00000000-0000-0000-0000-000000000003',
      AGENT_TEMPDIRECTORY: workDir,
    });

    const commands = parseLoggingCommands(result.stdout);
    const outputs = Object.fromEntries(commands.filter((item) => item.command === 'task.setvariable').map((item) => [item.properties.variable, item.data]));
    assert.equal(outputs.changesPresent, 'true', result.stdout);
    assert.equal(outputs.destroyPresent, 'false');
    assert.equal(outputs.failedRegions, 'brokenregion');
    assert.equal(outputs.result, 'partial');
    const complete = commands.find((item) => item.command === 'task.complete');
    assert.equal(complete?.properties.result, 'SucceededWithIssues');
    assert.ok(commands.some((item) => item.command === 'task.setsecret' && item.data === SP_KEY), 'the service principal key is not masked');
    assert.ok(commands.some((item) => item.command === 'task.uploadsummary'), 'no job summary');

    // task-lib's own debug line about endpoint parameters is masked by the agent, which has their values.
    const printed = withoutSecretRegistrations(result.stdout).split('\n').filter((line) => !line.startsWith('##vso[task.debug]')).join('\n');
    assert.equal(printed.includes(SP_KEY), false, 'the service principal key was printed');
    assert.equal((result.stdout + result.stderr).includes(SECRET), false, 'the sensitive variable was printed');
  });

  it('runs the action with environment credentials', async () => {
    const script = join(workDir, 'action.js');
    bundle('actions/deploy/main.ts', script);
    const outputFile = join(workDir, 'github-output');
    const summaryFile = join(workDir, 'github-summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const result = await run(script, workDir, {
      ...baseEnv(),
      INPUT_AUTHMODE: 'environment',
      INPUT_TERRAFORMDIR: stackDir,
      INPUT_REGION: 'westeurope,northeurope',
      INPUT_COMMAND: 'plan',
      INPUT_BACKENDCONFIG: `path=${join(workDir, 'state', '{region}.tfstate')}`,
      INPUT_VARFILE: join(stackDir, 'regions.tfvars'),
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000002',
      AZURE_CLIENT_SECRET: SP_KEY,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    });

    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const outputs = parseFileCommands(readFileSync(outputFile, 'utf8'));
    assert.equal(outputs.changesPresent, 'true');
    assert.equal(outputs.destroyPresent, 'false');
    assert.equal(outputs.failedRegions, '');
    assert.equal(outputs.result, 'succeeded');
    const summary = readFileSync(summaryFile, 'utf8');
    assert.match(summary, /\| westeurope \| succeeded \| 2 \| 0 \| 0 \| 0 \| new plan \|/);
    assert.match(summary, /\| northeurope \| succeeded \| 2 \| 0 \| 0 \| 0 \| new plan \|/);
    assert.equal((result.stdout + result.stderr + summary).includes(SECRET), false, 'the sensitive variable was printed');
  });
});
