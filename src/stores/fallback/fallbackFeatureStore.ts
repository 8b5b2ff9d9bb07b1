import type { CatalogItem } from '../../domain/interaction.js';
import type { Promotion } from '../../services/serviceTypes.js';
import type {
  FeatureStore,
  HistoryEntry,
  ItemCounters,
  StoredRankedList,
  UserFeatures,
} from '../featureStore.js';
import type { CounterIncrement, FoldInState, InteractionWrite } from '../featureStoreBatchWrites.js';
import { hasBatchWrites, hasFoldInReads } from '../featureStoreBatchWrites.js';
import type { CircuitBreaker } from './circuitBreaker.js';
import { DependencyUnavailableError } from './circuitBreaker.js';
import { reportDegraded } from './degradedParts.js';

/** Reads of more keys than this are bulk reads ({@link BULK_BUDGET_MS}, outside the circuit). */
const BULK_KEYS = 1000;
/** Time budget of a bulk read, ms. */
const BULK_BUDGET_MS = 10_000;

/** Default of {@link FallbackFeatureStoreOptions.writeBudgetMs}, ms. */
const DEFAULT_WRITE_BUDGET_MS = 1000;

/** Options of {@link FallbackFeatureStore}. */
export interface FallbackFeatureStoreOptions {
  /** The shared store (Redis): every read and write goes here first. */
  readonly primary: FeatureStore;
  /**
   * The in-process snapshot read when the primary fails: the catalog, item
   * counters and user states of the served model as of start-up, plus the
   * ranked lists this replica stored while the primary was down.
   */
  readonly fallback: FeatureStore;
  /** Time budget and circuit of the primary's reads (and of `putRankedList`). */
  readonly breaker: CircuitBreaker;
  /**
   * Time budget of one write to the primary, in ms. Writes do not go through
   * the read circuit: a write is tried even while reads are skipped, so an
   * event already in the event log is not left unapplied because an earlier
   * read was slow (issue #6 attack report: a slow read after a large feedback
   * batch opened the circuit and the next second's accepted events were never
   * applied to Redis). @default 1000 (RECGATE_EVENT_LOG_BUDGET_MS's default)
   */
  readonly writeBudgetMs?: number;
  /**
   * False while the primary is reachable but known not to hold the served
   * state (Redis restarted empty or was flushed, and is being seeded again:
   * `SeedWatch.trusted`). Reads (and `putRankedList`) then go to the
   * fallback and are reported in `degraded`, as when the primary fails;
   * writes still go to the primary. May return a promise (a check is due).
   * @default always trusted
   */
  readonly primaryTrusted?: () => boolean | Promise<boolean>;
  /**
   * Called when a whole-catalog read (the popular/trending refresh:
   * `listItemIds`, `getItemCounters` of more than 1,000 items) was answered
   * by the fallback, with the degraded part (`featureStore.catalog`,
   * `featureStore.itemCounters`) and why. Such a read runs outside any
   * request, so no `degraded` list names it; the gateway logs it (the lists
   * later served from that ranking name `featureStore.liveRanking`:
   * `LiveCounterRanking`). @default none
   */
  readonly onBulkFallback?: (part: string, reason: string) => void;
}

/** The degraded part a ranked-list read or write served by the fallback reports (`read('rankedLists', …)`). */
export const RANKED_LISTS_PART = 'featureStore.rankedLists';
/** The degraded part a catalog-item read served by the fallback reports (`read('items', …)`). */
export const ITEMS_PART = 'featureStore.items';

/**
 * A {@link FeatureStore} that keeps serving when the shared store is slow or
 * down (graceful degradation):
 * - reads (`getUsers`, `getItems`, `getItemCounters`, `listItemIds`,
 *   `listPromotions`, `getRankedList`) try the primary within the breaker's
 *   budget; on failure they answer from the fallback and report the part
 *   (`featureStore.users`, `featureStore.items`, `featureStore.itemCounters`,
 *   `featureStore.catalog`, `featureStore.promotions`, `featureStore.rankedLists`)
 *   to the request's `degraded` list. `getRankedList` also looks in the
 *   fallback when the primary answers null (a list stored during an outage
 *   stays there, and pages after it). A ranked list missing from the fallback
 *   answers null (the cursor's list is gone: BAD_USER_INPUT to the client).
 * - `putRankedList` falls back to the snapshot too (paging then works on this
 *   replica only, and says so in `degraded`).
 * - every other write (feedback effects, impressions, catalog and promotion
 *   changes) goes to the primary only, within `writeBudgetMs` and even while
 *   the read circuit is open, and rejects with `DependencyUnavailableError`
 *   when it fails: callers report UNAVAILABLE, never a success that was not
 *   stored. Writes are not copied to the
 *   fallback: it stays the start-up snapshot.
 * - Whole-catalog reads (`listItemIds`, `getItemCounters` of more than 1000
 *   items: the ranking refresh) get a 10 s budget and never open the circuit,
 *   so a slow refresh on a big catalog does not degrade requests.
 * - No bulk loading: seed the primary itself (seeding may take longer than the budget).
 * - While `primaryTrusted` answers false (the primary lost its seed), reads
 *   and `putRankedList` are served by the fallback and reported as above.
 */
export class FallbackFeatureStore implements FeatureStore {
  readonly name: string;

  constructor(private readonly options: FallbackFeatureStoreOptions) {
    this.name = `${options.primary.name} (fallback: ${options.fallback.name})`;
  }

  /** False when `primaryTrusted` says the primary lost the served state (awaited only when a check is due). */
  private async primaryUsable(): Promise<boolean> {
    const trusted = this.options.primaryTrusted?.() ?? true;
    return trusted === true || (trusted !== false && (await trusted));
  }

  private async read<T>(
    part: string,
    fromPrimary: (s: FeatureStore) => Promise<T>,
    fromFallback: (s: FeatureStore) => Promise<T> = fromPrimary,
  ): Promise<T> {
    const trust = this.options.primaryTrusted?.() ?? true;
    if (trust === true) {
      // The usual case (no trust check due): read the primary, fall back on failure.
      try {
        return await this.options.breaker.call(() => fromPrimary(this.options.primary));
      } catch {
        // served from the fallback below
      }
    } else if (trust !== false) {
      const answer = this.options.breaker
        .call(() => fromPrimary(this.options.primary))
        .then(
          (value) => ({ ok: true as const, value }),
          () => ({ ok: false as const }),
        );
      // A due trust check runs beside the read, both within the budget, never one after the other;
      // a failed read goes to the fallback without waiting for it.
      const read = await answer;
      if (read.ok && (await trust)) return read.value;
    }
    reportDegraded(`featureStore.${part}`);
    return fromFallback(this.options.fallback);
  }

  /** A write to the primary within `writeBudgetMs`, whatever the read circuit's state; never the fallback. */
  private async write<T>(fn: (s: FeatureStore) => Promise<T>): Promise<T> {
    const budgetMs = this.options.writeBudgetMs ?? DEFAULT_WRITE_BUDGET_MS;
    const dependency = this.options.breaker.dependency;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(this.options.primary),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within the ${budgetMs} ms write budget`)),
            budgetMs,
          );
        }),
      ]);
    } catch (err) {
      throw new DependencyUnavailableError(dependency, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  getUsers(userIds: readonly string[]): Promise<(UserFeatures | null)[]> {
    return this.read('users', (s) => s.getUsers(userIds));
  }
  /** `FoldInReads` (issue #6): the primary's narrow read when it has one, else `getUsers`; falls back like `getUsers`. */
  getFoldInStates(userIds: readonly string[]): Promise<(FoldInState | null)[]> {
    return this.read('users', (s) => (hasFoldInReads(s) ? s.getFoldInStates(userIds) : s.getUsers(userIds)));
  }
  getItems(itemIds: readonly string[]): Promise<(CatalogItem | null)[]> {
    return this.read('items', (s) => s.getItems(itemIds));
  }
  getItemCounters(itemIds: readonly string[]): Promise<(ItemCounters | null)[]> {
    if (itemIds.length > BULK_KEYS) return this.bulkRead('itemCounters', (s) => s.getItemCounters(itemIds));
    return this.read('itemCounters', (s) => s.getItemCounters(itemIds));
  }
  listItemIds(): Promise<readonly string[]> {
    return this.bulkRead('catalog', (s) => s.listItemIds());
  }

  /**
   * A whole-catalog read (the background refresh of the popular/trending
   * ranking): it may take longer than a request's budget on a big catalog,
   * so it gets {@link BULK_BUDGET_MS} and never opens the request path's
   * circuit; on failure it answers from the fallback.
   */
  private async bulkRead<T>(part: string, fn: (s: FeatureStore) => Promise<T>): Promise<T> {
    if (this.options.breaker.isOpen || !(await this.primaryUsable())) {
      reportDegraded(`featureStore.${part}`);
      this.options.onBulkFallback?.(
        `featureStore.${part}`,
        this.options.breaker.isOpen ? 'the circuit is open' : 'the primary does not hold the served state',
      );
      return fn(this.options.fallback);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(this.options.primary),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('bulk read timed out')), BULK_BUDGET_MS);
        }),
      ]);
    } catch (err) {
      reportDegraded(`featureStore.${part}`);
      this.options.onBulkFallback?.(`featureStore.${part}`, err instanceof Error ? err.message : String(err));
      return fn(this.options.fallback);
    } finally {
      clearTimeout(timer);
    }
  }
  listPromotions(): Promise<Promotion[]> {
    // The snapshot holds no promotions: none is served while the shared store is down.
    return this.read('promotions', (s) => s.listPromotions());
  }
  async getRankedList(requestId: string): Promise<StoredRankedList | null> {
    const found = await this.read('rankedLists', (s) => s.getRankedList(requestId));
    // A list stored while the primary was down lives in the fallback only: once the primary is
    // back it answers null for it, and the list must still page (attack report, session 18).
    return found ?? this.options.fallback.getRankedList(requestId);
  }
  async putRankedList(list: StoredRankedList, ttlMs: number): Promise<void> {
    try {
      const trust = this.options.primaryTrusted?.() ?? true;
      if (trust === false) throw new Error('the primary lost the served state');
      // On the request path with a fallback: under the read circuit, like a read (a due trust check beside it).
      await this.options.breaker.call(() => this.options.primary.putRankedList(list, ttlMs));
      if (!(await trust)) throw new Error('the primary lost the served state');
    } catch {
      reportDegraded('featureStore.rankedLists');
      await this.options.fallback.putRankedList(list, ttlMs);
    }
  }
  applyInteraction(
    userId: string,
    entry: HistoryEntry,
    update: {
      readonly categories: readonly string[];
      readonly weight: number;
      readonly vector?: Float32Array | null;
    },
  ): Promise<void> {
    return this.write((s) => s.applyInteraction(userId, entry, update));
  }
  recordImpressions(userId: string, itemIds: readonly string[], at: number): Promise<void> {
    return this.write((s) => s.recordImpressions(userId, itemIds, at));
  }
  /**
   * Batch write (`BatchWrites`, issue #6) on the primary: its own batch method
   * when it has one (one breaker call), else one `applyInteraction` per write
   * in order, the last carrying `vector`.
   */
  async applyUserInteractions(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: Float32Array | null | undefined,
  ): Promise<void> {
    const primary = this.options.primary;
    if (hasBatchWrites(primary)) {
      return this.write(() => primary.applyUserInteractions(userId, writes, vector));
    }
    for (const [k, w] of writes.entries()) {
      const last = k === writes.length - 1;
      await this.applyInteraction(userId, w.entry, {
        categories: w.categories,
        weight: w.weight,
        ...(last && vector !== undefined ? { vector } : {}),
      });
    }
  }

  /** Batch write (`BatchWrites`) on the primary: its batch method when it has one, else one increment each in order. */
  async incrementItemCountersBatch(increments: readonly CounterIncrement[]): Promise<void> {
    const primary = this.options.primary;
    if (hasBatchWrites(primary)) return this.write(() => primary.incrementItemCountersBatch(increments));
    for (const i of increments) await this.incrementItemCounters(i.itemId, i.weight, i.at);
  }

  incrementItemCounters(itemId: string, weight: number, at: number): Promise<void> {
    return this.write((s) => s.incrementItemCounters(itemId, weight, at));
  }
  upsertItems(items: readonly CatalogItem[]): Promise<void> {
    return this.write((s) => s.upsertItems(items));
  }
  upsertPromotion(promotion: Promotion): Promise<void> {
    return this.write((s) => s.upsertPromotion(promotion));
  }
  deletePromotion(id: string): Promise<boolean> {
    return this.write((s) => s.deletePromotion(id));
  }
  async close(): Promise<void> {
    await Promise.allSettled([this.options.primary.close(), this.options.fallback.close()]);
  }
}
