import { serialize } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredRankedList } from '../../../src/stores/featureStore.js';
import { MemoryFeatureStore } from '../../../src/stores/memory/memoryFeatureStore.js';
import { RankedListRing } from '../../../src/stores/memory/rankedListRing.js';

/** A list whose encoding is `pad` characters longer than its id's: same-length ids give same-length encodings. */
const list = (id: string, pad = 100): StoredRankedList => ({
  requestId: id,
  entries: [{ kind: 'columns', ids: [id, 'x'.repeat(pad)], scores: [0.5, -1] }],
});
/** Its encoded length (the default codec's unit of account is v8.serialize's bytes). */
const bytesOf = (l: StoredRankedList): number => serialize(l).length;
/** The smallest padding ≥ `from` whose one-character-id list encodes to a multiple of 8 bytes (offsets are aligned to 8). */
const alignedPad = (from: number): number => {
  let pad = from;
  while (bytesOf(list('A', pad)) % 8 !== 0) pad++;
  return pad;
};
const FAR = Number.MAX_SAFE_INTEGER;

/** Which of `ids` the ring still answers, each checked to decode to its own list. */
function kept(ring: RankedListRing, ids: readonly string[], now = 0): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const got = ring.get(id, now);
    if (got === null) continue;
    expect(got).toEqual(list(id, (got.entries[0] as { ids: string[] }).ids[1]!.length));
    out.push(id);
  }
  return out;
}

describe('RankedListRing', () => {
  it('returns a decoded copy equal to the list put', () => {
    const ring = new RankedListRing(10_000, 10);
    const l = list('a');
    ring.put(l, FAR);
    const got = ring.get('a', 0);
    expect(got).toEqual(l);
    expect(got).not.toBe(l);
    expect(ring.usage()).toEqual({ lists: 1, bytes: bytesOf(l) });
  });

  it('overwrites the oldest lists in put order, and drops the tail it skips when it wraps', () => {
    // Hand-worked: lists A..G of L bytes, W of S bytes (both multiples of 8), a ring of 3L + S bytes.
    const big = alignedPad(100);
    const small = alignedPad(1);
    const L = bytesOf(list('A', big));
    const S = bytesOf(list('W', small));
    expect(S).toBeLessThan(L);
    const ring = new RankedListRing(3 * L + S, 100);
    const put = (id: string, pad = big): void => ring.put(list(id, pad), FAR);
    for (const id of ['A', 'B', 'C']) put(id); // [0,L) [L,2L) [2L,3L)
    put('W', small); // [3L, 3L+S): the ring is full
    expect(kept(ring, ['A', 'B', 'C', 'W'])).toEqual(['A', 'B', 'C', 'W']);
    put('D'); // no room at the end: wraps to 0 and overwrites A
    expect(kept(ring, ['A', 'B', 'C', 'W', 'D'])).toEqual(['B', 'C', 'W', 'D']);
    put('E'); // [L,2L): B goes
    put('F'); // [2L,3L): C goes
    expect(kept(ring, ['B', 'C', 'W', 'D', 'E', 'F'])).toEqual(['W', 'D', 'E', 'F']);
    // Head at 3L: G does not fit before the end (S < L). W, in the skipped tail, goes; then D at [0,L).
    put('G');
    expect(kept(ring, ['W', 'D', 'E', 'F', 'G'])).toEqual(['E', 'F', 'G']);
    expect(ring.usage()).toEqual({ lists: 3, bytes: 3 * L });
  });

  it('never answers a list with bytes another put overwrote (random puts of random sizes)', () => {
    // Seeded LCG (Numerical Recipes constants), so a failure replays.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 30; round++) {
      // Every third ring in one segment, the others cut into segments of 8..1,000 bytes.
      const capacity = 600 + rand(3000);
      const segment = round % 3 === 0 ? capacity : 8 + rand(1000);
      const ring = new RankedListRing(capacity, 1 + rand(40), undefined, segment);
      const last = new Map<string, StoredRankedList>();
      for (let op = 0; op < 400; op++) {
        const id = `r${rand(30)}`;
        const l = list(id, rand(400));
        ring.put(l, FAR);
        last.set(id, l);
        // The list just put is always kept, and every list answered is the last one put under its id.
        expect(ring.get(id, 0)).toEqual(l);
        let bytes = 0;
        let lists = 0;
        for (const [k, v] of last) {
          const got = ring.get(k, 0);
          if (got === null) continue;
          expect(got).toEqual(v);
          bytes += bytesOf(v);
          lists++;
        }
        expect(ring.usage()).toEqual({ lists, bytes });
        if (bytesOf(l) <= ring.segmentBytes) expect(bytes).toBeLessThanOrEqual(ring.capacity);
      }
    }
  });

  it('writes over the bytes the kept lists need when the list count bounds them, not the whole capacity', () => {
    // Attack report (session 30): with 2 lists kept in a large ring the head went all the way round,
    // so every page of the ring was committed.
    const L = bytesOf(list('r0'));
    const ring = new RankedListRing(1000 * L, 2);
    for (let k = 0; k < 500; k++) ring.put(list(`r${k % 10}`), FAR);
    expect(ring.usage().lists).toBe(2);
    expect(ring.highWater).toBeLessThanOrEqual(3 * (L + 8));
    // With the ring full (no list count below it) the head still goes all the way round.
    const full = new RankedListRing(10 * L, 1000);
    for (let k = 0; k < 50; k++) full.put(list(`r${k % 10}`), FAR);
    expect(full.highWater).toBeGreaterThan(9 * L);
  });

  it('replacing a list counts its bytes once', () => {
    const ring = new RankedListRing(100_000, 10);
    ring.put(list('a', 500), FAR);
    ring.put(list('a', 50), FAR);
    expect(ring.usage()).toEqual({ lists: 1, bytes: bytesOf(list('a', 50)) });
    expect(kept(ring, ['a'])).toEqual(['a']);
  });

  it('keeps at most maxLists lists, dropping the oldest', () => {
    const ring = new RankedListRing(100_000, 2);
    for (const id of ['a', 'b', 'c']) ring.put(list(id), FAR);
    expect(kept(ring, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(ring.usage().lists).toBe(2);
  });

  it('keeps a list larger than the ring alone, as an object, until the next put', () => {
    const small = list('s');
    const ring = new RankedListRing(2 * bytesOf(small), 10);
    ring.put(small, FAR);
    const big = list('big', 10_000);
    ring.put(big, FAR);
    expect(ring.get('s', 0)).toBeNull();
    expect(ring.get('big', 0)).toBe(big);
    expect(ring.usage()).toEqual({ lists: 1, bytes: bytesOf(big) });
    ring.put(list('t'), FAR);
    expect(kept(ring, ['big', 't'])).toEqual(['t']);
    expect(ring.usage()).toEqual({ lists: 1, bytes: bytesOf(list('t')) });
  });

  it('expires lists by the clock passed in: on read, and by sweep', () => {
    const ring = new RankedListRing(100_000, 10);
    ring.put(list('old'), 1_000);
    ring.put(list('new'), 5_000);
    expect(ring.get('old', 999)).not.toBeNull();
    expect(ring.get('old', 1_000)).toBeNull();
    expect(ring.usage()).toEqual({ lists: 1, bytes: bytesOf(list('new')) });
    ring.put(list('mid'), 3_000);
    ring.sweep(4_000);
    expect(kept(ring, ['mid', 'new'], 4_000)).toEqual(['new']);
    expect(ring.usage().lists).toBe(1);
  });

  it('refuses a value outside the structured-clone types, changing nothing', () => {
    const ring = new RankedListRing(100_000, 10);
    ring.put(list('a'), FAR);
    const bad = { requestId: 'a', entries: [() => 1] } as unknown as StoredRankedList;
    expect(() => ring.put(bad, FAR)).toThrow();
    expect(kept(ring, ['a'])).toEqual(['a']);
  });

  it('keeps a list within one segment: one that does not fit skips to the next, dropping the gap', () => {
    // Segments of 2L + 8: A and B fill segment 0 but for 8 bytes; C goes to segment 1.
    const pad = alignedPad(100);
    const L = bytesOf(list('A', pad));
    const ring = new RankedListRing(4 * L + 16, 100, undefined, 2 * L + 8);
    const put = (id: string): void => ring.put(list(id, pad), FAR);
    for (const id of ['A', 'B', 'C', 'D']) put(id); // A [0,L) B [L,2L) | C [2L+8,3L+8) D [3L+8,4L+8)
    expect(kept(ring, ['A', 'B', 'C', 'D'])).toEqual(['A', 'B', 'C', 'D']);
    put('E'); // the head is at the end: wraps to 0 over A
    put('F'); // [L,2L) over B
    expect(kept(ring, ['A', 'B', 'C', 'D', 'E', 'F'])).toEqual(['C', 'D', 'E', 'F']);
    put('G'); // no room before the end of segment 0: skips to segment 1, over C
    expect(kept(ring, ['C', 'D', 'E', 'F', 'G'])).toEqual(['D', 'E', 'F', 'G']);
    expect(ring.usage()).toEqual({ lists: 4, bytes: 4 * L });
  });

  it('refuses a capacity or list count that is not an integer ≥ 1, or a segment under 8 bytes', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new RankedListRing(bad, 1)).toThrow(RangeError);
      expect(() => new RankedListRing(1, bad)).toThrow(RangeError);
    }
    expect(() => new RankedListRing(100, 1, undefined, 7)).toThrow(RangeError);
  });

  describe('reserve', () => {
    afterEach(() => vi.restoreAllMocks());

    it('allocates the whole ring in one buffer, so that puts across every segment allocate none', () => {
      const L = bytesOf(list('A', alignedPad(100)));
      // Four segments of two lists each.
      const ring = new RankedListRing(8 * L, 100, undefined, 2 * L);
      const alloc = vi.spyOn(Buffer, 'alloc');
      expect(ring.reserve()).toBe(8 * L);
      expect(alloc.mock.calls.map((c) => c[0])).toEqual([8 * L]);
      expect(ring.reserve()).toBe(0); // idempotent: nothing more
      const ids = 'ABCDEFGHIJ'.split('');
      for (const id of ids) ring.put(list(id, alignedPad(100)), FAR);
      expect(alloc).toHaveBeenCalledTimes(1);
      // Ten lists through an eight-list ring: it wrapped over the reserved segments and kept the last eight.
      expect(kept(ring, ids)).toEqual(ids.slice(2));
    });

    it('keeps the segments already allocated and their lists', () => {
      const L = bytesOf(list('A', alignedPad(100)));
      const ring = new RankedListRing(8 * L, 100, undefined, 2 * L);
      for (const id of ['A', 'B', 'C']) ring.put(list(id, alignedPad(100)), FAR); // segments 0 and 1
      ring.reserve();
      expect(kept(ring, ['A', 'B', 'C'])).toEqual(['A', 'B', 'C']);
      const alloc = vi.spyOn(Buffer, 'alloc');
      for (const id of ['D', 'E', 'F', 'G', 'H']) ring.put(list(id, alignedPad(100)), FAR);
      expect(alloc).not.toHaveBeenCalled();
      expect(kept(ring, ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'])).toEqual([
        'A',
        'B',
        'C',
        'D',
        'E',
        'F',
        'G',
        'H',
      ]);
    });

    it('is best effort: a ring it cannot allocate stays lazy, and puts allocate its segments as before', () => {
      const L = bytesOf(list('A', alignedPad(100)));
      const ring = new RankedListRing(8 * L, 100, undefined, 2 * L);
      const alloc = vi.spyOn(Buffer, 'alloc').mockImplementationOnce(() => {
        throw new RangeError('Array buffer allocation failed');
      });
      expect(ring.reserve()).toBe(0);
      alloc.mockClear();
      for (const id of ['A', 'B', 'C']) ring.put(list(id, alignedPad(100)), FAR);
      expect(alloc.mock.calls.map((c) => c[0])).toEqual([2 * L, 2 * L]); // segments 0 and 1, as the head entered them
      expect(kept(ring, ['A', 'B', 'C'])).toEqual(['A', 'B', 'C']);
      // A later reservation takes the rest: segments 2 and 3, in one buffer.
      alloc.mockClear();
      expect(ring.reserve()).toBe(4 * L);
      expect(alloc.mock.calls.map((c) => c[0])).toEqual([4 * L]);
    });

    it('reserves at most maxBytes, whole segments, leaving the rest lazy', () => {
      const L = bytesOf(list('A', alignedPad(100)));
      const ring = new RankedListRing(8 * L, 100, undefined, 2 * L);
      const alloc = vi.spyOn(Buffer, 'alloc');
      expect(ring.reserve(5 * L)).toBe(4 * L); // segments 0 and 1; a third would pass 5L
      expect(alloc.mock.calls.map((c) => c[0])).toEqual([4 * L]);
      alloc.mockClear();
      for (const id of 'ABCDE'.split('')) ring.put(list(id, alignedPad(100)), FAR);
      expect(alloc.mock.calls.map((c) => c[0])).toEqual([2 * L]); // E enters segment 2
      expect(kept(ring, 'ABCDE'.split(''))).toEqual('ABCDE'.split(''));
    });

    it('is what MemoryFeatureStore does at construction with reservePagingCache, and not without it', () => {
      const alloc = vi.spyOn(Buffer, 'alloc');
      new MemoryFeatureStore({ maxRankedListBytes: 3 * 2 ** 20 });
      expect(alloc.mock.calls.filter((c) => c[0] === 3 * 2 ** 20)).toHaveLength(0);
      new MemoryFeatureStore({ maxRankedListBytes: 3 * 2 ** 20, reservePagingCache: true });
      expect(alloc.mock.calls.filter((c) => c[0] === 3 * 2 ** 20)).toHaveLength(1);
    });
  });
});
