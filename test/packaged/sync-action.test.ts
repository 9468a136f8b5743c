/**
 * Runs the committed sync action bundle the way the GitHub runner does: `node dist/index.js` with
 * INPUT_* variables and GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, on Node 20 and Node 24,
 * against the emulator, and reads back the workflow commands and files it wrote.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Emulator } from '../../emulator/index';
import { readActionManifest, repoRoot } from '../helpers/front-ends';
import { parseFileCommands, parseWorkflowCommands, withoutMaskCommands } from './helpers/commands';
import { SEEDED_SECRETS, SOURCE_VAULT, assertEverySeededValueRegistered, assertNoSeededValue, assertTargetHoldsSeededValues, jwtIssuers, startSeededEmulator } from './helpers/fixture';
import { CURRENT_NODE, ensureNode24, runNode, type NodeRuntime } from './helpers/runtimes';

const actionDirectory = join(repoRoot, 'actions', 'sync');
const fixtures = join(__dirname, 'fixtures');


const RUNS = [
  { label: CURRENT_NODE, authMode: 'oidc', target: 'kv-first' },
  { label: 'Node 24', authMode: 'oidc', target: 'kv-second' },
  { label: CURRENT_NODE, authMode: 'environment', target: 'kv-third' },
  { label: 'Node 24', authMode: 'azure-cli', target: 'kv-fourth' },
];

describe('sync action bundle', function () {
  this.timeout(600_000);
  let work: string;
  let emulator: Emulator;
  const runtimes = new Map<string, NodeRuntime>();

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvdr-packaged-action-'));
    runtimes.set(CURRENT_NODE, { label: CURRENT_NODE, path: process.execPath });
    runtimes.set('Node 24', { label: 'Node 24', path: ensureNode24() });
    emulator = await startSeededEmulator([...new Set(RUNS.map((run) => run.target)), 'kv-healthy', 'kv-read-only']);
    await emulator.admin.setFaults('kv-read-only', { readOnly: true });
  });

  after(async () => {
    await emulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Credentials the way each auth mode finds them on a runner. */
  function credentialEnv(authMode: string): Record<string, string> {
    const base = { NODE_EXTRA_CA_CERTS: emulator.env.NODE_EXTRA_CA_CERTS, KVDR_ALLOW_CUSTOM_HOSTS: '1', AZURE_AUTHORITY_HOST: emulator.authorityHost };
    if (authMode === 'oidc') {
      // The runner's ID-token endpoint and request token, which `permissions: id-token: write` provides.
      return {
        ...base,
        ACTIONS_ID_TOKEN_REQUEST_URL: emulator.identity.idTokenRequestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.identity.idTokenRequestToken,
        INPUT_CLIENTID: emulator.clientId,
        INPUT_TENANTID: emulator.tenantId,
      };
    }
    if (authMode === 'environment') {
      return { ...base, AZURE_TENANT_ID: emulator.tenantId, AZURE_CLIENT_ID: emulator.clientId, AZURE_CLIENT_SECRET: emulator.clientSecret };
    }
    // azure-cli: the stub az on PATH fetches its token from the emulator, as azure/login leaves az signed in.
    return {
      ...base,
      PATH: `${fixtures}${delimiter}${process.env.PATH ?? ''}`,
      KVDR_STUB_AZ_AUTHORITY_HOST: emulator.authorityHost,
      KVDR_STUB_AZ_TENANT_ID: emulator.tenantId,
      KVDR_STUB_AZ_CLIENT_ID: emulator.clientId,
      KVDR_STUB_AZ_CLIENT_SECRET: emulator.clientSecret,
    };
  }

  async function runAction(runtime: NodeRuntime, env: Record<string, string>) {
    const runDirectory = mkdtempSync(join(work, 'run-'));
    const outputFile = join(runDirectory, 'output');
    const summaryFile = join(runDirectory, 'summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const manifest = readActionManifest(actionDirectory);
    const result = await runNode(runtime, join(actionDirectory, manifest.runs.main), { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: runDirectory, ...env }, runDirectory);
    return {
      ...result,
      commands: parseWorkflowCommands(result.stdout),
      outputs: parseFileCommands(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
  }

  for (const { label, authMode, target } of RUNS) {
    it(`syncs with authMode ${authMode} on ${label}`, async () => {
      const run = await runAction(runtimes.get(label)!, {
        ...credentialEnv(authMode),
        INPUT_AUTHMODE: authMode,
        INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
        INPUT_TARGET: emulator.vaults[target],
      });
      assert.equal(run.code, 0, `exit code; stderr: ${run.stderr}\nstdout: ${withoutMaskCommands(run.stdout).slice(-2000)}`);
      const declared = Object.keys(readActionManifest(actionDirectory).outputs);
      assert.deepEqual(Object.keys(run.outputs).filter((name) => !declared.includes(name)), [], 'every output is declared in action.yml');
      assert.equal(run.outputs.result, 'succeeded');
      assert.equal(run.outputs.created, String(Object.keys(SEEDED_SECRETS).length));
      assert.equal(run.outputs.failed, '0');
      assert.ok(!run.commands.some((command) => command.command === 'error'), 'no error annotation');

      const masked = new Set(run.commands.filter((command) => command.command === 'add-mask').map((command) => command.data));
      assertEverySeededValueRegistered(masked, '::add-mask::');
      for (const [name, value] of Object.entries(SEEDED_SECRETS)) assert.ok(masked.has(value), `the whole value of ${name} is masked`);
      if (authMode === 'oidc') {
        assert.ok(jwtIssuers(masked).includes('https://token.actions.githubusercontent.com'), 'the ID token is masked');
        assert.ok(!withoutMaskCommands(run.stdout).includes(emulator.identity.idTokenRequestToken), 'the request token stays out of the log');
      }

      assert.match(run.summary, /\S/, 'a job summary');
      assertNoSeededValue(run.summary, 'the job summary');
      assertNoSeededValue(JSON.stringify(run.outputs), 'GITHUB_OUTPUT');
      assertNoSeededValue(withoutMaskCommands(run.stdout), 'stdout');
      assertNoSeededValue(run.stderr, 'stderr');
      await assertTargetHoldsSeededValues(emulator, target);
    });
  }

  it('warns and reports partial when one target fails', async () => {
    const run = await runAction(runtimes.get(CURRENT_NODE)!, {
      ...credentialEnv('environment'),
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_TARGET: `${emulator.vaults['kv-healthy']}\n${emulator.vaults['kv-read-only']}`,
    });
    assert.equal(run.code, 0, 'a partial run leaves the step green so later steps can react');
    assert.equal(run.outputs.result, 'partial');
    assert.equal(run.outputs.failed, String(Object.keys(SEEDED_SECRETS).length));
    assert.ok(run.commands.some((command) => command.command === 'warning'), 'a warning annotation');
    assertNoSeededValue(withoutMaskCommands(run.stdout), 'stdout');
    await assertTargetHoldsSeededValues(emulator, 'kv-healthy');
  });

  it('names the subject of a rejected OIDC exchange', async () => {
    const { state } = emulator.identity;
    const trusted = state.federatedCredentials.map((credential) => ({ ...credential }));
    emulator.identity.update({ federatedCredentials: [{ clientId: emulator.clientId, issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:another/repository:ref:refs/heads/main' }] });
    try {
      const run = await runAction(runtimes.get(CURRENT_NODE)!, {
        ...credentialEnv('oidc'),
        INPUT_AUTHMODE: 'oidc',
        INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
        INPUT_TARGET: emulator.vaults['kv-healthy'],
      });
      assert.equal(run.code, 1);
      assert.equal(run.outputs.result, 'failed');
      // The engine annotates each vault it could not list, and the result adds one more error.
      const errors = run.commands.filter((command) => command.command === 'error').map((command) => command.data);
      assert.ok(errors.length > 0, 'an error annotation');
      for (const error of errors) {
        assert.ok(error.includes(`subject "${state.githubSubject}"`), error);
        assert.ok(error.includes('issuer "https://token.actions.githubusercontent.com"'), error);
      }
      assert.ok(!/ey[\w-]+\.ey[\w-]+\.[\w-]+/.test(withoutMaskCommands(run.stdout)), 'no token in the log');
    } finally {
      emulator.identity.update({ federatedCredentials: trusted });
    }
  });

  it('fails naming the missing id-token permission', async () => {
    const run = await runAction(runtimes.get(CURRENT_NODE)!, {
      NODE_EXTRA_CA_CERTS: emulator.env.NODE_EXTRA_CA_CERTS,
      KVDR_ALLOW_CUSTOM_HOSTS: '1',
      INPUT_AUTHMODE: 'oidc',
      INPUT_CLIENTID: emulator.clientId,
      INPUT_TENANTID: emulator.tenantId,
      INPUT_SOURCE: emulator.vaults[SOURCE_VAULT],
      INPUT_TARGET: emulator.vaults['kv-first'],
    });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.result, 'failed');
    const errors = run.commands.filter((command) => command.command === 'error');
    assert.equal(errors.length, 1);
    assert.match(errors[0].data, /"id-token: write" permission/);
  });
});
