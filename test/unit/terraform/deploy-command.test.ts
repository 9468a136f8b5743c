/**
 * Input handling of `kvdr deploy`: bad input is rejected naming the value and the fix, before
 * terraform runs or any file is written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployCommand } from '../../../src/commands/deploy';
import { BufferedLogger } from '../../../src/core/terraform/buffered-logger';
import { renderDeployMarkdown } from '../../../src/core/terraform/markdown';
import type { DeployResult } from '../../../src/core/terraform/deploy';
import { isEngineError } from '../../../src/core/errors';
import { RecordingHost, type Inputs } from '../../helpers/recording-host';

describe('deploy command', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kvdr-deploy-input-'));
    writeFileSync(join(directory, 'main.tf'), 'terraform {\n  backend "azurerm" {}\n}\n');
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const rejects = async (inputs: Inputs, message: RegExp): Promise<void> => {
    const host = new RecordingHost({ terraformDir: directory, region: 'westeurope', stateKeyPrefix: 'kvdr/test', ...inputs });
    await assert.rejects(deployCommand.run(host), (error: unknown) => isEngineError(error) && error.code === 'invalid-input' && message.test(error.message));
    assert.equal(existsSync(join(directory, '.kvdr')), false, 'files were written before the input was checked');
  };

  it('rejects a missing terraform directory', async () => {
    await rejects({ terraformDir: join(directory, 'absent') }, /is not a directory/);
  });

  it('rejects an unknown command', async () => {
    await rejects({ command: 'destroy' }, /Invalid --command "destroy": use plan, apply or plan-apply\./);
  });

  it('rejects shared state', async () => {
    await rejects({ stateKeyPrefix: undefined, backendConfig: ['storage_account_name=sttf'] }, /Every region needs its own state/);
  });

  it('rejects a missing var file', async () => {
    await rejects({ varFile: join(directory, 'absent.tfvars') }, /--var-file ".*absent\.tfvars" does not exist/);
  });

  it('rejects a duplicate region', async () => {
    await rejects({ region: ['westeurope', 'westeurope'] }, /Region "westeurope" is given twice/);
  });

  it('rejects zero parallel regions', async () => {
    await rejects({ maxParallelRegions: '0' }, /Invalid --max-parallel-regions "0"/);
  });

  it('rejects state storage without location', async () => {
    await rejects(
      { createStateStorage: true, backendConfig: ['subscription_id=s', 'resource_group_name=rg', 'storage_account_name=sttf', 'container_name=tf'] },
      /needs --state-storage-location/,
    );
  });

  it('explains how to install terraform', async () => {
    const host = new RecordingHost({ terraformDir: directory, region: 'westeurope', stateKeyPrefix: 'kvdr/test', terraformPath: join(directory, 'no-terraform') });
    await assert.rejects(deployCommand.run(host), (error: unknown) => isEngineError(error) && error.code === 'not-found' && /Install Terraform 1\.5 or newer/.test(error.message));
  });

  it('masks credentials given as backend settings', async () => {
    const host = new RecordingHost({
      terraformDir: directory,
      region: 'westeurope',
      stateKeyPrefix: 'kvdr/test',
      backendConfig: ['access_key=kvdr-test-secret-access-key'],
      terraformPath: join(directory, 'no-terraform'),
    });
    await assert.rejects(deployCommand.run(host));
    assert.deepEqual(host.secrets, ['kvdr-test-secret-access-key']);
    assert.match(host.logged.join('\n'), /prefer the ARM_\* environment variables/);
  });
});

describe('buffered logger', () => {
  it('replays messages in order', async () => {
    const buffer = new BufferedLogger();
    buffer.info('first');
    await buffer.group('nested', async () => buffer.warning('second'));
    buffer.error('third');
    const replayed: string[] = [];
    const target = new RecordingHost({});
    buffer.replay(target.log);
    replayed.push(...target.logged);
    assert.deepEqual(replayed, ['info: first', 'info: nested', 'warning: second', 'error: third']);
  });

  it('empties itself on replay', () => {
    const buffer = new BufferedLogger();
    buffer.debug('once');
    const target = new RecordingHost({});
    buffer.replay(target.log);
    buffer.replay(target.log);
    assert.deepEqual(target.logged, ['debug: once']);
  });
});

describe('deploy summary', () => {
  const result: DeployResult = {
    command: 'plan',
    terraformVersion: '1.11.4',
    changesPresent: true,
    destroyPresent: true,
    failedRegions: ['eastus2'],
    regions: [
      {
        region: 'westeurope',
        outcome: 'succeeded',
        applied: false,
        planSource: 'planned',
        plan: {
          create: 1, update: 0, delete: 1, replace: 0,
          changes: [{ address: 'module.key_vault.azurerm_key_vault.this', kind: 'create' }, { address: 'azurerm_role_assignment.sync["a|b"]', kind: 'delete' }],
          drift: [], outputChanges: [], changesPresent: true, destroyPresent: true,
        },
      },
      { region: 'eastus2', outcome: 'failed', applied: false, error: 'terraform init failed: storage account not found' },
    ],
  };

  it('tabulates each region', () => {
    const markdown = renderDeployMarkdown(result);
    assert.match(markdown, /\| westeurope \| succeeded \| 1 \| 0 \| 0 \| 1 \| new plan \|/);
    assert.match(markdown, /\| eastus2 \| failed \| - \| - \| - \| - \| - \|/);
  });

  it('names the failed regions', () => {
    const markdown = renderDeployMarkdown(result);
    assert.match(markdown, /1 of 2 region\(s\) failed: eastus2\./);
    assert.match(markdown, /\*\*eastus2 failed:\*\* terraform init failed: storage account not found/);
  });

  it('lists changed addresses', () => {
    const markdown = renderDeployMarkdown(result);
    assert.match(markdown, /- create: `module\.key_vault\.azurerm_key_vault\.this`/);
    assert.match(markdown, /- delete: `azurerm_role_assignment\.sync\["a\|b"\]`/);
  });
});
