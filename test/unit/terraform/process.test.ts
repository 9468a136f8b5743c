/**
 * The terraform runner and version check against small stand-in scripts, so abort, deadline,
 * missing-binary and old-version paths run without the real terraform.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEngineError } from '../../../src/core/errors';
import { runTerraform } from '../../../src/core/terraform/process';
import { checkTerraformVersion, isVersionAtLeast } from '../../../src/core/terraform/version';
import { summarizeDiagnostics } from '../../../src/core/terraform/diagnostics';

describe('terraform runner', () => {
  let directory: string;
  const script = (name: string, body: string): string => {
    const file = join(directory, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-tf-runner-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('captures output and exit code', async () => {
    const terraformPath = script('terraform', 'echo "out $1"; echo "err" >&2; exit 3');
    const result = await runTerraform(['plan'], { cwd: directory, terraformPath });
    assert.deepEqual(result, { exitCode: 3, stdout: 'out plan\n', stderr: 'err\n' });
  });

  it('passes arguments without a shell', async () => {
    const terraformPath = script('terraform', 'printf "%s|" "$@"');
    const result = await runTerraform(['plan', '-var', 'region=$(touch pwned)'], { cwd: directory, terraformPath });
    assert.equal(result.stdout, 'plan|-var|region=$(touch pwned)|');
  });

  it('names the install steps when terraform is missing', async () => {
    await assert.rejects(runTerraform(['version'], { cwd: directory, terraformPath: join(directory, 'absent', 'terraform') }), (error: unknown) => {
      return isEngineError(error) && error.code === 'not-found' && /Install Terraform 1\.5 or newer/.test(error.message);
    });
  });

  it('stops terraform at the deadline', async () => {
    const terraformPath = script('terraform', 'trap "" INT; sleep 30');
    const started = Date.now();
    await assert.rejects(
      runTerraform(['apply'], { cwd: directory, terraformPath, abortSignal: AbortSignal.timeout(200), killGraceInMs: 200 }),
      (error: unknown) => isEngineError(error) && error.code === 'timeout',
    );
    assert.ok(Date.now() - started < 20_000, 'the child was not killed');
  });

  it('stops terraform when aborted', async () => {
    const terraformPath = script('terraform', 'sleep 30');
    const controller = new AbortController();
    const running = runTerraform(['apply'], { cwd: directory, terraformPath, abortSignal: controller.signal, killGraceInMs: 200 });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(running, (error: unknown) => isEngineError(error) && error.code === 'aborted');
  });

  it('accepts terraform 1.5 and newer', async () => {
    const terraformPath = script('terraform', 'echo \'{"terraform_version":"1.11.4","platform":"linux_amd64"}\'');
    assert.equal(await checkTerraformVersion({ cwd: directory, terraformPath }), '1.11.4');
  });

  it('names an older terraform', async () => {
    const terraformPath = script('terraform', 'echo \'{"terraform_version":"1.4.6"}\'');
    await assert.rejects(checkTerraformVersion({ cwd: directory, terraformPath }), (error: unknown) => {
      return isEngineError(error) && error.code === 'invalid-input' && /Terraform 1\.4\.6 is too old: kvdr needs 1\.5\.0 or newer/.test(error.message);
    });
  });

  it('reads a text-only version', async () => {
    const terraformPath = script('terraform', 'echo "Terraform v0.12.31"');
    await assert.rejects(checkTerraformVersion({ cwd: directory, terraformPath }), /Terraform 0\.12\.31 is too old/);
  });

  it('compares versions numerically', () => {
    assert.equal(isVersionAtLeast('1.10.0', '1.5.0'), true);
    assert.equal(isVersionAtLeast('1.5.0', '1.5.0'), true);
    assert.equal(isVersionAtLeast('1.4.99', '1.5.0'), false);
    assert.equal(isVersionAtLeast('v2.0.0', '1.5.0'), true);
  });
});

describe('terraform diagnostics', () => {
  it('reads JSON diagnostics', () => {
    const line = JSON.stringify({ type: 'diagnostic', diagnostic: { severity: 'error', summary: 'Invalid value for variable', detail: 'bad\n region', address: 'var.region' } });
    assert.equal(summarizeDiagnostics(line + '\n', '', 1), 'Invalid value for variable (var.region): bad region');
  });

  it('reads boxed text diagnostics', () => {
    const stderr = ['╷', '│ Error: Failed to get existing workspaces', '│ ', '│ storage account not found', '╵', ''].join('\n');
    assert.equal(summarizeDiagnostics('', stderr, 1), 'Failed to get existing workspaces: storage account not found');
  });

  it('marks a shortened detail', () => {
    const detail = `${'provider registry lookup failed '.repeat(12)}while checking what versions are specified, and more`;
    const stderr = ['╷', '│ Error: Failed to query available provider packages', '│ ', `│ ${detail}`, '╵', ''].join('\n');
    const summary = summarizeDiagnostics('', stderr, 1);

    assert.match(summary, / …$/);
    assert.doesNotMatch(summary, /[, ] …$/);
    assert.equal(summary.includes('and more'), false);
  });

  it('names the exit code without diagnostics', () => {
    assert.match(summarizeDiagnostics('', '', 7), /exited with code 7/);
  });

  it('ignores warnings', () => {
    const line = JSON.stringify({ type: 'diagnostic', diagnostic: { severity: 'warning', summary: 'Deprecated' } });
    assert.match(summarizeDiagnostics(line, '', 1), /printed no error diagnostic/);
  });
});
