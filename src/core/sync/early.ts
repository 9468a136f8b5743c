/**
 * Early copies in one-way mode. Listing is sequential (25 secrets per page), so listing a large
 * source takes seconds during which the vaults are mostly idle. A one-way decision for a source
 * secret depends only on that secret and the complete target inventories, so once every target is
 * listed, each source secret is planned and applied as its page arrives. Secrets whose decision
 * needs a history or a value hash wait for the full plan.
 */
import type { PlanApplier } from './apply';
import type { VaultInventory } from './inventory';
import type { PlanFacts, PlannedAction, SyncPolicy } from './model';
import { planOneWaySourceKey } from './plan';
import { createContext } from './plan-steps';

/** Options of {@link EarlyCopier}. */
export interface EarlyCopierOptions {
  policy: SyncPolicy;
  facts: PlanFacts;
  /**
   * The source inventory as its listing fills it; the copier reads entries from it rather than
   * keeping a second map of them.
   */
  source: VaultInventory;
  applier: PlanApplier;
  /** Fetches the deleted names of a target into `facts`; called once per target that needs them. */
  fetchDeletedNames: (vaultId: string) => Promise<void>;
}

export class EarlyCopier {
  private targets: readonly VaultInventory[] | undefined;
  private readonly waiting: string[] = [];
  /** Keys of the secrets already submitted, and their actions in one flat list. */
  private readonly committedKeys = new Set<string>();
  private readonly committedActions: PlannedAction[] = [];
  private readonly fetches = new Map<string, Promise<void>>();
  private readonly pending: Array<Promise<void>> = [];

  constructor(private readonly options: EarlyCopierOptions) {}

  /** Plans a source entry once the targets are listed; call it after the entry is in the source inventory. */
  entryListed(key: string): void {
    if (this.targets === undefined) this.waiting.push(key);
    else this.offer(key);
  }

  /** Starts planning against the complete inventories of the reachable targets. */
  startWith(targets: readonly VaultInventory[]): void {
    this.targets = targets;
    for (const key of this.waiting.splice(0)) this.offer(key);
  }

  /** Waits for deleted-name lists that early decisions are waiting on. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  /** The source inventory the listing fills. */
  get source(): VaultInventory {
    return this.options.source;
  }

  /** The keys of the secrets whose actions were already submitted. */
  get decidedKeys(): ReadonlySet<string> {
    return this.committedKeys;
  }

  /** The actions already submitted, in the order they were submitted. */
  get actions(): readonly PlannedAction[] {
    return this.committedActions;
  }

  private offer(key: string): void {
    const targets = this.targets ?? [];
    const context = createContext(this.options.policy, this.options.facts);
    planOneWaySourceKey(context, key, this.options.source, targets);
    if (context.needs.histories.length > 0 || context.needs.valueHashes.length > 0) return;
    if (context.needs.deletedNames.size === 0) {
      this.committedKeys.add(key);
      for (const action of context.actions) this.committedActions.push(action);
      this.options.applier.submit(context.actions);
      return;
    }
    const fetches = [...context.needs.deletedNames].map((vaultId) => this.fetchOnce(vaultId));
    this.pending.push(Promise.all(fetches).then(() => this.offer(key)));
  }

  private fetchOnce(vaultId: string): Promise<void> {
    let fetch = this.fetches.get(vaultId);
    if (fetch === undefined) this.fetches.set(vaultId, (fetch = this.options.fetchDeletedNames(vaultId)));
    return fetch;
  }
}

/** Shortest gap between listed entries taken as a page round trip rather than processing time. */
const MIN_PAGE_GAP_IN_MS = 4;
/** Page round trips the pacer keeps; it paces by their median. */
const PAGE_GAP_WINDOW = 5;

/**
 * Keeps early copies from starving the source's listing. List pages are sequential, so each waits
 * for the vault's rate limiter behind every request already queued there. While the source is
 * listed, its reads in flight are held to what the budget allows in one page round trip (requests
 * per second times the median of the last few round trips), so the limiter never builds a queue.
 * The median ignores a single short gap (a GC pause, or early copies delaying one page's entries),
 * and the limit rises again when round trips lengthen.
 */
export class ListingPacer {
  private lastEntryAt: number | undefined;
  private readonly pageGapsInMs: number[] = [];
  private limit: number | undefined;

  /** `now` returns milliseconds from a monotonic clock, and tests replace it. */
  constructor(
    private readonly applier: Pick<PlanApplier, 'limitVault'>,
    private readonly vaultId: string,
    private readonly maxRequestsPerSecond: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    // Until a page round trip is measured, assume one of 25 ms, a cross-region call.
    this.setLimitFor(25);
  }

  /**
   * Called for each listed entry. Entries of one page arrive within a millisecond or two, so a gap
   * of at least {@link MIN_PAGE_GAP_IN_MS} is one page's round trip.
   */
  entryListed(): void {
    const now = this.now();
    const gapInMs = this.lastEntryAt === undefined ? 0 : now - this.lastEntryAt;
    this.lastEntryAt = now;
    if (gapInMs < MIN_PAGE_GAP_IN_MS) return;
    if (this.pageGapsInMs.length === PAGE_GAP_WINDOW) this.pageGapsInMs.shift();
    this.pageGapsInMs.push(gapInMs);
    const sorted = [...this.pageGapsInMs].sort((a, b) => a - b);
    this.setLimitFor(sorted[Math.floor((sorted.length - 1) / 2)]);
  }

  finish(): void {
    this.applier.limitVault(this.vaultId, undefined);
  }

  private setLimitFor(pageGapInMs: number): void {
    if (this.maxRequestsPerSecond === undefined) return;
    // One slot stays free for the list request itself.
    const limit = Math.max(1, Math.floor((this.maxRequestsPerSecond * pageGapInMs) / 1000) - 1);
    if (limit === this.limit) return;
    this.limit = limit;
    this.applier.limitVault(this.vaultId, limit);
  }
}
