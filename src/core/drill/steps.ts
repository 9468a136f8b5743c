/**
 * The drill's six steps. Each step records what it did in its timeline entry, and throws when it
 * fails. The runner in run.ts decides which steps still run after a failure.
 */
import { describeError, EngineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { formatDuration } from '../duration';
import { createSecretFilter } from '../sync/filters';
import { runSync } from '../sync/run';
import type { VaultStore } from '../vault/port';
import { canaryName, readThroughFailoverOrder, removeCanary, writeCanary, type FailoverTarget } from './canary';
import type { DrillLock } from './lock';
import type { CanaryRecord, DataAtRisk, DrillResult, DrillStep, RpoMeasurement } from './model';
import { CLOSED_NETWORK_SETTINGS, describeNetworkSettings, probeVault, waitForProbe } from './network';
import { DRILL_DEFAULTS, type RunDrillOptions } from './options';
import { measureDataAtRisk, takeInventories } from './rpo';
import type { DrillStateRecord } from './state';

/** Returns whether data at risk meets the RPO target; a target of 0 allows no write at risk. */
export function meetsRpoTarget(risk: Pick<DataAtRisk, 'count' | 'oldestAgeInMs'>, targetInMs: number): boolean {
  return risk.count === 0 || (targetInMs > 0 && risk.oldestAgeInMs <= targetInMs);
}

function describeRisk(risk: DataAtRisk): string {
  if (risk.count === 0) return `${risk.vaultId} held every write of the primary`;
  return `${risk.vaultId} lacked ${risk.count} secret(s) written to the primary, the oldest ${formatDuration(risk.oldestAgeInMs)} before the cut`;
}

/** The state one drill run carries from step to step. */
export class DrillSteps {
  readonly logger: Logger;
  /** The rotated value of each canary, by name; kept in memory only. */
  private readonly rotatedValues = new Map<string, string>();
  private lossEndedAtInMs: number | undefined;

  constructor(
    readonly options: RunDrillOptions,
    readonly result: DrillResult,
    private readonly lock: DrillLock,
    private record: DrillStateRecord,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  private get signal(): AbortSignal | undefined {
    return this.options.abortSignal;
  }

  private get allStores(): VaultStore[] {
    return [this.options.primary, ...this.options.secondaries];
  }

  private get timings(): { timeoutInMs: number; intervalInMs: number } {
    return {
      timeoutInMs: this.options.propagationTimeoutInMs ?? DRILL_DEFAULTS.propagationTimeoutInMs,
      intervalInMs: this.options.probeIntervalInMs ?? DRILL_DEFAULTS.probeIntervalInMs,
    };
  }

  /** Runs step 1: checks that every vault responds, drift is within the RPO target, and network mode may change the primary. */
  async preflight(step: DrillStep): Promise<void> {
    const problems: string[] = [];
    for (const store of this.allStores) {
      const outcome = await probeVault(store, this.signal);
      if (outcome === 'reachable') step.details.push(`${store.vaultId} is reachable.`);
      else problems.push(`${store.vaultId} is ${outcome === 'denied' ? 'denied by its firewall' : 'unreachable'}.`);
    }
    if (problems.length > 0) throw new EngineError('unavailable', `${problems.join(' ')} A drill needs every vault reachable before it starts.`);

    if (this.options.mode === 'network') await this.checkArmAccess(step, problems);

    const inventories = await takeInventories(this.options.primary, this.options.secondaries, this.signal);
    const risks = measureDataAtRisk(inventories, this.options.filter);
    // The loss step measures again at the cut; this measurement stays when the drill stops here.
    this.result.rpo = this.measureRpo(inventories.cutAtInMs, risks);
    for (const risk of risks) step.details.push(`Drift: ${describeRisk(risk)}.`);
    const first = risks[0];
    if (!meetsRpoTarget(first, this.options.rpoTargetInMs)) {
      problems.push(
        `Drift exceeds the RPO target of ${formatDuration(this.options.rpoTargetInMs)}: ${describeRisk(first)}. Run kvdr sync (or wait for the scheduled sync) first, or raise --rpo-target.`,
      );
    }
    if (problems.length > 0) throw new EngineError('invalid-input', problems.join(' '));
  }

  private async checkArmAccess(step: DrillStep, problems: string[]): Promise<void> {
    const { network, primaryResourceId } = this.options;
    if (network === undefined || primaryResourceId === undefined) throw new EngineError('invalid-input', 'Network mode needs the primary\'s ARM resource id and ARM access.');
    const info = await network.getVault(primaryResourceId, this.signal);
    if (info.vaultUri !== undefined && info.vaultUri.toLowerCase().replace(/\/?$/, '/') !== this.options.primary.vaultUrl) {
      problems.push(`The resource ${primaryResourceId} is the vault ${info.vaultUri}, not the primary ${this.options.primary.vaultUrl}. Give the primary's resource id.`);
    }
    if (info.privateEndpointConnections > 0) {
      problems.push(
        `${this.options.primary.vaultId} has ${info.privateEndpointConnections} private endpoint connection(s), and closing public network access does not cut private-endpoint traffic. Use --mode logical, or Azure Chaos Studio's Key Vault deny-access fault.`,
      );
    }
    if (!(await network.canWriteVault(primaryResourceId, this.signal))) {
      problems.push(`The identity may not change ${primaryResourceId}: it needs Microsoft.KeyVault/vaults/write, for example the Key Vault Contributor role on the vault.`);
    } else {
      step.details.push(`The identity has Microsoft.KeyVault/vaults/write on ${this.options.primary.vaultId}.`);
    }
    step.details.push(`Network settings before the drill: ${describeNetworkSettings(info.networkSettings)}.`);
    this.result.network = { resourceId: primaryResourceId, original: info.networkSettings, closed: false, restored: false };
  }

  /** Runs step 2: the cut (inventories for the RPO), then the loss of the primary in the chosen mode. */
  async loss(step: DrillStep): Promise<void> {
    const inventories = await takeInventories(this.options.primary, this.options.secondaries, this.signal);
    this.result.rpo = this.measureRpo(inventories.cutAtInMs, measureDataAtRisk(inventories, this.options.filter));
    step.details.push(`Cut at ${this.result.rpo.cutAt}: ${this.result.rpo.survivors.map(describeRisk).join('; ')}.`);

    const network = this.result.network;
    if (this.options.mode === 'logical' || network === undefined) {
      step.details.push(`${this.options.primary.vaultId} is treated as lost; no setting in Azure was changed.`);
      this.lossEndedAtInMs = Date.now();
      return;
    }

    // The original settings reach the bookkeeping secret before the first change.
    this.record = { ...this.record, originalNetworkSettings: network.original };
    await this.lock.update(this.record);
    network.closed = true;
    await this.options.network!.setNetworkSettings(network.resourceId, CLOSED_NETWORK_SETTINGS, this.signal);
    step.details.push(`Closed the public network access of ${this.options.primary.vaultId} through ARM.`);

    const wait = await waitForProbe(this.options.primary, (outcome) => outcome !== 'reachable', { ...this.timings, abortSignal: this.signal });
    if (!wait.accepted) {
      throw new EngineError(
        'unavailable',
        `${this.options.primary.vaultId} still answered ${formatDuration(wait.waitedInMs)} after its public network access was closed: the change has not reached the data plane, or this agent reaches the vault over a private endpoint (use --mode logical there).`,
      );
    }
    step.details.push(`${this.options.primary.vaultId} refused the drill's calls (${wait.outcome}) after ${formatDuration(wait.waitedInMs)}.`);
    this.lossEndedAtInMs = Date.now();
  }

  private measureRpo(cutAtInMs: number, survivors: DataAtRisk[]): RpoMeasurement {
    const first = survivors[0];
    return {
      cutAt: new Date(cutAtInMs).toISOString(),
      survivors,
      measuredOn: first?.vaultId,
      count: first?.count,
      oldestAgeInMs: first?.oldestAgeInMs,
      targetInMs: this.options.rpoTargetInMs,
      met: first !== undefined && meetsRpoTarget(first, this.options.rpoTargetInMs),
    };
  }

  /** Runs step 3: a canary write and a rotation in each secondary, in failover order. The first write ends the RTO. */
  async canaries(step: DrillStep): Promise<void> {
    const { secondaries } = this.options;
    this.result.canaries = secondaries.map((store, index): CanaryRecord => ({
      name: canaryName(this.result.runId, index),
      vaultId: store.vaultId,
      vaultUrl: store.vaultUrl,
      written: false,
      rotated: false,
      verified: false,
      reconciled: false,
      deletedFrom: [],
      purgedFrom: [],
    }));
    // The names reach the bookkeeping secret before the writes, so a killed run's canaries are found.
    this.record = { ...this.record, canaries: this.result.canaries.map((canary) => ({ vaultUrl: canary.vaultUrl, name: canary.name })) };
    await this.lock.update(this.record);

    let firstWriteAtInMs: number | undefined;
    for (const [index, store] of secondaries.entries()) {
      const canary = this.result.canaries[index];
      const write = await writeCanary(
        store,
        canary.name,
        this.result.runId,
        (atInMs) => {
          if (firstWriteAtInMs !== undefined) return;
          firstWriteAtInMs = atInMs;
          this.result.rto.firstWriteIn = store.vaultId;
        },
        this.signal,
      );
      if (write.rotatedValue !== undefined) {
        this.options.onValueRead?.(write.rotatedValue);
        this.rotatedValues.set(canary.name, write.rotatedValue);
      }
      Object.assign(canary, { written: write.written, rotated: write.rotated, verified: write.verified, error: write.error });
      step.details.push(
        write.verified ? `${store.vaultId} took ${canary.name} and its rotation, and returned the rotated value.` : `${store.vaultId} failed the canary ${canary.name}: ${write.error ?? 'not verified'}`,
      );
    }
    if (firstWriteAtInMs !== undefined && this.lossEndedAtInMs !== undefined) {
      this.result.rto.measuredInMs = Math.max(0, firstWriteAtInMs - this.lossEndedAtInMs);
      this.result.rto.met = this.result.rto.measuredInMs <= this.result.rto.targetInMs;
      step.details.push(`RTO: ${formatDuration(this.result.rto.measuredInMs)} from the end of the loss to the first write, in ${this.result.rto.firstWriteIn}.`);
    }
    const failed = this.result.canaries.filter((canary) => !canary.verified);
    if (failed.length > 0) throw new EngineError('unavailable', `${failed.map((canary) => canary.vaultId).join(', ')} did not take a canary write and rotation.`);
  }

  /** Runs step 4: reads each canary through the failover order, the primary (lost) first, then the secondaries. */
  async failoverReads(step: DrillStep): Promise<void> {
    const lostReason = this.options.mode === 'logical' ? 'skipped: treated as lost (logical mode)' : undefined;
    const order: FailoverTarget[] = [{ store: this.options.primary, lostReason }, ...this.options.secondaries.map((store) => ({ store }))];
    const unserved: string[] = [];
    for (const canary of this.result.canaries) {
      const expected = this.rotatedValues.get(canary.name);
      if (expected === undefined) continue;
      const read = await readThroughFailoverOrder(order, canary.name, expected, this.signal);
      this.result.reads.push(read);
      const path = read.attempts.map((attempt) => `${attempt.vaultId}: ${attempt.outcome}`).join('; ');
      step.details.push(`${canary.name}: ${read.servedBy === undefined ? 'no vault served it' : `served by ${read.servedBy}`} (${path}).`);
      if (read.servedBy === undefined) unserved.push(canary.name);
    }
    if (unserved.length > 0) throw new EngineError('unavailable', `No vault in the failover order served ${unserved.join(', ')}.`);
    if (this.result.reads.length === 0) throw new EngineError('unavailable', 'No canary was written, so nothing could be read through the failover order.');
  }

  /** Runs step 5: brings the primary back (network mode), then copies the drill's writes to it with a mesh reconcile. */
  async failback(step: DrillStep): Promise<void> {
    const network = this.result.network;
    if (network?.closed === true && !network.restored) {
      await this.restoreNetwork('failback', this.signal);
      step.details.push(`Restored the network settings of ${this.options.primary.vaultId}: ${describeNetworkSettings(network.original)}.`);
      const wait = await waitForProbe(this.options.primary, (outcome) => outcome === 'reachable', { ...this.timings, abortSignal: this.signal });
      if (!wait.accepted) throw new EngineError('unavailable', `${this.options.primary.vaultId} did not respond within ${formatDuration(wait.waitedInMs)} after its network settings were restored (${wait.outcome}).`);
      step.details.push(`${this.options.primary.vaultId} responded again after ${formatDuration(wait.waitedInMs)}.`);
    }

    const written = this.result.canaries.filter((canary) => canary.written);
    if (written.length === 0) return;
    const sync = await runSync({
      policy: {
        mode: 'mesh',
        onConflict: 'newest-wins',
        deletes: 'none',
        prune: false,
        onSoftDeleted: 'recover',
        filter: createSecretFilter({ include: written.map((canary) => canary.name) }),
      },
      stores: this.allStores,
      abortSignal: this.signal,
      logger: this.logger,
      onValueRead: this.options.onValueRead,
      concurrencyPerVault: this.options.concurrencyPerVault,
      maxRequestsPerSecond: this.options.maxRequestsPerSecond,
    });
    const copies = sync.results.filter((result) => result.outcome === 'converged' && result.action.kind !== 'in-sync').length;
    const failures = sync.results.filter((result) => result.outcome === 'failed' || result.outcome === 'conflict');
    step.details.push(`Mesh reconcile of the drill's writes: wrote ${copies} replica(s), ${failures.length} failed.`);

    for (const canary of written) {
      const expected = this.rotatedValues.get(canary.name);
      try {
        const { value } = await this.options.primary.getSecret(canary.name, undefined, { abortSignal: this.signal });
        canary.reconciled = expected !== undefined && value === expected;
      } catch (error) {
        canary.error = `Not in the primary after failback: ${describeError(error)}`;
      }
    }
    const missing = written.filter((canary) => !canary.reconciled);
    if (failures.length > 0 || missing.length > 0) {
      const details = failures.map((result) => `${result.action.name} in ${result.action.vaultId}: ${result.error ?? result.outcome}`);
      throw new EngineError('unavailable', `Failback did not converge: ${[...details, ...missing.map((canary) => `${canary.name} is not in the primary with its rotated value`)].join('; ')}.`);
    }
    step.details.push(`${this.options.primary.vaultId} holds the rotated version of every canary.`);
  }

  /**
   * Writes the primary's original network settings back, once. Without an abort signal the call
   * still runs after the run's deadline fired, limited by the call timeout.
   */
  async restoreNetwork(by: string, abortSignal?: AbortSignal): Promise<void> {
    const network = this.result.network;
    if (network === undefined || !network.closed || network.restored) return;
    try {
      await this.options.network!.setNetworkSettings(network.resourceId, network.original, abortSignal);
      network.restored = true;
      network.restoredBy = by;
      network.restoreError = undefined;
      // A stopped drill's failback step fails on its aborted ARM call, so this line is the only
      // place the console reports that the later restore put the primary back.
      this.logger.info(`Restored the network settings of ${this.options.primary.vaultId}: ${describeNetworkSettings(network.original)}.`);
    } catch (error) {
      network.restoreError = describeError(error);
      throw error;
    }
  }

  /**
   * Restores the network settings when the failback step did not (it failed, or the run was
   * stopped), then waits until the primary responds. Ignores the run's deadline.
   */
  async restoreAfterFailedFailback(): Promise<void> {
    const network = this.result.network;
    if (network === undefined || !network.closed || network.restored) return;
    await this.restoreNetwork('finally');
    await waitForProbe(this.options.primary, (outcome) => outcome === 'reachable', this.timings);
  }

  /**
   * Runs step 6: deletes every canary from every vault, and purges it where the vault allows. It
   * ignores the run's deadline, so a drill that was stopped still removes its canaries, within the
   * call timeouts.
   */
  async cleanup(step: DrillStep): Promise<void> {
    const failed: string[] = [];
    for (const canary of this.result.canaries) {
      const removal = await removeCanary(this.allStores, canary.name);
      canary.deletedFrom = removal.deletedFrom;
      canary.purgedFrom = removal.purgedFrom;
      step.details.push(`${canary.name}: deleted from ${removal.deletedFrom.join(', ') || 'no vault'}, purged from ${removal.purgedFrom.join(', ') || 'no vault'}.`);
      step.details.push(...removal.notes);
      if (removal.failed) failed.push(canary.name);
    }
    if (failed.length > 0) throw new EngineError('unavailable', `Could not remove ${failed.join(', ')} from every vault; they expire in 7 days and the names are unique to this run.`);
  }
}
