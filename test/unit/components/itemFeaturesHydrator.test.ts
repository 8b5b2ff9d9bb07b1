import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cosineFromIndexScore } from '../../../models/pipeline/candidateFeatures.js';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import { unavailableFilter } from '../../../src/components/filters/unavailableFilter.js';
import {
  cosineFromNorm,
  itemFactorNorms,
  itemFeaturesHydrator,
  userItemDots,
} from '../../../src/components/hydrators/itemFeaturesHydrator.js';
import { featureNeighbourScores } from '../../../src/components/neighbourScores.js';
import type { RecommendationQuery } from '../../../src/components/recommendationQuery.js';
import { factorRowsOfVectors } from '../../../src/domain/factorRows.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { halfTable } from '../../../src/domain/halfFloat.js';
import { createRandom } from '../../../src/domain/random.js';
import { RANKER_FEATURE_COUNT, writeFeatureRow } from '../../../src/domain/rankerFeatures.js';
import { createRequestLoaders } from '../../../src/loaders/requestLoaders.js';
import { addSourceHit } from '../../../src/pipeline/candidate.js';
import type { Candidate } from '../../../src/pipeline/candidate.js';
import { createFeatureMatrix } from '../../../src/pipeline/featureMatrix.js';
import type { ItemCounters } from '../../../src/stores/featureStore.js';
import {
  KernelRows,
  allocateKernelHalves,
  allocateKernelRows,
} from '../../../src/stores/embedded/kernelRows.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { catalogItem, handBundle, neighbourList, T0 } from '../pipeline/pipelineFixtures.js';
import { withoutItemColumnReads } from '../../support/withoutItemColumnReads.js';

const DAY = 86_400_000;
const N = 40;
const D = 6;

/** 2⁻²⁴: the float32 rounding of y/M, the served view's only difference from the raw factors. */
const U = 2 ** -24;

/** `bundle` as the server loads it: the item factors read through the item vectors (stride d + 1, scale M). */
function servedView(bundle: ModelBundle): ModelBundle {
  return {
    ...bundle,
    itemFactors: factorRowsOfVectors(bundle.itemVectors, bundle.dimension, bundle.maxItemNorm),
  };
}

/** A bundle of N random items (i0…), some with first-seen times and neighbours; `column` adds the firstSeen column. */
function bundleOf(column: boolean): ModelBundle {
  const random = createRandom(5);
  const factors = Float32Array.from({ length: N * D }, () => random.normal());
  factors.fill(0, 3 * D, 4 * D); // i3: a zero item (cosine 0)
  const itemState = Array.from({ length: N }, (_, i) => ({
    popularity: 0,
    trend: 0,
    firstSeen: i % 3 === 0 ? T0 - i * DAY : null,
    categories: [],
  }));
  const neighbours = Array.from({ length: N }, (_, i) =>
    i < 3
      ? neighbourList([
          [i + 5, 0.5],
          [i + 6, 0.25],
        ])
      : neighbourList([]),
  );
  return handBundle(factors, D, {
    itemState,
    neighbours,
    ...(column
      ? { firstSeen: Float64Array.from(itemState, (s) => (s.firstSeen === null ? NaN : s.firstSeen)) }
      : {}),
  });
}

/**
 * A query over `bundle` and a memory store holding half the items, with counters for three.
 * `path`: 'columns' reads the store's columns (as served from memory), 'loaders' hides them
 * (the request's loaders, as on Redis).
 */
async function setup(
  bundle: ModelBundle,
  store = new MemoryFeatureStore({ now: () => T0 }),
  path: 'columns' | 'loaders' = 'columns',
) {
  if (path === 'loaders') withoutItemColumnReads(store);
  const items: CatalogItem[] = [];
  for (let i = 0; i < N; i += 2) {
    items.push(catalogItem(`i${i}`, i % 4 === 0 ? ['drama', 'crime'] : ['comedy'], { createdAt: T0 - DAY }));
  }
  items.push(catalogItem('new1', ['drama'], { createdAt: T0 - 2 * DAY }), catalogItem('new2'));
  await store.upsertItems(items);
  await store.putItemCounters([
    { itemId: 'i0', counters: { popularity: 10, trend: 3, updatedAt: T0 - DAY } },
    { itemId: 'i1', counters: { popularity: 4, trend: 1, updatedAt: T0 - 2 * DAY } },
    { itemId: 'new1', counters: { popularity: 2, trend: 2, updatedAt: T0 - DAY } },
  ]);
  store.resetCalls();
  const random = createRandom(9);
  const q = {
    userId: 'u',
    userVector: Float32Array.from({ length: D }, () => random.normal()),
    userState: {
      interactionCount: 12,
      categoryShare: new Map([
        ['drama', 0.5],
        ['comedy', 0.25],
      ]),
      categoryLastSeen: new Map([['crime', T0 - 3 * DAY]]),
    },
    recent: [
      { itemId: 'i0', row: 0, type: 'CLICK' },
      { itemId: 'i1', row: 1, type: 'CLICK' },
    ],
    sessionItemIds: [],
    contextItemIds: [],
    model: { bundle },
    now: T0,
    memo: new Map(),
    rows: null,
    env: { store, loaders: createRequestLoaders({ store, similar: async () => [] }) },
  } as unknown as RecommendationQuery;
  const ids = [...Array.from({ length: N }, (_, i) => `i${i}`), 'new1', 'new2', 'gone'];
  const candidates = ids.map((id, k) => addSourceHit(undefined, 'POPULAR', { itemId: id, score: 1 }, k));
  return { q, candidates, store };
}

/** An id → row map that records every id `get` was asked for. */
class CountingIndex extends Map<string, number> {
  readonly asked: string[] = [];
  override get(id: string): number | undefined {
    this.asked.push(id);
    return super.get(id);
  }
}

/** The hydrator as it was written before the loaders kept no per-key promises: the reference rows. */
async function referenceRows(
  q: RecommendationQuery,
  candidates: readonly Candidate[],
): Promise<Float32Array> {
  const ids = candidates.map((c) => c.itemId);
  const [itemsRaw, countersRaw] = await Promise.all([
    q.env.loaders.items.loadMany(ids),
    q.env.loaders.itemCounters.loadMany(ids),
  ]);
  const items = itemsRaw.map((v) => (v instanceof Error ? null : v));
  const counters = countersRaw.map((v) => (v instanceof Error ? null : v)) as (ItemCounters | null)[];
  const bundle = q.model.bundle;
  const d = bundle.dimension;
  const x = q.userVector;
  let xNorm = 0;
  if (x !== null) for (let p = 0; p < d; p++) xNorm += x[p]! * x[p]!;
  xNorm = Math.sqrt(xNorm);
  const ns = featureNeighbourScores(q);
  const out = new Float32Array(ids.length * RANKER_FEATURE_COUNT);
  ids.forEach((id, j) => {
    const row = bundle.itemIndex.get(id) ?? -1;
    const modelFirstSeen =
      row < 0
        ? null
        : bundle.firstSeen !== undefined
          ? Number.isNaN(bundle.firstSeen[row]!)
            ? null
            : bundle.firstSeen[row]!
          : (bundle.itemState[row]?.firstSeen ?? null);
    let retrieval: number | null = null;
    let cosine: number | null = null;
    if (row >= 0 && x !== null && xNorm > 0) {
      let s = 0;
      for (let p = 0; p < d; p++) s += x[p]! * bundle.itemVectors[row * (d + 1) + p]!;
      retrieval = s / xNorm;
      cosine = cosineFromIndexScore(bundle, row, retrieval);
    }
    writeFeatureRow(
      out,
      j * RANKER_FEATURE_COUNT,
      q.userState,
      {
        popularity: counters[j]?.popularity ?? 0,
        trend: counters[j]?.trend ?? 0,
        firstSeen: modelFirstSeen ?? items[j]?.createdAt ?? null,
        categories: items[j]?.categories ?? [],
      },
      { retrieval, cosine, itemToItem: row >= 0 ? ns.scoreOf(row) : 0 },
      q.now,
    );
  });
  return out;
}

describe('Hydrator: itemFeatures', () => {
  for (const path of ['columns', 'loaders'] as const) {
    for (const [column, vector] of [
      [false, true],
      [true, true],
      [false, false],
    ]) {
      it(`${path}: writes the same rows as the per-candidate reference, bit for bit (firstSeen column: ${column}, user vector: ${vector})`, async () => {
        const { q, candidates, store } = await setup(bundleOf(column!), undefined, path);
        if (!vector) (q as { userVector: Float32Array | null }).userVector = null;
        const features = createFeatureMatrix(candidates.length, RANKER_FEATURE_COUNT);
        await itemFeaturesHydrator.hydrate(q, candidates, features);
        expect(Array.from(features.data)).toEqual(Array.from(await referenceRows(q, candidates)));
        // What it read, per row, as columns: the catalog's createdAt and categories, the live
        // popularity, the model rows; the values the store's object reads give.
        const rows = q.rows!;
        const ids = candidates.map((c) => c.itemId);
        const items = await store.getItems(ids);
        expect(items.map((i) => i?.id ?? null)).toEqual(
          ids.map((id) => (id === 'gone' || /^i\d*[13579]$/.test(id) ? null : id)),
        );
        expect(Array.from(rows.createdAt)).toEqual(items.map((i) => i?.createdAt ?? NaN));
        expect(rows.categories).toEqual(items.map((i) => i?.categories ?? []));
        expect(rows.popularity[0]).toBeCloseTo(10 * Math.pow(0.5, 1 / 90), 12);
        expect(rows.popularity[2]).toBe(0);
        const counters = await store.getItemCounters(ids);
        expect(Array.from(rows.popularity)).toEqual(counters.map((c) => c?.popularity ?? 0));
        expect(Array.from(rows.modelRows)).toEqual([...Array.from({ length: N }, (_, i) => i), -1, -1, -1]);
      });
    }
  }

  it('columns and loaders: the same matrix and rows, bit for bit, after upserts over the catalog', async () => {
    const out: { data: number[]; rows: unknown }[] = [];
    for (const path of ['columns', 'loaders'] as const) {
      const { q, candidates, store } = await setup(bundleOf(true), undefined, path);
      // An upsert that makes an item unavailable and moves its createdAt, and counters for a new item.
      await store.upsertItems([catalogItem('i0', ['crime'], { createdAt: T0 - 5 * DAY, available: false })]);
      await store.putItemCounters([{ itemId: 'new2', counters: { popularity: 7, trend: 1, updatedAt: T0 } }]);
      const features = createFeatureMatrix(candidates.length, RANKER_FEATURE_COUNT);
      await itemFeaturesHydrator.hydrate(q, candidates, features);
      const rows = q.rows!;
      out.push({
        data: Array.from(features.data),
        rows: {
          modelRows: Array.from(rows.modelRows),
          createdAt: Array.from(rows.createdAt),
          popularity: Array.from(rows.popularity),
          categories: rows.categories,
        },
      });
    }
    expect(out[0]).toEqual(out[1]);
    expect((out[0]!.rows as { categories: string[][] }).categories[0]).toEqual(['crime']);
  });

  it('loaders: after the unavailable filter, reads no catalog row and no counters again', async () => {
    const { q, candidates, store } = await setup(bundleOf(false), undefined, 'loaders');
    const kept = await unavailableFilter.filter(q, candidates);
    await nextLoopTurn(); // runPipeline yields between filters and hydrators: the prefetch has gone
    expect(store.calls).toEqual({ getItems: 1, getItemCounters: 1 });
    await itemFeaturesHydrator.hydrate(q, kept, createFeatureMatrix(kept.length, RANKER_FEATURE_COUNT));
    expect(store.calls).toEqual({ getItems: 1, getItemCounters: 1 });
  });

  it("columns: the hydrator reads the unavailable filter's column read, never an item or counters object", async () => {
    const { q, candidates, store } = await setup(bundleOf(false));
    const kept = await unavailableFilter.filter(q, candidates);
    const features = createFeatureMatrix(kept.length, RANKER_FEATURE_COUNT);
    await itemFeaturesHydrator.hydrate(q, kept, features);
    expect(store.calls).toEqual({ readItemColumns: 1 });
    // The same rows as a hydration that reads the store itself.
    const fresh = await setup(bundleOf(false));
    const again = createFeatureMatrix(kept.length, RANKER_FEATURE_COUNT);
    await itemFeaturesHydrator.hydrate(fresh.q, kept, again);
    expect(fresh.store.calls).toEqual({ readItemColumns: 1 });
    expect(Array.from(features.data)).toEqual(Array.from(again.data));
  });

  it("columns: after a later filter drops candidates the filter's read still serves; other candidates are read again", async () => {
    const { q, candidates, store } = await setup(bundleOf(false));
    const kept = await unavailableFilter.filter(q, candidates);
    const later = kept.filter((_, j) => j % 3 !== 1); // what a filter after `unavailable` could leave
    await itemFeaturesHydrator.hydrate(q, later, createFeatureMatrix(later.length, RANKER_FEATURE_COUNT));
    expect(store.calls).toEqual({ readItemColumns: 1 });
    const viaMemo = q.rows!;
    const fresh = await setup(bundleOf(false));
    await itemFeaturesHydrator.hydrate(
      fresh.q,
      later,
      createFeatureMatrix(later.length, RANKER_FEATURE_COUNT),
    );
    expect(Array.from(viaMemo.popularity)).toEqual(Array.from(fresh.q.rows!.popularity));
    expect(Array.from(viaMemo.createdAt)).toEqual(Array.from(fresh.q.rows!.createdAt));
    expect(viaMemo.categories).toEqual(fresh.q.rows!.categories);
    // Out of order (not a subsequence of the filter's candidates): read again.
    const reversed = [...later].reverse();
    await itemFeaturesHydrator.hydrate(
      q,
      reversed,
      createFeatureMatrix(reversed.length, RANKER_FEATURE_COUNT),
    );
    expect(store.calls).toEqual({ readItemColumns: 2 });
    expect(Array.from(q.rows!.popularity)).toEqual(Array.from(viaMemo.popularity).reverse());
  });

  it("with the sources' row hints: looks up only the candidates without one, and writes the same matrix and rows", async () => {
    for (const path of ['columns', 'loaders'] as const) {
      for (const filtered of [false, true]) {
        const out: { data: number[]; rows: unknown; asked: string[] }[] = [];
        for (const hinted of [false, true]) {
          const itemIndex = new CountingIndex(bundleOf(true).itemIndex);
          const bundle = { ...bundleOf(true), itemIndex };
          const { q, candidates: plain } = await setup(bundle, undefined, path);
          // The hint a neighbour source gives: the row in the query's model, for the items it knows.
          const candidates = hinted
            ? plain.map((c, k) => {
                const row = [...bundle.itemIds].indexOf(c.itemId);
                return row >= 0
                  ? addSourceHit(undefined, 'POPULAR', { itemId: c.itemId, score: 1, row }, k)
                  : c;
              })
            : plain;
          const kept = filtered ? await unavailableFilter.filter(q, candidates) : candidates;
          const features = createFeatureMatrix(kept.length, RANKER_FEATURE_COUNT);
          await itemFeaturesHydrator.hydrate(q, kept, features);
          const rows = q.rows!;
          out.push({
            data: Array.from(features.data),
            rows: { ...rows, modelRows: Array.from(rows.modelRows) },
            asked: itemIndex.asked,
          });
        }
        const [plain, hinted] = out;
        expect(hinted!.data).toEqual(plain!.data);
        expect(hinted!.rows).toEqual(plain!.rows);
        // The loader path's filter drops the items the catalog lacks before the hydrator asks ('gone').
        const unknown = path === 'loaders' && filtered ? ['new1', 'new2'] : ['new1', 'new2', 'gone'];
        expect(hinted!.asked).toEqual(unknown);
        expect(plain!.asked.length).toBeGreaterThan(N / 2);
      }
    }
  });

  it('loaders: a failed counters read hydrates as no counters (0 popularity, default features)', async () => {
    class FailingCounters extends MemoryFeatureStore {
      override async getItemCounters(): Promise<(ItemCounters | null)[]> {
        throw new Error('counters down');
      }
    }
    const { q, candidates } = await setup(bundleOf(false), new FailingCounters({ now: () => T0 }), 'loaders');
    const features = createFeatureMatrix(candidates.length, RANKER_FEATURE_COUNT);
    await itemFeaturesHydrator.hydrate(q, candidates, features);
    expect(q.rows!.popularity.every((p) => p === 0)).toBe(true);
    for (let j = 0; j < candidates.length; j++) {
      expect(features.data[j * RANKER_FEATURE_COUNT + 3]).toBe(0); // popularity
      expect(features.data[j * RANKER_FEATURE_COUNT + 4]).toBe(0); // trend
    }
  });

  it('through the served view of the factors writes the raw-factor rows, embedding_cosine within float32 rounding', async () => {
    // The view's norm is M·‖v[0:d]‖ = ‖y·(1 + δ)‖ with |δ| ≤ U per component, so it is within
    // U·‖y‖ of ‖y‖ and the cosine within about U relative; both are then rounded to float32
    // (U relative each): |Δcos| ≤ 3U·|cos|. Every other column reads the same inputs: bit for bit.
    const raw = await setup(bundleOf(false));
    const expected = createFeatureMatrix(raw.candidates.length, RANKER_FEATURE_COUNT);
    await itemFeaturesHydrator.hydrate(raw.q, raw.candidates, expected);
    const served = await setup(servedView(bundleOf(false)));
    const got = createFeatureMatrix(served.candidates.length, RANKER_FEATURE_COUNT);
    await itemFeaturesHydrator.hydrate(served.q, served.candidates, got);
    let differing = 0;
    for (let k = 0; k < got.data.length; k++) {
      const e = expected.data[k]!;
      if (k % RANKER_FEATURE_COUNT === 1) {
        expect(Math.abs(got.data[k]! - e)).toBeLessThanOrEqual(3 * U * Math.abs(e));
        if (got.data[k] !== e) differing++;
      } else {
        expect(got.data[k]).toBe(e);
      }
    }
    expect(expected.data.some((v, k) => k % RANKER_FEATURE_COUNT === 1 && v !== 0)).toBe(true);
    expect(differing).toBeLessThan(N); // most cosines round to the same float32
  });

  it('rejects a matrix of the wrong width', async () => {
    const { q, candidates } = await setup(bundleOf(false));
    await expect(
      itemFeaturesHydrator.hydrate(q, candidates, createFeatureMatrix(candidates.length, 3)),
    ).rejects.toThrow(RangeError);
  });
});

describe('Hydrator: cached item-factor norms', () => {
  it('give cosineFromIndexScore bit for bit, for every row and many scores', () => {
    const bundle = bundleOf(false);
    const norms = itemFactorNorms(bundle);
    expect(itemFactorNorms(bundle)).toBe(norms); // kept per bundle
    const random = createRandom(3);
    for (let row = 0; row < N; row++) {
      for (let k = 0; k < 20; k++) {
        const score = random.normal() * 0.5;
        expect(cosineFromNorm(score, bundle.maxItemNorm, norms.of(row))).toBe(
          cosineFromIndexScore(bundle, row, score),
        );
      }
    }
  });

  it('through the served view agree with the raw factors’ norms within 2⁻²⁴ relative (and 0 for a zero item)', () => {
    const bundle = bundleOf(false);
    const raw = itemFactorNorms(bundle);
    const served = itemFactorNorms(servedView(bundle));
    const y = bundle.itemFactors.values;
    for (let row = 0; row < N; row++) {
      let s = 0;
      for (let p = 0; p < D; p++) s += y[row * D + p]! ** 2;
      const exact = Math.sqrt(s);
      expect(raw.of(row)).toBe(exact);
      // ‖y(1 + δ)‖ − ‖y‖ ≤ ‖yδ‖ ≤ U·‖y‖; the float64 sums add ~1e-15 relative.
      expect(Math.abs(served.of(row) - exact)).toBeLessThanOrEqual(U * exact * (1 + 1e-9));
    }
    expect(served.of(3)).toBe(0);
  });
});

describe('Hydrator: user·item dot products (userItemDots)', () => {
  const n = 300;
  const d = 64;
  const w = d + 1;
  const random = createRandom(11);
  const values = Float32Array.from({ length: n * w }, () => random.normal());
  const halfBits = Uint16Array.from(
    { length: n * w },
    () => Math.floor(random.next() * 0x7c00) | (random.next() < 0.5 ? 0x8000 : 0),
  );
  const x = Float32Array.from({ length: d }, () => random.normal());
  // Rows in any order, repeats, and unknown items (−1) among them.
  const rows = Int32Array.from({ length: 500 }, (_, j) => (j % 7 === 3 ? -1 : Math.floor(random.next() * n)));
  const allKnown = rows.map((r) => (r < 0 ? 0 : r));

  it('over a kernel memory: bit for bit the JavaScript loop, float32 and halves, 0 for unknown rows', () => {
    const inKernel = allocateKernelRows(n * w);
    inKernel.set(values);
    const halvesInKernel = allocateKernelHalves(n * w);
    halvesInKernel.set(halfBits);
    const table = halfTable();
    for (const list of [rows, allKnown]) {
      const plain = userItemDots(x, values, d, w, list);
      const kernel = userItemDots(x, inKernel, d, w, list);
      const plainHalves = userItemDots(x, halfBits, d, w, list);
      const kernelHalves = userItemDots(x, halvesInKernel, d, w, list);
      for (let j = 0; j < list.length; j++) {
        const row = list[j]!;
        let s = 0;
        let h = 0;
        if (row >= 0) {
          for (let p = 0; p < d; p++) s += x[p]! * values[row * w + p]!;
          for (let p = 0; p < d; p++) h += x[p]! * table[halfBits[row * w + p]!]!;
        }
        expect(Object.is(plain[j], s)).toBe(true);
        expect(Object.is(kernel[j], s)).toBe(true);
        expect(Object.is(plainHalves[j], h)).toBe(true);
        expect(Object.is(kernelHalves[j], h)).toBe(true);
      }
    }
  });

  it('against halves, a query the kernel refuses (|x| ≥ 65536) is summed by the loop instead', () => {
    const halvesInKernel = allocateKernelHalves(n * w);
    halvesInKernel.set(halfBits);
    const big = Float32Array.from(x);
    big[5] = 1e6;
    expect(Array.from(userItemDots(big, halvesInKernel, d, w, rows))).toEqual(
      Array.from(userItemDots(big, halfBits, d, w, rows)),
    );
  });

  it('the hydrator writes the same rows whether the item vectors live in a kernel memory or not', async () => {
    const bundle = bundleOf(true);
    const inKernel = allocateKernelRows(bundle.itemVectors.length);
    inKernel.set(bundle.itemVectors as Float32Array);
    expect(KernelRows.of(inKernel, bundle.dimension + 1)).not.toBeNull();
    const outputs: number[][] = [];
    for (const b of [servedView(bundle), servedView({ ...bundle, itemVectors: inKernel })]) {
      const { q, candidates } = await setup(b);
      const features = createFeatureMatrix(candidates.length, RANKER_FEATURE_COUNT);
      await itemFeaturesHydrator.hydrate(q, candidates, features);
      outputs.push(Array.from(features.data));
    }
    expect(outputs[1]).toEqual(outputs[0]);
  });
});
