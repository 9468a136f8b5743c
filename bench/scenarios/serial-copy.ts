/**
 * The common serial copy: one secret at a time, get from the source then set in each target with a
 * plain SecretClient, as scripts and the event-driven replication samples do. Compared per secret
 * with kvdr's initial sync of the same secrets to the same number of targets.
 */
import { performance } from 'node:perf_hooks';

import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

import { requestsByVault, resetRequests, secretName, setRemote } from '../harness/emulator';
import { SERIAL_TARGETS, SOURCE, sharedEstate } from '../harness/sync-estate';
import type { BenchScenario } from '../harness/types';

/** Secrets copied serially at scale 1: the first 1,000 of the estate. */
const SERIAL_COUNT = 1_000;
/** The target: the serial copy takes at least 20 times as long per secret as kvdr. */
const MIN_SLOWDOWN = 20;

export const scenario: BenchScenario = {
  name: 'serial',
  title: 'Serial get-then-set copy',
  description:
    'The first 1,000 secrets of the same estate copied one at a time with a plain SecretClient (get from the source, then set in each ' +
    "of 2 targets) at the same throttle and latency, compared per secret with kvdr's initial sync.",
  order: 30,
  async run(context) {
    const initial = await context.resultOf('initial');
    const kvdrWallInMs = initial.metrics.find((metric) => metric.key === 'wallTimeInMs')!.value * 1000;
    const kvdrSecrets = initial.metrics.find((metric) => metric.key === 'secrets')!.value;

    const estate = await sharedEstate(context);
    const { emulator } = estate.bench;
    const vaults = [SOURCE, ...SERIAL_TARGETS];
    await setRemote(emulator, vaults, true);
    resetRequests(emulator, vaults);

    const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emulator.ca },
    });
    const clientOf = (vault: string) => new SecretClient(emulator.vaults[vault], credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: emulator.ca } });
    const source = clientOf(SOURCE);
    const targets = SERIAL_TARGETS.map(clientOf);

    const count = Math.min(context.count(SERIAL_COUNT), estate.count);
    context.log(`serial: copying ${count} secrets one at a time to ${targets.length} targets`);
    const startedAt = performance.now();
    for (let index = 0; index < count; index += 1) {
      const secret = await source.getSecret(secretName(index));
      for (const target of targets) {
        await target.setSecret(secret.name, secret.value ?? '', { contentType: secret.properties.contentType, tags: secret.properties.tags });
      }
    }
    const serialInMs = performance.now() - startedAt;

    const serialPerSecret = serialInMs / count;
    const kvdrPerSecret = kvdrWallInMs / kvdrSecrets;
    const slowdown = serialPerSecret / kvdrPerSecret;
    const requests = requestsByVault(emulator, vaults);
    return {
      metrics: [
        { key: 'secrets', label: 'secrets copied serially to each target', value: count, unit: '' },
        { key: 'serialTimeInMs', label: 'wall time of the serial copy', value: serialInMs / 1000, unit: 's' },
        { key: 'serialPerSecretInMs', label: 'serial copy per secret (1 get, 2 sets)', value: serialPerSecret, unit: 'ms' },
        { key: 'kvdrPerSecretInMs', label: "kvdr's initial sync per secret (its wall time / its secrets, 2 targets)", value: kvdrPerSecret, unit: 'ms' },
        { key: 'slowdown', label: 'serial / kvdr, per secret', value: slowdown, unit: 'x' },
      ],
      checks: [{ target: `serial copy >= ${MIN_SLOWDOWN} x slower per secret`, measured: `${slowdown.toFixed(1)} x (${serialPerSecret.toFixed(1)} ms against ${kvdrPerSecret.toFixed(2)} ms)`, met: slowdown >= MIN_SLOWDOWN }],
      notes: [
        'Each serial secret waits for three round trips in a row, each at least the 25 ms latency, so the serial copy is bound by latency, never by the throttle.',
        "kvdr's time per secret includes Node's start-up, listing and planning, so the comparison favours the serial copy.",
      ],
      details: { requestsByVault: requests },
    };
  },
};
