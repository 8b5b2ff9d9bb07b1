import type { FeatureStore } from '../../stores/featureStore.js';

/**
 * Every catalog item ordered by its live decayed counters, for the `popular`
 * and `trending` sources.
 * - `ids[i]`, `popularity[i]`, `trend[i]`: item i and its counters (0 when none);
 * - `byPopularity`, `byTrend`: indices into `ids`, best first (ties: lower index);
 * - `newItems`: indices of items the served model does not know (added by
 *   `upsertItems` after training), most popular first.
 */
export interface RankingSnapshot {
  readonly ids: readonly string[];
  readonly popularity: Float32Array;
  readonly trend: Float32Array;
  readonly byPopularity: Int32Array;
  readonly byTrend: Int32Array;
  readonly newItems: Int32Array;
  /** Unix ms of the refresh. */
  readonly at: number;
}

/** Options of {@link LiveCounterRanking}. */
export interface LiveCounterRankingOptions {
  readonly store: FeatureStore;
  /** A snapshot older than this is refreshed on the next read, in ms. @default 5000 */
  readonly refreshMs?: number;
  /** Whether the served model knows an item (false = a new item). */
  readonly knownToModel: (itemId: string) => boolean;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
}

/**
 * A periodically refreshed ranking of the catalog by live counters. The
 * FeatureStore port has no "top items" query, so instead of reading every
 * counter on every request this reads them all (`listItemIds` +
 * `getItemCounters`, two round trips) at most once per `refreshMs`, shared by
 * concurrent requests; `invalidate()` forces the next read to refresh (after
 * `upsertItems`). Each replica keeps its own snapshot: feedback on other
 * replicas shows up within `refreshMs`.
 */
export class LiveCounterRanking {
  private latest: RankingSnapshot | null = null;
  private pending: Promise<RankingSnapshot> | null = null;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LiveCounterRankingOptions) {
    this.refreshMs = options.refreshMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The current snapshot. A stale one is returned while a refresh runs in the
   * background (stale-while-revalidate, so no request waits for it); after
   * {@link invalidate} or a failed refresh the next read waits for fresh data.
   */
  async snapshot(): Promise<RankingSnapshot> {
    if (this.latest !== null && this.now() - this.latest.at >= this.refreshMs && this.pending === null) {
      this.start().catch(() => undefined);
    }
    if (this.latest !== null) return this.latest;
    return this.pending ?? this.start();
  }

  /**
   * Starts a refresh now but keeps serving the current snapshot until it
   * completes (a model swap: no request waits for the full counter read).
   */
  revalidate(): void {
    if (this.pending === null) this.start().catch(() => undefined);
  }

  /** The next {@link snapshot} reads the store again. */
  invalidate(): void {
    this.latest = null;
    this.pending = null;
  }

  private start(): Promise<RankingSnapshot> {
    const run = this.refresh().then(
      (s) => {
        if (this.pending === run) {
          this.latest = s;
          this.pending = null;
        }
        return s;
      },
      (err: unknown) => {
        if (this.pending === run) this.pending = null;
        throw err;
      },
    );
    this.pending = run;
    return run;
  }

  private async refresh(): Promise<RankingSnapshot> {
    const at = this.now();
    const ids = await this.options.store.listItemIds();
    const counters = ids.length === 0 ? [] : await this.options.store.getItemCounters(ids);
    const n = ids.length;
    const popularity = new Float32Array(n);
    const trend = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const c = counters[i];
      popularity[i] = c && Number.isFinite(c.popularity) ? c.popularity : 0;
      trend[i] = c && Number.isFinite(c.trend) ? c.trend : 0;
    }
    const byPopularity = sortedIndices(popularity);
    const byTrend = sortedIndices(trend);
    const newItems = Int32Array.from([...byPopularity].filter((i) => !this.options.knownToModel(ids[i]!)));
    return { ids, popularity, trend, byPopularity, byTrend, newItems, at };
  }
}

function sortedIndices(values: Float32Array): Int32Array {
  const idx = new Int32Array(values.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => values[b]! - values[a]! || a - b);
}

/**
 * Up to `limit` hits from a ranking order, skipping excluded items, then up to
 * `newShare × limit` (at least 1) new items not already taken, so items added
 * after training are candidates at once.
 */
export function topFromRanking(
  snapshot: RankingSnapshot,
  order: Int32Array,
  values: Float32Array,
  limit: number,
  exclude: (itemId: string) => boolean,
  newShare = 0.2,
): { itemId: string; score: number }[] {
  const out: { itemId: string; score: number }[] = [];
  const taken = new Set<number>();
  for (let k = 0; k < order.length && out.length < limit; k++) {
    const i = order[k]!;
    const id = snapshot.ids[i]!;
    if (exclude(id)) continue;
    taken.add(i);
    out.push({ itemId: id, score: values[i]! });
  }
  const extra = Math.max(1, Math.ceil(limit * newShare));
  let added = 0;
  for (let k = 0; k < snapshot.newItems.length && added < extra; k++) {
    const i = snapshot.newItems[k]!;
    const id = snapshot.ids[i]!;
    if (taken.has(i) || exclude(id)) continue;
    out.push({ itemId: id, score: values[i]! });
    added++;
  }
  return out;
}
