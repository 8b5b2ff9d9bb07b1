import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { StoredRankedList } from '../../../src/stores/featureStore.js';
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
    for (let round = 0; round < 20; round++) {
      const ring = new RankedListRing(600 + rand(3000), 1 + rand(40));
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
        if (bytesOf(l) <= ring.capacity) expect(bytes).toBeLessThanOrEqual(ring.capacity);
      }
    }
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

  it('refuses a capacity or list count that is not an integer ≥ 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new RankedListRing(bad, 1)).toThrow(RangeError);
      expect(() => new RankedListRing(1, bad)).toThrow(RangeError);
    }
  });
});
