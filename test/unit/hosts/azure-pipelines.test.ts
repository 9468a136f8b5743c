import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzurePipelinesHost, neutralizeLoggingCommands } from '../../../src/hosts/azure-pipelines';
import { isEngineError } from '../../../src/core/errors';
import { argsOf, createFakeTaskLibrary } from './fakes';

function createHost() {
  const taskLib = createFakeTaskLibrary();
  const lines: string[] = [];
  const host = new AzurePipelinesHost({ commandName: 'sync', taskLib, write: (line) => lines.push(line), env: {} });
  return { host, taskLib, lines };
}

describe('AzurePipelinesHost', () => {
  it('reads trimmed inputs and lists', () => {
    const { host, taskLib } = createHost();
    taskLib.inputs.source = '  kv-weu ';
    taskLib.inputs.target = 'kv-neu\nkv-sec, kv-ter\n\n';
    assert.equal(host.getInput('source'), 'kv-weu');
    assert.deepEqual(host.getListInput('target'), ['kv-neu', 'kv-sec', 'kv-ter']);
    assert.equal(host.getInput('missing'), undefined);
  });

  it('names a missing required input', () => {
    const { host } = createHost();
    assert.throws(() => host.getInput('source', { required: true }), (error: unknown) => {
      assert.ok(isEngineError(error));
      assert.equal(error.code, 'invalid-input');
      assert.match(error.message, /"source"/);
      return true;
    });
  });

  it('rejects a boolean other than true or false', () => {
    const { host, taskLib } = createHost();
    taskLib.inputs.dryRun = 'yes';
    assert.throws(() => host.getBooleanInput('dryRun', false), /"dryRun": "yes"\. Use true or false/);
    taskLib.inputs.dryRun = 'TRUE';
    assert.equal(host.getBooleanInput('dryRun', false), true);
  });

  it('registers single-line forms of a multi-line secret', () => {
    const { host, taskLib } = createHost();
    host.setSecret('line-one\r\nline-two;50%]');
    const registered = argsOf(taskLib.calls, 'setSecret').map((args) => args[0] as string);
    assert.ok(registered.includes('line-one'));
    assert.ok(registered.includes('line-two;50%]'));
    assert.ok(registered.includes('line-one%0D%0Aline-two;50%AZP25]'));
    assert.ok(registered.includes('line-one%0D%0Aline-two%3B50%AZP25%5D'));
    assert.ok(registered.every((form) => !/[\r\n]/.test(form)), 'the agent rejects multi-line setsecret');
  });

  it('registers each form once', () => {
    const { host, taskLib } = createHost();
    host.setSecret('SEEDVALUE-once');
    host.setSecret('SEEDVALUE-once');
    assert.equal(argsOf(taskLib.calls, 'setSecret').length, 1);
  });

  it('redacts registered values from every log channel', () => {
    const { host, taskLib, lines } = createHost();
    host.setSecret('SEEDVALUE-log');
    host.log.info('value SEEDVALUE-log here');
    host.log.debug('debug SEEDVALUE-log');
    host.log.warning('warn SEEDVALUE-log');
    host.log.error('error SEEDVALUE-log');
    const text = JSON.stringify({ lines, calls: taskLib.calls.filter((call) => call.name !== 'setSecret') });
    assert.ok(!text.includes('SEEDVALUE-log'));
    assert.deepEqual(lines, ['value *** here']);
  });

  it('closes a group when its function throws', async () => {
    const { host, lines } = createHost();
    await assert.rejects(host.log.group('Plan', async () => {
      host.log.info('inside');
      throw new Error('boom');
    }));
    assert.deepEqual(lines, ['##[group]Plan', 'inside', '##[endgroup]']);
  });

  it('neutralizes logging commands in log text', () => {
    assert.equal(neutralizeLoggingCommands('x ##vso[task.setvariable variable=a]b'), 'x ## vso[task.setvariable variable=a]b');
    assert.equal(neutralizeLoggingCommands('##[error]fake'), '## [error]fake');
  });

  it('sets output variables', () => {
    const { host, taskLib } = createHost();
    host.setOutput('created', '3');
    assert.deepEqual(argsOf(taskLib.calls, 'setVariable'), [['created', '3', false, true]]);
  });

  it('uploads the summary from the temporary directory', async () => {
    const { host, taskLib } = createHost();
    const directory = mkdtempSync(join(tmpdir(), 'kvdr-ado-'));
    try {
      taskLib.variables['Agent.TempDirectory'] = directory;
      host.setSecret('SEEDVALUE-summary');
      await host.writeSummary('# Sync\nSEEDVALUE-summary');
      const [[file]] = argsOf(taskLib.calls, 'uploadSummary') as string[][];
      assert.equal(file, join(directory, 'kvdr-sync-summary.md'));
      assert.equal(readFileSync(file, 'utf8'), '# Sync\n***');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('maps results to task results', () => {
    for (const [result, expected] of [['succeeded', 0], ['partial', 1], ['failed', 2]] as const) {
      const { host, taskLib } = createHost();
      host.setResult(result, 'done\nnow');
      assert.deepEqual(argsOf(taskLib.calls, 'setResult'), [[expected, 'done now']]);
      assert.deepEqual(argsOf(taskLib.calls, 'setVariable'), [['result', result, false, true]]);
    }
  });

  it('rejects an unsupported service connection scheme', async () => {
    const { host, taskLib } = createHost();
    taskLib.inputs.azureSubscription = 'conn-1';
    taskLib.endpoints['conn-1'] = { scheme: 'PublishProfile', auth: {}, data: {} };
    await assert.rejects(host.getCredential(), /"PublishProfile" authorization scheme, which kvdr does not support/);
  });

  it('requires the azureSubscription input for credentials', async () => {
    const { host } = createHost();
    await assert.rejects(host.getCredential(), /Missing required input "azureSubscription"/);
  });
});
