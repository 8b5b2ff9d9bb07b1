import { ItemIdRange, JoinedIdList, sameIdsIn } from '../../domain/itemIdList.js';
import type { ItemIdList } from '../../domain/itemIdList.js';
import type { FeatureStore } from '../../stores/featureStore.js';
import { collectDegradedParts, reportDegraded } from '../../stores/fallback/degradedParts.js';
import { TopIndicesSelector, topIndices } from './topIndices.js';

/**
 * The catalog ranked by its live decayed counters, for the `popular` and
 * `trending` sources.
 * - `ids[i]`, `popularity[i]`, `trend[i]`: item i and its counters (0 when none);
 * - `byPopularity`, `byTrend`: the best `min(n, topK)` indices into `ids`, best
 *   first (ties: lower index): the first entries of a full sort, which is never
 *   built ({@link topFromRanking} extends a prefix on demand);
 * - `newCandidates`: indices of items the served model does not know (added by
 *   `upsertItems` after training), ascending;
 * - `newItems`: the best `min(newCandidates.length, topK)` of them, most popular first.
 */
export interface RankingSnapshot {
  /** A packed list (`PackedIdList`) when the store's is one: read with `at`. */
  readonly ids: ItemIdList;
  readonly popularity: Float32Array;
  readonly trend: Float32Array;
  readonly byPopularity: Int32Array;
  readonly byTrend: Int32Array;
  readonly newItems: Int32Array;
  readonly newCandidates: Int32Array;
  /** Unix ms of the refresh. */
  readonly at: number;
  /**
   * The parts the store reported as served from its fallback while this
   * refresh read it (`FallbackFeatureStore`: `featureStore.catalog` for the
   * ids, `featureStore.itemCounters` for the counters: the start-up snapshot,
   * not live counters), in first-report order; empty when everything came
   * from the primary. Non-empty makes {@link LiveCounterRanking.snapshot} name
   * {@link LIVE_RANKING_PART} in the request's `degraded` list.
   */
  readonly degradedParts: readonly string[];
}

/**
 * The `degraded` entry of a request whose POPULAR or TRENDING candidates came
 * from a ranking whose last refresh read some of its ids or counters from the
 * feature store's fallback (the start-up snapshot: Redis failed, its circuit
 * was open, or it lost its seed) instead of live counters. Named like the
 * other `featureStore.<part>` entries; it goes away with the first refresh that
 * reads everything from the primary again.
 */
export const LIVE_RANKING_PART = 'featureStore.liveRanking';

/**
 * A store that can hand out its counters in bulk without an object per item
 * (`MemoryFeatureStore.itemCounterChunks`): every item id in `listItemIds`
 * order with float32 counters decayed to the store's clock at the call (as
 * `getItemCounters` decays them), in chunks of `chunkSize` ids. A chunk's
 * arrays may be reused by the next one: a chunk is read before the iterator
 * advances, and what is kept is copied.
 */
export interface BulkItemCounters {
  itemCounterChunks(chunkSize: number): Iterable<{
    /** The chunk's ids: may be an `ItemIdRange` of {@link itemIdsInOrder}'s list (then recognised without a string per id). */
    readonly ids: ItemIdList;
    readonly popularity: Float32Array;
    readonly trend: Float32Array;
  }>;
  /**
   * Every item id in `listItemIds` order as one array the store keeps (the
   * caller must not write to it), or null when the store has no such array.
   * The first refresh keeps it as its snapshot's ids instead of building a
   * copy (issue #6: 10 MB at 1M items; with packed ids, no string per item).
   */
  itemIdsInOrder?(): ItemIdList | null;
}

/** Options of {@link LiveCounterRanking}. */
export interface LiveCounterRankingOptions {
  readonly store: FeatureStore;
  /**
   * A snapshot older than this is refreshed on the next read, in ms; see
   * {@link dutyCycle} for a refresh that takes long. @default 5000
   */
  readonly refreshMs?: number;
  /**
   * The largest share of wall time the periodic refreshes may take: after a
   * refresh that took d ms (measured with `elapsed`), the next periodic one starts
   * no sooner than d / dutyCycle ms after it started (and no sooner than
   * `refreshMs`). A number in (0, 1]. At 1M items on Redis a refresh reads a
   * million counters (~100 MGETs, ~2.3 s of Redis time on the bench host),
   * which every 5 s kept Redis busy about half the time (issue #6); a
   * catalog of 10k items refreshes in a few ms and keeps `refreshMs`. The
   * spacing is capped by {@link maxIntervalMs}. Refreshes after a change
   * ({@link refreshAfterChange}, {@link revalidate}, {@link invalidate}) are
   * not spaced. @default 0.1
   */
  readonly dutyCycle?: number;
  /**
   * The longest spacing {@link dutyCycle} may put between the starts of two
   * periodic refreshes, in ms: after a refresh of d ms the next one is due
   * `max(refreshMs, min(maxIntervalMs, d / dutyCycle))` ms after it started
   * (`refreshMs` wins when larger: the cap never shortens it), so while
   * requests come in the served ranking is at most about that plus one
   * refresh's duration old. A number ≥ 0 (`Infinity`: no cap). Without a cap
   * one slow refresh (100 s when Redis took ~1 s per read at 1M items) held
   * the next one off for 1,000 s: counters, and items other replicas added,
   * 17 minutes stale. 60 s is 12 × the default `refreshMs` and above the ~40 s
   * the duty cycle gave at 1M items on the bench host under load
   * (docs/redis.md), so that measured case keeps its spacing. A refresh longer
   * than the cap is followed by the next one as soon as a read finds it due,
   * i.e. back to back: bounded staleness is kept at the cost of the duty cycle.
   * @default 60000
   */
  readonly maxIntervalMs?: number;
  /**
   * Whether a refresh collects the store's fallback reports
   * ({@link RankingSnapshot.degradedParts}). Collecting runs the read inside
   * an `AsyncLocalStorage` context (`collectDegradedParts`), and the first such
   * context turns on Node's promise hooks for the rest of the process: a cost
   * on every promise of every request after it. A store that cannot serve
   * from a fallback (the in-process memory store) passes false; its
   * snapshots then name no degraded part. @default true
   */
  readonly trackDegraded?: boolean;
  /** Whether the served model knows an item (false = a new item). */
  readonly knownToModel: (itemId: string) => boolean;
  /** Clock, Unix ms. @default Date.now */
  readonly now?: () => number;
  /**
   * Monotonic clock, ms, that times a refresh for {@link dutyCycle}. Not
   * `now`: a wall clock stepped forward during a refresh (NTP, a resumed VM)
   * made that refresh look as long as the step, and the next periodic one
   * waited ten times the step (an hour's step: ten hours of a stale ranking).
   * @default performance.now
   */
  readonly elapsed?: () => number;
  /**
   * How many of the best items each order keeps ready (sources ask for a few
   * hundred; a request that skips more is served by extending the order on
   * demand). An integer ≥ 1. @default 1024
   */
  readonly topK?: number;
  /**
   * Items handled per event-loop turn during a refresh (reading counters,
   * selecting the best): the refresh yields to the event loop between slices.
   * An integer ≥ 1. @default 16384
   */
  readonly sliceSize?: number;
}

/**
 * A periodically refreshed ranking of the catalog by live counters. The
 * FeatureStore port has no "top items" query, so instead of reading every
 * counter on every request this reads them all at most once per `refreshMs`,
 * shared by concurrent requests; `invalidate()` forces the next read to
 * refresh (after `upsertItems`). Each replica keeps its own snapshot:
 * feedback on other replicas shows up within `refreshMs`.
 *
 * A refresh never blocks the event loop for long (issue #6: at 1M items a full
 * read and sort took seconds): it reads the counters in slices of `sliceSize`
 * items (through {@link BulkItemCounters} when the store has it, else
 * `listItemIds` and one `getItemCounters` per slice), yields between slices, and keeps
 * only the best `topK` of each order (a bounded heap, {@link TopIndicesSelector})
 * instead of sorting all n. `knownToModel` is asked of every item only when
 * the ids changed since the last refresh or after {@link revalidate} /
 * {@link invalidate} (the gateway calls `revalidate` on a model swap).
 * Memory per snapshot: 8 bytes per item (two float32 columns) plus the id array.
 * @throws RangeError from the constructor for a `topK` or `sliceSize` that is not an integer ≥ 1, a `dutyCycle` outside (0, 1], or a `maxIntervalMs` that is not a number ≥ 0.
 */
export class LiveCounterRanking {
  private latest: RankingSnapshot | null = null;
  /**
   * The counter columns of the snapshot `latest` replaced (a request that
   * read that snapshot may still be using them), and the columns of the one
   * before it, free for the next refresh to fill ({@link takeColumns}): at 1M
   * items a new pair per refresh was 8 MB of off-heap memory every
   * `refreshMs`, freed only by a major GC, and that growth alone made V8 start
   * a major GC ("external memory pressure") about every 30 s under load
   * (issue #6, BENCHMARKS.md "The 1M tail").
   */
  private retired: CounterColumns | null = null;
  private spare: CounterColumns | null = null;
  /** The last refresh's ids and new items, reused while the catalog and the model stay the same. */
  private lastNew: { readonly ids: ItemIdList; readonly newCandidates: Int32Array } | null = null;
  /** Bumped by revalidate() and invalidate(): a refresh begun before must not keep its new items. */
  private generation = 0;
  private pending: Promise<RankingSnapshot> | null = null;
  /** The refresh {@link refreshAfterChange} queued behind a running one; null when none is queued. */
  private followUp: Promise<RankingSnapshot> | null = null;
  private readonly refreshMs: number;
  private readonly dutyCycle: number;
  private readonly maxIntervalMs: number;
  /** How long the last refresh that completed took, ms ({@link dutyCycle}). */
  private lastRefreshMs = 0;
  private readonly now: () => number;
  private readonly elapsed: () => number;
  private readonly topK: number;
  private readonly sliceSize: number;

  constructor(private readonly options: LiveCounterRankingOptions) {
    this.refreshMs = options.refreshMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.elapsed = options.elapsed ?? (() => performance.now());
    this.topK = options.topK ?? 1024;
    this.sliceSize = options.sliceSize ?? 16384;
    this.dutyCycle = options.dutyCycle ?? 0.1;
    if (!(this.dutyCycle > 0 && this.dutyCycle <= 1)) {
      throw new RangeError(`dutyCycle must be a number in (0, 1], got ${this.dutyCycle}`);
    }
    this.maxIntervalMs = options.maxIntervalMs ?? 60_000;
    if (!(this.maxIntervalMs >= 0)) {
      throw new RangeError(`maxIntervalMs must be a number ≥ 0, got ${this.maxIntervalMs}`);
    }
    for (const [name, v] of [
      ['topK', this.topK],
      ['sliceSize', this.sliceSize],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${v}`);
    }
  }

  /**
   * The current snapshot. A stale one is returned while a refresh runs in the
   * background (stale-while-revalidate, so no request waits for it); after
   * {@link invalidate} or a failed refresh the next read waits for fresh data.
   * When the snapshot returned was read (in whole or part) from the store's
   * fallback ({@link RankingSnapshot.degradedParts}), names
   * {@link LIVE_RANKING_PART} in the calling request's degraded parts
   * (`reportDegraded`; a no-op outside a request).
   */
  async snapshot(): Promise<RankingSnapshot> {
    const s = await this.current();
    if (s.degradedParts.length > 0) reportDegraded(LIVE_RANKING_PART);
    return s;
  }

  /** {@link snapshot} without the report: starts a refresh when one is due. */
  private current(): Promise<RankingSnapshot> {
    const interval = Math.max(this.refreshMs, this.dutySpacingMs());
    if (this.latest !== null && this.now() - this.latest.at >= interval && this.pending === null) {
      this.start().catch(() => undefined);
    }
    if (this.latest !== null) return Promise.resolve(this.latest);
    return this.pending ?? this.start();
  }

  /**
   * How long after the last completed refresh started the next one may start
   * under {@link LiveCounterRankingOptions.dutyCycle}, in ms: its duration /
   * dutyCycle, at most {@link LiveCounterRankingOptions.maxIntervalMs}.
   */
  private dutySpacingMs(): number {
    return Math.min(this.maxIntervalMs, this.lastRefreshMs / this.dutyCycle);
  }

  /**
   * Starts a refresh now but keeps serving the current snapshot until it
   * completes (a model swap: no request waits for the full counter read).
   */
  revalidate(): void {
    this.lastNew = null;
    this.generation++;
    // A refresh already running asked the old model about some slices: it is
    // replaced (its result is dropped when it lands), not waited for.
    this.start().catch(() => undefined);
  }

  /**
   * Reads the store again after a change to it (`upsertItems`): resolves once
   * a snapshot read after this call is the served one, and rejects when that
   * refresh fails. No request waits meanwhile: reads keep the current
   * snapshot (after {@link invalidate}, a read waits, and one that waited
   * longer than its source budget failed the request's popular and trending
   * sources, which for a user without history left nothing to rank). A
   * refresh already running may have read before the change, so it is
   * followed by exactly one more; calls made while that one waits share it.
   */
  refreshAfterChange(): Promise<void> {
    const done = (): void => undefined;
    const running = this.pending;
    if (running === null) return this.start().then(done);
    this.followUp ??= running.then(done, done).then(() => {
      this.followUp = null;
      return this.start();
    });
    return this.followUp.then(done);
  }

  /** The next {@link snapshot} reads the store again. */
  invalidate(): void {
    this.lastNew = null;
    this.generation++;
    this.latest = null;
    this.pending = null;
  }

  private start(): Promise<RankingSnapshot> {
    const started = this.elapsed();
    const run: Promise<RankingSnapshot> = this.refresh().then(
      (s) => {
        if (this.pending === run) {
          this.publish(s);
          this.pending = null;
        }
        this.lastRefreshMs = Math.max(0, this.elapsed() - started);
        return s;
      },
      (err: unknown): Promise<RankingSnapshot> => {
        if (this.pending === run) this.pending = null;
        // Superseded by a model swap or an invalidation: answer with the newer refresh.
        if (err instanceof StaleRefresh) return this.pending ?? this.start();
        throw err;
      },
    );
    this.pending = run;
    return run;
  }

  /** Makes `s` the served snapshot; the columns of the one before the replaced one become the spare pair. */
  private publish(s: RankingSnapshot): void {
    const replaced = this.latest;
    this.latest = s;
    if (replaced === null || replaced.popularity.buffer === s.popularity.buffer) return;
    this.spare = this.retired;
    this.retired = { popularity: replaced.popularity, trend: replaced.trend };
  }

  /**
   * Two float32 columns of at least `n` values for a refresh to fill: the
   * spare pair when it is large enough (taken: no other refresh gets it),
   * else new arrays. Views of the first `n` values are the snapshot's.
   */
  private takeColumns(n: number): CounterColumns {
    const spare = this.spare;
    this.spare = null;
    if (
      spare !== null &&
      spare.popularity.buffer.byteLength >= 4 * n &&
      spare.trend.buffer.byteLength >= 4 * n
    ) {
      return {
        popularity: new Float32Array(spare.popularity.buffer, 0, n),
        trend: new Float32Array(spare.trend.buffer, 0, n),
      };
    }
    return { popularity: new Float32Array(n), trend: new Float32Array(n) };
  }

  private async refresh(): Promise<RankingSnapshot> {
    const at = this.now();
    const generation = this.generation;
    // The store's fallback reports go to this refresh, not to the request that happened to start it
    // (that request is served the snapshot before this one): they are kept on the snapshot instead.
    const {
      value: { ids, popularity, trend },
      parts: degradedParts,
    } =
      this.options.trackDegraded === false
        ? { value: await this.readCounters(), parts: [] }
        : await collectDegradedParts(() => this.readCounters());
    const n = ids.length;
    const slice = this.sliceSize;
    const byPop = new TopIndicesSelector(popularity, Math.min(n, this.topK));
    const byTrd = new TopIndicesSelector(trend, Math.min(n, this.topK));
    // Which items the model does not know changes only with the catalog or the model (a swap calls
    // revalidate(), which drops `lastNew`); at 1M items asking `knownToModel` of each costs a
    // string-keyed lookup per item, so a slice whose ids are the last refresh's (the same strings:
    // pointer checks) takes its new items from the last refresh instead.
    const last = this.lastNew;
    const fresh: number[] = [];
    const known = this.options.knownToModel;
    let lastK = 0;
    for (let from = 0; from < n; from += slice) {
      // A model swap (revalidate) or invalidate started a newer refresh: stop asking the old model.
      if (generation !== this.generation) throw new StaleRefresh();
      const to = Math.min(n, from + slice);
      byPop.pushRange(from, to);
      byTrd.pushRange(from, to);
      if (last !== null && sameIdsIn(last.ids, ids, from, to)) {
        const prev = last.newCandidates;
        while (lastK < prev.length && prev[lastK]! < from) lastK++;
        for (; lastK < prev.length && prev[lastK]! < to; lastK++) fresh.push(prev[lastK]!);
      } else {
        for (let i = from; i < to; i++) if (!known(ids.at(i)!)) fresh.push(i);
      }
      if (to < n) await nextTurn();
    }
    const newCandidates = Int32Array.from(fresh);
    if (generation === this.generation) this.lastNew = { ids, newCandidates };
    const newItems = topIndices(popularity, Math.min(newCandidates.length, this.topK), newCandidates);
    return {
      ids,
      popularity,
      trend,
      byPopularity: byPop.result(),
      byTrend: byTrd.result(),
      newItems,
      newCandidates,
      at,
      degradedParts,
    };
  }

  /**
   * Every item id and its counters (decayed by the store), read in slices with a yield between them.
   * The id array of the last refresh is returned again when the store lists the same ids (the
   * same strings, in the same order: the usual case), so a refresh of an unchanged catalog
   * allocates no id array: at 1M items a new one (8 MB, plus its growth) every `refreshMs` was
   * most of the old-generation garbage of an otherwise idle gateway, and each major GC it
   * brought paused requests for ~100–250 ms (BENCHMARKS.md, "The 1M tail").
   */
  private async readCounters(): Promise<{
    ids: ItemIdList;
    popularity: Float32Array;
    trend: Float32Array;
  }> {
    const store = this.options.store;
    const slice = this.sliceSize;
    if (hasBulkCounters(store)) {
      // Columns sized like the last refresh's (the catalog rarely changes size), filled chunk by
      // chunk: no whole-catalog copy in one event-loop turn.
      // Before the first refresh, the store's own id array (when it keeps one) takes that role.
      const previous = this.latest?.ids ?? this.lastNew?.ids ?? store.itemIdsInOrder?.() ?? null;
      let { popularity, trend } = this.takeColumns(previous?.length ?? slice);
      // null while every id so far equals `previous`'s at its position (then nothing is copied).
      let ids: IdsBuilder | null = previous === null ? new IdsBuilder() : null;
      let count = 0;
      for (const chunk of store.itemCounterChunks(slice)) {
        const at = count;
        const m = chunk.ids.length;
        if (at + m > popularity.length) {
          popularity = grown(popularity, at + m);
          trend = grown(trend, at + m);
        }
        // A chunk that is a range of another list than `previous`'s (a swapped store's) is not
        // compared id by id (a string per id of both packed lists): the ids are taken from it instead.
        if (ids === null && !sameIdsIn(previous!, chunk.ids, at, at + m, at, !isPackedRange(chunk.ids)))
          ids = IdsBuilder.prefixOf(previous!, at);
        if (ids !== null) ids.append(chunk.ids);
        popularity.set(chunk.popularity, at);
        trend.set(chunk.trend, at);
        count += m;
        await nextTurn();
      }
      const kept =
        ids?.result() ??
        (count === previous!.length ? previous! : IdsBuilder.prefixOf(previous!, count).result());
      return {
        ids: kept,
        popularity: popularity.length === count ? popularity : popularity.subarray(0, count),
        trend: trend.length === count ? trend : trend.subarray(0, count),
      };
    }
    // One getItemCounters per slice: the counters of a whole 1M-item catalog at once were a
    // million objects alive together (the start-up peak of a gateway on Redis, issue #6).
    // Slices of equal length (at most `slice`), not full slices and a remainder: a remainder of a few
    // hundred ids (1M items: 576) looked like a request's read to FallbackFeatureStore (1,000 keys or
    // fewer) and went through the request path's circuit and budget, so a Redis stall of 150 ms
    // during it opened the circuit for every request of the replica. Equal slices of a catalog
    // longer than one slice are longer than half a slice each.
    const ids = await store.listItemIds();
    const n = ids.length;
    const per = n === 0 ? slice : Math.ceil(n / Math.ceil(n / slice));
    const { popularity, trend } = this.takeColumns(n);
    for (let from = 0; from < n; from += per) {
      const to = Math.min(n, from + per);
      const counters = await store.getItemCounters(ids.slice(from, to));
      for (let i = from; i < to; i++) {
        const c = counters[i - from];
        popularity[i] = c && Number.isFinite(c.popularity) ? c.popularity : 0;
        trend[i] = c && Number.isFinite(c.trend) ? c.trend : 0;
      }
      if (to < n) await nextTurn();
    }
    return { ids, popularity, trend };
  }
}

/** A snapshot's two counter columns (float32, one value per item). */
interface CounterColumns {
  readonly popularity: Float32Array;
  readonly trend: Float32Array;
}

/**
 * The ids of a refresh, built chunk by chunk: chunks that continue one list
 * (`ItemIdRange`s of the store's catalog ids, rows 0, 1, … in order) are
 * kept as that list's head, without a string per id (issue #6: a packed
 * catalog of 1M ids decoded into 1M strings for the ranking's life after one
 * item was upserted); other ids follow as strings.
 */
class IdsBuilder {
  private head: ItemIdList | null = null;
  private headLength = 0;
  private readonly tail: string[] = [];

  /** A builder holding the first `count` ids of `list` (an array's own strings; a packed list's kept packed). */
  static prefixOf(list: ItemIdList, count: number): IdsBuilder {
    const b = new IdsBuilder();
    if (Array.isArray(list)) {
      for (let i = 0; i < count; i++) b.tail.push((list as readonly string[])[i]!);
      return b;
    }
    const head = list instanceof JoinedIdList ? list.head : list;
    const headLength = list instanceof JoinedIdList ? list.headLength : list.length;
    b.head = head;
    b.headLength = Math.min(count, headLength);
    for (let i = b.headLength; i < count; i++) b.tail.push(list.at(i)!);
    return b;
  }

  /** Appends a chunk's ids. */
  append(ids: ItemIdList): void {
    if (
      this.tail.length === 0 &&
      ids instanceof ItemIdRange &&
      isPackedRange(ids) &&
      ids.start === this.headLength &&
      (this.headLength === 0 || ids.list === this.head)
    ) {
      this.head = ids.list;
      this.headLength += ids.length;
      return;
    }
    for (let j = 0; j < ids.length; j++) this.tail.push(ids.at(j)!);
  }

  /** The ids appended: the head list itself when that is all of them. */
  result(): ItemIdList {
    if (this.head === null || this.headLength === 0) return this.tail;
    const head = this.head;
    // The head's last rows come as strings in the store's last, partial chunk: the head itself when they are its own.
    if (
      this.headLength + this.tail.length === head.length &&
      this.tail.every((id, k) => head.at(this.headLength + k) === id)
    ) {
      return head;
    }
    return new JoinedIdList(this.head, this.headLength, this.tail);
  }
}

/** Whether `ids` are rows of a list that makes a string per read (not an array's own strings). */
function isPackedRange(ids: ItemIdList): boolean {
  return ids instanceof ItemIdRange && !Array.isArray(ids.list);
}

function hasBulkCounters(store: FeatureStore): store is FeatureStore & BulkItemCounters {
  return typeof (store as Partial<BulkItemCounters>).itemCounterChunks === 'function';
}

/** A copy of `a` in an array of at least `need` values (doubling), zeros after `a`. */
function grown(a: Float32Array, need: number): Float32Array {
  const out = new Float32Array(Math.max(need, 2 * a.length));
  out.set(a);
  return out;
}

/** Resolves on a later event-loop turn (after pending I/O callbacks), so requests run between refresh slices. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Longer prefixes of a snapshot's orders, built on demand by {@link topFromRanking}. */
const extended = new WeakMap<Int32Array, Int32Array>();

/**
 * The order continuing `order` (a best-first prefix of `values` over all
 * items, or over `candidates`): four times as long, capped at the population.
 */
function extend(order: Int32Array, values: Float32Array, candidates: Int32Array | undefined): Int32Array {
  let next = extended.get(order);
  if (next === undefined) {
    const population = candidates?.length ?? values.length;
    next = topIndices(values, Math.min(population, Math.max(1, order.length) * 4), candidates);
    extended.set(order, next);
  }
  return next;
}

/**
 * Visits the indices of a best-first order, extending the prefix when it runs
 * out before `visit` returns true (stop) and more of the population remains.
 */
function scanOrder(
  order: Int32Array,
  values: Float32Array,
  candidates: Int32Array | undefined,
  visit: (i: number) => boolean,
): void {
  const population = candidates?.length ?? values.length;
  let current = order;
  let k = 0;
  for (;;) {
    for (; k < current.length; k++) if (visit(current[k]!)) return;
    if (current.length >= population) return;
    current = extend(current, values, candidates);
  }
}

/**
 * Up to `limit` hits from a ranking order, skipping excluded items, then up to
 * `newShare × limit` (at least 1) new items not already taken, so items added
 * after training are candidates at once. `order` must be `snapshot.byPopularity`
 * with `snapshot.popularity` or `snapshot.byTrend` with `snapshot.trend`: when
 * exclusions use up its prefix, the order is extended (O(n log k), cached per
 * snapshot), so the result is the same as over a full sort. Each hit's `row`
 * is its index in `snapshot.ids` (the store's order: the served model's rows
 * for the items it was seeded with), a hint that readers check against the
 * model's ids (`SourceHit.row`).
 */
export function topFromRanking(
  snapshot: RankingSnapshot,
  order: Int32Array,
  values: Float32Array,
  limit: number,
  exclude: (itemId: string) => boolean,
  newShare = 0.2,
): { itemId: string; score: number; row: number }[] {
  const out: { itemId: string; score: number; row: number }[] = [];
  const taken = new Set<number>();
  if (limit > 0) {
    scanOrder(order, values, undefined, (i) => {
      const id = snapshot.ids.at(i)!;
      if (exclude(id)) return false;
      taken.add(i);
      out.push({ itemId: id, score: values[i]!, row: i });
      return out.length >= limit;
    });
  }
  const extra = Math.max(1, Math.ceil(limit * newShare));
  let added = 0;
  scanOrder(snapshot.newItems, snapshot.popularity, snapshot.newCandidates, (i) => {
    const id = snapshot.ids.at(i)!;
    if (taken.has(i) || exclude(id)) return false;
    out.push({ itemId: id, score: values[i]!, row: i });
    return ++added >= extra;
  });
  return out;
}

/** Ends a refresh that a model swap made stale; its caller falls back to the newer refresh. */
class StaleRefresh extends Error {
  constructor() {
    super('ranking refresh superseded by a model swap');
  }
}
