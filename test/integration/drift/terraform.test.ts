/**
 * `kvdr drift --terraform-dir` with the real terraform binary, on the fixture stack of built-in
 * features only. The stack is applied with the deploy engine, then changed in two ways: a
 * `terraform_data` input (the next apply would change a resource) and an output expression (the
 * refresh-only plan exits 2 although no resource changed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { driftCommand } from '../../../src/commands/drift';
import type { DriftReport } from '../../../src/core/drift/report';
import { deployRegions } from '../../../src/core/terraform/deploy';
import { RecordingHost } from '../../helpers/recording-host';

const STACK = resolve(__dirname, '..', '..', 'fixtures', 'terraform', 'region-stack');
/** A recognisable sensitive value: it must appear in no log, summary, output or report. */
const SECRET = 'kvdr-drift-secret-5e1d0c7b-DO-NOT-PRINT';
const TERRAFORM_ENV = { TF_VAR_connection_secret: SECRET, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };

function terraformInstalled(): boolean {
  return spawnSync('terraform', ['version'], { env: { ...process.env, ...TERRAFORM_ENV } }).status === 0;
}

describe('kvdr drift with terraform', function () {
  this.timeout(300_000);
  let workDir: string;
  let stackDir: string;

  before(function () {
    if (!terraformInstalled()) {
      console.log('    skipped: terraform is not installed (install Terraform 1.5 or newer to run the Terraform drift tests)');
      this.skip();
    }
  });

  beforeEach(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'kvdr-drift-tf-'));
    stackDir = join(workDir, 'stack');
    cpSync(STACK, stackDir, { recursive: true });
    writeFileSync(join(stackDir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
    const deployed = await deployRegions({
      terraformDir: stackDir,
      regions: ['westeurope'],
      command: 'plan-apply',
      planDir: join(workDir, 'plans'),
      workDir: join(workDir, 'data'),
      backendConfig: { path: join(workDir, 'state', '{region}.tfstate') },
      varFiles: [join(stackDir, 'regions.tfvars')],
      env: { ...process.env, ...TERRAFORM_ENV },
    });
    assert.deepEqual(deployed.failedRegions, [], JSON.stringify(deployed.regions));
  });

  afterEach(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  const drift = async (varFile: string) => {
    const paths = { report: join(workDir, 'drift.json'), junit: join(workDir, 'drift.xml'), markdown: join(workDir, 'drift.md') };
    const host = new RecordingHost(
      {
        terraformDir: stackDir,
        region: 'westeurope',
        backendConfig: `path=${join(workDir, 'state', '{region}.tfstate')}`,
        varFile: join(stackDir, varFile),
        ...paths,
      },
      { childEnv: TERRAFORM_ENV },
    );
    const code = await driftCommand.run(host);
    const files = Object.values(paths).map((path) => (existsSync(path) ? readFileSync(path, 'utf8') : ''));
    for (const text of [host.transcript, ...files]) assert.ok(!text.includes(SECRET), 'the sensitive value appeared in an output');
    return { code, host, report: host.results[0] as DriftReport, junit: files[1] };
  };

  it('finds no drift right after apply', async () => {
    const { code, report } = await drift('regions.tfvars');

    assert.equal(code, 0);
    assert.equal(report.driftCount, 0);
    assert.equal(report.terraform?.regions[0].outcome, 'checked');
  });

  it('finds resource_changes after a config change', async () => {
    const { code, host, report, junit } = await drift('regions-premium.tfvars');

    assert.equal(code, 2, host.transcript);
    assert.equal(host.outputs.driftDetected, 'true');
    assert.equal(host.outputs.driftCount, '1');
    const [finding] = report.terraform?.regions[0].findings ?? [];
    assert.equal(finding.address, 'terraform_data.vault');
    assert.equal(finding.kind, 'pending-change');
    assert.ok(['update', 'replace'].includes(finding.action), finding.action);
    assert.ok(finding.changedAttributes.includes('input'), finding.changedAttributes.join(','));
    assert.match(junit, /<testcase classname="terraform\/westeurope" name="terraform_data\.vault" time="0">\s*<failure type="drift"/);
  });

  it('trusts the JSON over the exit code', async () => {
    const main = join(stackDir, 'main.tf');
    writeFileSync(main, readFileSync(main, 'utf8').replace('.vault.azure.net/', '.vault.example.test/'));

    const { code, host, report } = await drift('regions.tfvars');

    assert.equal(code, 0, host.transcript);
    const region = report.terraform?.regions[0];
    assert.equal(region?.refreshOnlyExitCodeSignalledChanges, true);
    assert.deepEqual(region?.outputChanges, ['vault_uri']);
    assert.deepEqual(region?.findings, []);
    assert.equal(report.driftCount, 0);
  });

  it('fails a region that cannot be checked', async () => {
    writeFileSync(join(stackDir, 'broken.tf'), 'resource "terraform_data" "broken" {\n  input = var.missing\n}\n');

    const { code, report } = await drift('regions.tfvars');

    assert.equal(code, 1);
    assert.equal(report.terraform?.regions[0].outcome, 'failed');
    assert.match(report.terraform?.regions[0].error ?? '', /missing/);
  });
});
