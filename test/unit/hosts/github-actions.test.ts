import assert from 'node:assert/strict';
import { GitHubActionsHost, neutralizeWorkflowCommands } from '../../../src/hosts/github-actions';
import { argsOf, createFakeActionsCore } from './fakes';

function createHost(env: NodeJS.ProcessEnv = {}) {
  const core = createFakeActionsCore();
  const host = new GitHubActionsHost({ core, env });
  return { host, core };
}

describe('GitHubActionsHost', () => {
  it('reads inputs, lists and booleans', () => {
    const { host, core } = createHost();
    core.inputs.vault = 'kv-a\nkv-b';
    core.inputs.include = 'app-{one,two}-*, db-*';
    core.inputs.prune = 'False';
    assert.deepEqual(host.getListInput('vault'), ['kv-a', 'kv-b']);
    assert.deepEqual(host.getListInput('include'), ['app-{one,two}-*', 'db-*']);
    assert.equal(host.getBooleanInput('prune', true), false);
    assert.throws(() => host.getListInput('target', { required: true }), /Missing required input "target". Set it under "with:"/);
  });

  it('masks the value, its lines and escaped forms', () => {
    const { host, core } = createHost();
    host.setSecret('first-line\nsecond%line');
    const masked = argsOf(core.calls, 'setSecret').map((args) => args[0]);
    assert.ok(masked.includes('first-line\nsecond%line'));
    assert.ok(masked.includes('first-line'));
    assert.ok(masked.includes('second%line'));
    assert.ok(masked.includes('first-line%0Asecond%25line'));
  });

  it('skips the summary without GITHUB_STEP_SUMMARY', async () => {
    const { host, core } = createHost({});
    await host.writeSummary('# Sync');
    assert.deepEqual(core.summaryText, []);
    assert.equal(argsOf(core.calls, 'summary.write').length, 0);
  });

  it('redacts logs, outputs and the summary', async () => {
    const { host, core } = createHost({ GITHUB_STEP_SUMMARY: '/tmp/summary' });
    host.setSecret('SEEDVALUE-gh');
    host.log.info('a SEEDVALUE-gh');
    host.log.warning('b SEEDVALUE-gh');
    host.setOutput('note', 'c SEEDVALUE-gh');
    await host.writeSummary('d SEEDVALUE-gh');
    const text = JSON.stringify({ calls: core.calls.filter((call) => call.name !== 'setSecret'), summary: core.summaryText });
    assert.ok(!text.includes('SEEDVALUE-gh'));
    assert.deepEqual(argsOf(core.calls, 'summary.write').length, 1);
  });

  it('closes a group when its function throws', async () => {
    const { host, core } = createHost();
    await assert.rejects(host.log.group('Apply', async () => {
      throw new Error('boom');
    }));
    assert.deepEqual(core.calls.map((call) => call.name), ['startGroup', 'endGroup']);
  });

  it('neutralizes workflow commands in log text', () => {
    assert.equal(neutralizeWorkflowCommands('::set-output name=a::b'), ': :set-output name=a::b');
    assert.equal(neutralizeWorkflowCommands('plain text :: here'), 'plain text :: here');
  });

  it('shows partial as a warning and an output', () => {
    const { host, core } = createHost();
    host.setResult('partial', '1 pair failed');
    assert.deepEqual(argsOf(core.calls, 'warning'), [['1 pair failed']]);
    assert.deepEqual(argsOf(core.calls, 'setOutput'), [['result', 'partial']]);
    assert.equal(argsOf(core.calls, 'setFailed').length, 0);
  });

  it('fails the step on failed', () => {
    const { host, core } = createHost();
    host.setOutput('result', 'failed');
    host.setResult('failed', 'source unreachable');
    assert.deepEqual(argsOf(core.calls, 'setFailed'), [['source unreachable']]);
    assert.equal(argsOf(core.calls, 'setOutput').length, 1, 'the command already set result');
  });

  it('names the missing id-token permission', async () => {
    const { host, core } = createHost({});
    core.inputs.authMode = 'oidc';
    core.inputs.clientId = '00000000-0000-0000-0000-000000000001';
    core.inputs.tenantId = '00000000-0000-0000-0000-000000000002';
    await assert.rejects(host.getCredential(), /"id-token: write" permission/);
  });
});
