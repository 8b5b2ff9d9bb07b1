import { describe, expect, it } from 'vitest';
import { ExactVectorIndex } from '../../../src/stores/embedded/exactVectorIndex.js';
import { createRandom } from '../../../src/domain/random.js';
import { TopKHeap } from '../../../src/stores/embedded/topKHeap.js';
import { vectorIndexContract } from '../../contracts/vectorIndexContract.js';
import { expectRowHints } from '../../support/vectorRowHints.js';

vectorIndexContract('exact', async (ids, vectors, d, payloads) =>
  ExactVectorIndex.fromVectors(ids, vectors, d, payloads === undefined ? {} : { payloads }),
);

describe('ExactVectorIndex', () => {
  it('gives every hit its build row as a hint, and −1 to an item upserted later', async () => {
    await expectRowHints(async (ids, vectors, d) => ExactVectorIndex.fromVectors(ids, vectors, d));
  });

  it('returns no hit for a zero query (a cosine has no direction to rank by)', async () => {
    const index = ExactVectorIndex.fromVectors(['a'], Float32Array.from([1, 0]), 2);
    expect(await index.search(new Float32Array(2), 5)).toEqual([]);
  });

  it('breaks score ties in favour of the item added first', async () => {
    const index = ExactVectorIndex.fromVectors(['x', 'y', 'z'], Float32Array.from([1, 0, 1, 0, 1, 0]), 2);
    expect((await index.search(Float32Array.from([1, 0]), 2)).map((h) => h.itemId)).toEqual(['x', 'y']);
  });

  it('grows past its initial capacity', async () => {
    const index = new ExactVectorIndex(2, 1);
    await index.upsert(
      Array.from({ length: 10 }, (_, i) => ({ itemId: `i${i}`, vector: Float32Array.from([i, 1]) })),
    );
    expect(index.size).toBe(10);
    expect((await index.search(Float32Array.from([1, 0]), 1))[0]!.itemId).toBe('i9');
  });

  it('takes payloads from a CatalogItem map as is (a served model’s catalog)', async () => {
    const catalog = new Map([
      [
        'x',
        { id: 'x', title: null, categories: ['Drama'], attributes: {}, createdAt: null, available: true },
      ],
      [
        'y',
        { id: 'y', title: null, categories: ['Comedy'], attributes: {}, createdAt: null, available: false },
      ],
    ]);
    const index = ExactVectorIndex.fromVectors(
      ['x', 'y', 'z'],
      Float32Array.from([1, 0, 1, 0.1, 1, 0.2]),
      2,
      {
        payloads: catalog,
      },
    );
    const search = async (filter: Parameters<typeof index.search>[2]): Promise<string[]> =>
      (await index.search(Float32Array.from([1, 0]), 3, filter)).map((h) => h.itemId);
    expect(await search({ filter: { availableOnly: true } })).toEqual(['x', 'z']);
    expect(await search({ filter: { categoriesNone: ['Drama'] } })).toEqual(['y', 'z']);
  });

  it('refuses a search of the same index from inside its own predicate, and stays usable', async () => {
    const index = ExactVectorIndex.fromVectors(['a', 'b'], Float32Array.from([1, 0, 0, 1]), 2);
    let inner: Promise<unknown> | undefined;
    const hits = await index.search(Float32Array.from([1, 0]), 2, {
      exclude: () => {
        inner ??= index.search(Float32Array.from([0, 1]), 1);
        return false;
      },
    });
    expect(hits.map((h) => h.itemId)).toEqual(['a', 'b']);
    await expect(inner).rejects.toThrow(/own exclude\/allow predicate/);
    expect((await index.search(Float32Array.from([0, 1]), 1)).map((h) => h.itemId)).toEqual(['b']);
  });

  it('rejects vectors whose length is not ids × dimension', () => {
    expect(() => ExactVectorIndex.fromVectors(['a', 'b'], new Float32Array(3), 2)).toThrow(
      /2×2 = 4 values, got 3/,
    );
  });
});

describe('ExactVectorIndex on indexes large enough for the SIMD candidate step', () => {
  // 3000 rows: searches with k ≤ 100 go through usearch's exactSearch and
  // the re-scoring rounds; the reference is a plain float64 sort of all rows.
  const n = 3000;
  const d = 24;
  const random = createRandom(11);
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  const raw = new Float32Array(n * d);
  for (let i = 0; i < raw.length; i++) raw[i] = random.normal();
  // Rows 0..9 duplicated at 10..19: equal scores, the earlier row must win.
  raw.copyWithin(10 * d, 0, 10 * d);
  const categories = ids.map((_, i) => (i % 7 === 0 ? ['rare'] : ['common']));
  const available = ids.map((_, i) => i % 5 !== 0);
  const index = ExactVectorIndex.fromVectors(ids, raw, d, {
    payloads: new Map(ids.map((id, i) => [id, { categories: categories[i]!, available: available[i]! }])),
  });
  const unit = (row: Float32Array): number[] => {
    const norm = Math.hypot(...row);
    return [...row].map((x) => x / norm);
  };
  const rows = ids.map((_, i) => unit(raw.subarray(i * d, (i + 1) * d)));
  const reference = (q: Float32Array, k: number, keep: (i: number) => boolean): string[] => {
    const uq = unit(q);
    return rows
      .map((r, i) => ({ i, s: r.reduce((acc, x, p) => acc + x * uq[p]!, 0) }))
      .filter(({ i }) => keep(i))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, k)
      .map(({ i }) => ids[i]!);
  };
  const queries = Array.from({ length: 12 }, (_, j) =>
    j < 4 ? raw.slice(j * d, (j + 1) * d) : Float32Array.from({ length: d }, () => random.normal()),
  );

  it('returns the same items, in the same order, as a full sort', async () => {
    for (const q of queries) {
      for (const k of [1, 10, 100]) {
        const hits = await index.search(q, k);
        expect(hits.map((h) => h.itemId)).toEqual(reference(q, k, () => true));
        for (const h of hits)
          expect(h.score).toBeCloseTo(
            rows[Number(h.itemId.slice(1))]!.reduce((a, x, p) => a + x * unit(q)[p]!, 0),
            5,
          );
      }
    }
  });

  it('keeps the earlier of two identical rows when only one fits', async () => {
    const hits = await index.search(raw.slice(0, d), 1);
    expect(hits.map((h) => h.itemId)).toEqual(['i0']);
    const two = await index.search(raw.slice(0, d), 2);
    expect(two.map((h) => h.itemId)).toEqual(['i0', 'i10']);
  });

  it('applies a selective filter, exclusions and an allow list exactly', async () => {
    const excluded = new Set(ids.filter((_, i) => i % 3 === 0));
    const allowed = new Set(ids.filter((_, i) => i % 2 === 0));
    for (const q of queries) {
      expect(
        (await index.search(q, 50, { filter: { categoriesAny: ['rare'] } })).map((h) => h.itemId),
      ).toEqual(reference(q, 50, (i) => categories[i]![0] === 'rare'));
      expect(
        (
          await index.search(q, 40, { exclude: (id) => excluded.has(id), allow: (id) => allowed.has(id) })
        ).map((h) => h.itemId),
      ).toEqual(reference(q, 40, (i) => !excluded.has(ids[i]!) && allowed.has(ids[i]!)));
      expect((await index.search(q, 30, { filter: { availableOnly: true } })).map((h) => h.itemId)).toEqual(
        reference(q, 30, (i) => available[i]!),
      );
    }
  });
});

describe('ExactVectorIndex past the sampled-histogram size, with many ties', () => {
  // 9000 rows (the histogram samples every 4th row from 8192 on) of values in
  // {-1, 0, 1}: many rows share a score, so the boundary and tie rules matter.
  const n = 9000;
  const d = 6;
  const random = createRandom(5);
  const ids = Array.from({ length: n }, (_, i) => `r${i}`);
  const raw = Float32Array.from({ length: n * d }, () => Math.floor(random.next() * 3) - 1);
  const available = ids.map((_, i) => i % 13 !== 0);
  const categories = ids.map((_, i) => (i % 4 === 0 ? ['a'] : i % 4 === 1 ? ['b'] : []));
  const payloads = new Map(
    ids.map((id, i) => [id, { categories: categories[i]!, available: available[i]! }]),
  );
  const unit = (row: ArrayLike<number>): number[] => {
    const norm = Math.hypot(...Array.from(row));
    return Array.from(row, (x) => (norm > 0 ? x / norm : 0));
  };
  const rows = ids.map((_, i) => Float32Array.from(unit(raw.subarray(i * d, (i + 1) * d))));
  const reference = (
    q: Float32Array,
    k: number,
    keep: (i: number) => boolean,
  ): { id: string; s: number }[] => {
    const uq = Float32Array.from(unit(q));
    return rows
      .map((r, i) => {
        let s = 0;
        for (let p = 0; p < d; p++) s += uq[p]! * r[p]!;
        return { i, s };
      })
      .filter(({ i }) => keep(i))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, k)
      .map(({ i, s }) => ({ id: ids[i]!, s }));
  };

  it('returns the full scan’s items, order and scores, with exclusions, filters and growth', async () => {
    const index = new ExactVectorIndex(d, 3);
    await index.upsert(
      ids.map((id, i) => ({
        itemId: id,
        vector: raw.subarray(i * d, (i + 1) * d),
        payload: payloads.get(id),
      })),
    );
    const excluded = new Set(ids.filter(() => random.next() < 0.05));
    for (let j = 0; j < 10; j++) {
      const q = Float32Array.from({ length: d }, () => Math.floor(random.next() * 3) - 1);
      if (q.every((x) => x === 0)) q[0] = 1;
      for (const k of [1, 37, 500]) {
        const check = async (options: Parameters<typeof index.search>[2], keep: (i: number) => boolean) => {
          const hits = await index.search(q, k, options);
          expect(hits.map((h) => ({ id: h.itemId, s: h.score }))).toEqual(reference(q, k, keep));
        };
        await check(undefined, () => true);
        await check(
          {
            exclude: (id) => excluded.has(id),
            filter: { excludeIds: [...excluded].slice(0, 50), availableOnly: true },
          },
          (i) => !excluded.has(ids[i]!) && available[i]!,
        );
        await check({ filter: { categoriesAny: ['a'] } }, (i) => categories[i]![0] === 'a');
        await check(
          { allow: (id) => Number(id.slice(1)) % 97 === 0, filter: { categoriesNone: ['b'] } },
          (i) => i % 97 === 0 && categories[i]![0] !== 'b',
        );
      }
    }
  });
});

describe('TopKHeap', () => {
  it('keeps the k best of a stream, best first, lower row first on ties', () => {
    const heap = new TopKHeap(3);
    [0.1, 0.9, 0.5, 0.9, 0.2, 0.7].forEach((s, row) => heap.push(s, row));
    const { scores, rows } = heap.sorted();
    expect(Array.from(rows)).toEqual([1, 3, 5]);
    expect(Array.from(scores)).toEqual([0.9, 0.9, 0.7]);
  });
});
