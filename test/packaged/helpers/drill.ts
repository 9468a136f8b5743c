/**
 * Shared set-up and checks of the packaged drill tests (task and action): vault sets, seeding by a
 * real mesh sync, the emulator's ARM surface, and the canaries a drill writes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Emulator } from '../../../emulator/index';
import { runSyncCommand } from '../../../src/commands/sync';
import { createCredential, createSecretClient } from '../../helpers/emulator';
import { RecordingHost } from '../../helpers/recording-host';
import { SEEDED_SECRETS } from './fixture';
import type { NodeRuntime, ProcessResult } from './runtimes';

const ARM_API_VERSION = '2025-05-01';

/** One drill's vaults: a primary and two secondaries in failover order. */
export interface VaultSet {
  primary: string;
  secondaries: [string, string];
}

/** Returns the vault set of one test; each test has its own, so a failed test cannot hold another's lock. */
export function vaultSet(tag: string): VaultSet {
  return { primary: `kv-${tag}-weu`, secondaries: [`kv-${tag}-neu`, `kv-${tag}-sea`] };
}

/** Seeds the primary with the hard-to-mask values and replicates them to both secondaries with a real mesh sync. */
export async function seedReplicated(emulator: Emulator, set: VaultSet): Promise<void> {
  emulator.admin.seed(
    set.primary,
    Object.entries(SEEDED_SECRETS).map(([name, value]) => ({ name, value, contentType: 'text/plain', tags: { team: 'payments' } })),
  );
  const host = new RecordingHost({ mode: 'mesh', vault: [set.primary, ...set.secondaries].map((name) => emulator.vaults[name]) }, { credential: createCredential(emulator) });
  const code = await runSyncCommand(host, { env: { KVDR_ALLOW_CUSTOM_HOSTS: '1' }, tlsCa: emulator.ca });
  assert.equal(code, 0, `replicating ${set.primary}: ${host.logged.join('\n')}`);
}

/** Sends one request to the emulator's ARM surface with a management token, as an operator's tool would. */
export async function armRequest(
  emulator: Emulator,
  method: 'GET' | 'PATCH',
  resourceId: string,
  body?: unknown,
): Promise<{ publicNetworkAccess: string; networkAcls: unknown }> {
  const token = await createCredential(emulator).getToken('https://management.azure.com/.default');
  assert.ok(token, 'a management token from the emulator');
  const url = new URL(`${resourceId.replace(/^\//, '')}?api-version=${ARM_API_VERSION}`, emulator.armUrl);
  const text = await new Promise<string>((resolvePromise, rejectPromise) => {
    const outgoing = request(url, { method, ca: emulator.ca, headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' } }, (response) => {
      let received = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (received += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolvePromise(received) : rejectPromise(new Error(`ARM ${method} ${url.pathname} returned ${response.statusCode}: ${received}`))));
    });
    outgoing.on('error', rejectPromise);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const properties = (JSON.parse(text) as { properties: { publicNetworkAccess: string; networkAcls: unknown } }).properties;
  return { publicNetworkAccess: properties.publicNetworkAccess, networkAcls: properties.networkAcls };
}

/**
 * Recovers each canary from the secondary that wrote it, where purge protection kept it
 * soft-deleted. Returns every version's value (`all`) and each canary's current, rotated value
 * (`rotated`), so the test can look for every value the drill wrote and read back.
 */
export async function canaryValues(emulator: Emulator, set: VaultSet, canaries: Array<{ name: string }>): Promise<{ all: string[]; rotated: string[] }> {
  const values = { all: [] as string[], rotated: [] as string[] };
  for (const [index, canary] of canaries.entries()) {
    const client = createSecretClient(emulator, set.secondaries[index]);
    await (await client.beginRecoverDeletedSecret(canary.name, { intervalInMs: 100 })).pollUntilDone();
    for await (const properties of client.listPropertiesOfSecretVersions(canary.name)) {
      const secret = await client.getSecret(canary.name, { version: properties.version });
      if (secret.value !== undefined) values.all.push(secret.value);
    }
    const current = await client.getSecret(canary.name);
    if (current.value !== undefined) values.rotated.push(current.value);
    await (await client.beginDeleteSecret(canary.name, { intervalInMs: 100 })).pollUntilDone();
  }
  return values;
}

/** Returns whether `vault` has an active (not deleted) drill canary. */
export async function hasActiveCanary(emulator: Emulator, vault: string): Promise<boolean> {
  for await (const properties of createSecretClient(emulator, vault).listPropertiesOfSecrets()) {
    if (properties.name.startsWith('drill-canary-')) return true;
  }
  return false;
}

/** Fails when any vault of the set still has an active canary, naming the canary and the vault. */
export async function assertNoActiveCanary(emulator: Emulator, set: VaultSet): Promise<void> {
  for (const vault of [set.primary, ...set.secondaries]) {
    for await (const properties of createSecretClient(emulator, vault).listPropertiesOfSecrets()) {
      assert.ok(!properties.name.startsWith('drill-canary-'), `${properties.name} is left in ${vault}`);
    }
  }
}

/** A step started by {@link startStep}: its process, its output so far, and its result once it ends. */
export interface StartedStep {
  child: ChildProcess;
  output: () => string;
  ended: Promise<ProcessResult>;
}

/**
 * Starts `node <script>` as the agent or runner starts a step, with `env` plus PATH and HOME, and
 * collects its output, so a test can signal it while it runs. The caller kills it in `after`.
 */
export function startStep(runtime: NodeRuntime, script: string, env: Record<string, string>, cwd: string): StartedStep {
  const child = spawn(runtime.path, [script], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const ended = new Promise<ProcessResult>((resolvePromise) => child.on('close', (code) => resolvePromise({ code, stdout, stderr })));
  return { child, output: () => `${stdout}\n${stderr}`, ended };
}

/**
 * Waits until the first secondary of `set` contains a canary, which means the network drill that
 * `step` runs has its outage on and a canary to remove. Fails when the step ends first, with its
 * output so far, or after two minutes.
 */
export async function waitForCanary(emulator: Emulator, set: VaultSet, step: StartedStep, stepName: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await hasActiveCanary(emulator, set.secondaries[0]))) {
    assert.equal(step.child.exitCode, null, `the ${stepName} ended before the outage:\n${step.output()}`);
    assert.ok(Date.now() < deadline, 'the drill never wrote a canary');
    await sleep(25);
  }
}
