import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { RecommendationQuery } from '../../../src/components/recommendationQuery.js';
import { createHash } from 'node:crypto';
import type { StoredListColumns } from '../../../src/components/selectors/storedRankedList.js';
import {
  NO_LIST_ARGUMENTS,
  fromStoredList,
  listArgumentsKey,
  sameListArguments,
  storedEntries,
  storedListArguments,
  storedFeatureRows,
  storedViaIds,
  toStoredList,
} from '../../../src/components/selectors/storedRankedList.js';
import type { Candidate } from '../../../src/pipeline/candidate.js';
import type { RankedList } from '../../../src/pipeline/rankedList.js';
import type { Promotion } from '../../../src/services/serviceTypes.js';
import type { StoredRankedList } from '../../../src/stores/featureStore.js';
import { storedListCodec } from '../../../src/components/selectors/storedListCodec.js';

/** The bytes the memory store's paging ring keeps for `l` (its column form). */
function encoded(l: StoredRankedList): Buffer {
  const prepared = storedListCodec.prepare(l);
  const buf = Buffer.alloc(prepared.byteLength);
  prepared.write(buf, 0);
  return buf;
}

const promo: Promotion = {
  id: 'p1',
  itemIds: ['c'],
  positions: [1],
  boost: null,
  surfaces: null,
  startsAt: null,
  endsAt: null,
};

const candidate = (
  itemId: string,
  sources: string[],
  via: (string | null)[],
  promotionId: string | null = null,
) => ({ itemId, row: -1, sources, via, sourceScore: 0, fusion: 0, promotionId }) satisfies Candidate;

/**
 * Four candidates, listed in the order c, a, d, b: one source; two sources
 * with a `via` on the second; three sources; a promoted new item (unknown to
 * the model) and one created after the model's reference time.
 */
function fixture(): { q: RecommendationQuery; list: RankedList } {
  const candidates = [
    candidate('a', ['EMBEDDING'], [null]),
    candidate('b', ['EMBEDDING', 'ITEM_TO_ITEM'], [null, 'r1']),
    candidate('c', ['POPULAR'], [null], 'p1'),
    candidate('d', ['EMBEDDING', 'POPULAR', 'EXPLORATION'], [null, null, null]),
  ];
  const q = {
    requestId: 'req-1',
    userId: 'u1',
    surface: 'home',
    now: 1_000,
    scoredWith: 'v7',
    experiments: [],
    seedItemId: null,
    sessionItemIds: ['s2', 's1'],
    filter: { categoriesAny: ['Drama', 'Comedy'], categoriesNone: null, excludeItemIds: ['x', 'x'] },
    recent: [{ itemId: 'r1', row: 3, type: 'PURCHASE' }],
    run: { degraded: ['trending'] },
    model: { bundle: { referenceTime: 500 } },
    rows: {
      modelRows: Int32Array.from([0, 1, -1, 2]),
      createdAt: Float64Array.from([100, 100, 100, 900]),
      popularity: new Float64Array(4),
      categories: [[], [], [], []],
    },
    memo: new Map<string, unknown>([['activePromotions', Promise.resolve([promo])]]),
  } as unknown as RecommendationQuery;
  const features = { width: 2, rows: 4, data: Float32Array.from([1, 2, 3, 4, 5, 6, 7.5, 8]) };
  const list: RankedList = {
    candidates,
    features,
    order: [2, 0, 3, 1],
    scores: Float64Array.from([0.9, 0.1, 2, 0.5]),
  };
  return { q, list };
}

/** `candidates` stored in their order, with scores 0 and no feature columns. */
function storedInOrder(q: RecommendationQuery, candidates: Candidate[]): Promise<StoredRankedList> {
  const n = candidates.length;
  return toStoredList(q, {
    candidates,
    features: { width: 0, rows: n, data: new Float32Array(0) },
    order: candidates.map((_, k) => k),
    scores: new Float64Array(n),
  });
}

describe('Selector: stored ranked list', () => {
  it('writes the columns format other replicas read (pinned)', async () => {
    const { q, list } = fixture();
    const stored = await toStoredList(q, list);
    const [header, columns] = stored.entries;
    expect(stored.requestId).toBe('req-1');
    expect(header).toEqual({
      kind: 'header',
      userId: 'u1',
      surface: 'home',
      modelVersion: 'v7',
      experiments: [],
      degraded: ['trending'],
      seedItemId: null,
      recentTypes: { r1: 'PURCHASE' },
      promotions: { p1: promo },
      // Filter id lists sorted and de-duplicated, omitted as empty; session items in their order.
      listArguments: '[["Comedy","Drama"],[],["x"],["s2","s1"]]',
    });
    expect(columns).toEqual({
      kind: 'columns',
      ids: ['c', 'a', 'd', 'b'],
      scores: [2, 0.9, 0.5, 0.1],
      sources: ['POPULAR', 'EMBEDDING', 'EMBEDDING,POPULAR,EXPLORATION', 'EMBEDDING,ITEM_TO_ITEM'],
      via: ['', '', '', '\u001fr1'],
      isNew: '1010',
      promotionIds: { 0: 'p1' },
      width: 2,
      features: Buffer.from(Float32Array.from([5, 6, 1, 2, 7.5, 8, 3, 4]).buffer).toString('base64'),
    });
  });

  it('stores each via as the general join does, for every shape of via (one entry, nulls anywhere, non-ASCII), and one with an id holding U+001F apart', async () => {
    const vias: (string | null)[][] = [
      [null],
      ['r1'],
      [''],
      ['字-ü'],
      [null, null],
      [null, 'r1'],
      ['r1', null],
      ['', null],
      [null, ''],
      ['r1', 'r2'],
      [null, null, null],
      [null, null, 'x'],
      ['x', null, null],
      [null, 'x', null],
      ['a', 'b', 'c'],
      ['a\u001fb', null, 'é'],
      [],
      ['x\u001f'],
    ];
    const general = (via: readonly (string | null)[]) =>
      via.some((v) => v?.includes('\u001f') === true)
        ? ''
        : via.some((v) => v !== null)
          ? via.map((v) => v ?? '').join('\u001f')
          : '';
    const { q } = fixture();
    const candidates = vias.map((via, k) =>
      candidate(
        `v${k}`,
        via.map((_, j) => `S${j}`),
        via,
      ),
    );
    const stored = await storedInOrder(q, candidates);
    const columns = stored.entries[1] as StoredListColumns;
    expect(columns.via).toEqual(vias.map(general));
    expect(columns.via[0]).toBe('');
    expect(columns.via[5]).toBe('\u001fr1');
    expect(columns.via[6]).toBe('r1\u001f');
    expect(columns.via[7]).toBe('\u001f'); // a '' entry is not a null one
    // A join of these would not split back: kept as they are.
    expect(columns.viaLists).toEqual({ 15: ['a\u001fb', null, 'é'], 17: ['x\u001f'] });
  });

  it('serves a via id holding U+001F intact on later pages, through JSON (Redis) and the memory ring (attack report)', async () => {
    const { q } = fixture();
    const odd = '13\u001f00854';
    const candidates = [
      candidate('a', ['ITEM_TO_ITEM'], [odd]),
      candidate('b', ['EMBEDDING', 'ITEM_TO_ITEM'], [null, odd]),
      candidate('c', ['ITEM_TO_ITEM'], ['r1']),
    ];
    const stored = await storedInOrder(q, candidates);
    const title = (id: string) => (id === odd ? 'Iron Man 3 (2013)' : `title of ${id}`);
    const viaOf = (l: StoredRankedList) => {
      const read = fromStoredList(l)!;
      return {
        ids: storedViaIds(read.columns, 0, 3),
        reasons: storedEntries(read, 0, 3, title).map((e) => e.reasons),
      };
    };
    const direct = viaOf(stored);
    expect(direct.ids).toEqual([odd, odd, 'r1']);
    expect(direct.reasons[0]!.join(' ')).toContain('Iron Man 3 (2013)');
    expect(direct.reasons[1]!.join(' ')).toContain('Iron Man 3 (2013)');
    expect(viaOf(JSON.parse(JSON.stringify(stored)) as StoredRankedList)).toEqual(direct);
    expect(viaOf(storedListCodec.decode(encoded(stored)))).toEqual(direct);
  });

  it('stores each sources as kinds.join(","), past the pairs it compares one by one too', async () => {
    // 12 distinct pairs (more than the 8 scanned), each twice, in both orders, with one- and three-kind positions between.
    const kinds = ['EMBEDDING', 'ITEM_TO_ITEM', 'POPULAR', 'TRENDING'];
    const sourceLists: string[][] = [];
    for (let round = 0; round < 2; round++)
      for (const a of kinds)
        for (const b of kinds) {
          if (a === b) continue;
          sourceLists.push([a, b], [a], [a, b, 'EXPLORATION']);
        }
    const { q } = fixture();
    const candidates = sourceLists.map((sources, k) =>
      candidate(
        `s${k}`,
        sources,
        sources.map(() => null),
      ),
    );
    const stored = await storedInOrder(q, candidates);
    expect((stored.entries[1] as StoredListColumns).sources).toEqual(sourceLists.map((s) => s.join(',')));
  });

  it('reads back after a JSON round trip (as through Redis) into the served entries', async () => {
    const { q, list } = fixture();
    const raw = JSON.parse(JSON.stringify(await toStoredList(q, list))) as StoredRankedList;
    const stored = fromStoredList(raw)!;
    expect(stored).not.toBeNull();
    expect(storedViaIds(stored.columns, 0, 4)).toEqual(['r1']);
    const page = storedEntries(stored, 1, 4, (id) => `title of ${id}`);
    expect(page.map((e) => [e.itemId, e.score, e.sources, e.promotion, e.features])).toEqual([
      ['a', 0.9, ['EMBEDDING'], null, [1, 2]],
      ['d', 0.5, ['EMBEDDING', 'POPULAR', 'EXPLORATION'], null, [7.5, 8]],
      ['b', 0.1, ['EMBEDDING', 'ITEM_TO_ITEM'], null, [3, 4]],
    ]);
    expect(storedEntries(stored, 0, 1, String)[0]!.promotion).toEqual(promo);
  });

  it('keeps a promotion whose id is __proto__, and serves no promotion for an id it does not hold', async () => {
    // Attack report (session 30): on a plain object, promotions['__proto__'] = promo set the prototype,
    // JSON dropped it, and page 2 served Object.prototype as the promotion (a 500 on `promotion.id`).
    const { q, list } = fixture();
    const odd = { ...promo, id: '__proto__' };
    (q as unknown as { memo: Map<string, unknown> }).memo.set('activePromotions', Promise.resolve([odd]));
    list.candidates[2]!.promotionId = '__proto__'; // c, position 0
    list.candidates[0]!.promotionId = 'toString'; // a, position 1: not an active promotion
    for (const raw of [
      JSON.parse(JSON.stringify(await toStoredList(q, list))) as StoredRankedList,
      storedListCodec.decode(encoded(await toStoredList(q, list))),
    ]) {
      const page = storedEntries(fromStoredList(raw)!, 0, 2, String);
      expect(page.map((e) => e.promotion)).toEqual([odd, null]);
    }
  });

  it('keeps a long filter as its SHA-256 digest, and a later page with the same filter still matches', async () => {
    const { q, list } = fixture();
    const ids = Array.from({ length: 1000 }, (_, i) => `excluded-item-${i}`.padEnd(256, 'z'));
    (q as { filter: unknown }).filter = { categoriesAny: null, categoriesNone: null, excludeItemIds: ids };
    const stored = await toStoredList(q, list);
    const header = stored.entries[0] as { listArguments: string };
    const key = listArgumentsKey(q.filter, q.sessionItemIds);
    expect(key.length).toBeGreaterThan(256_000);
    expect(header.listArguments).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
    // Attack report (session 22): kept whole, such a key made one list ~0.5 MB of the paging budget.
    expect(serialize(stored).length).toBeLessThan(2_000); // the bytes the memory store's paging ring keeps
    expect(sameListArguments(header.listArguments, key)).toBe(true);
    expect(sameListArguments(header.listArguments, listArgumentsKey(q.filter, ['other']))).toBe(false);
    expect(sameListArguments(header.listArguments, NO_LIST_ARGUMENTS)).toBe(false);
    // A short key is kept as is and compared as is (lists of older replicas too).
    expect(storedListArguments(NO_LIST_ARGUMENTS)).toBe(NO_LIST_ARGUMENTS);
    expect(sameListArguments(NO_LIST_ARGUMENTS, NO_LIST_ARGUMENTS)).toBe(true);
  });

  it('rejects entries in another shape', () => {
    expect(fromStoredList({ requestId: 'r', entries: ['x'] })).toBeNull();
  });
});

describe('Selector: stored feature rows', () => {
  it('decodes any range of rows as decoding the whole matrix does, including a short matrix', () => {
    for (const w of [1, 2, 3, 5, 10]) {
      const n = 37;
      const all = Float32Array.from({ length: n * w }, (_, i) => Math.fround(Math.sin(i) * 1000));
      for (const cut of [0, 1, 2, 3, 4, 7]) {
        // A matrix missing its last `cut` bytes (a partial last row).
        const bytes = Buffer.from(all.buffer).subarray(0, all.byteLength - cut);
        const text = bytes.toString('base64');
        const complete = Math.floor(bytes.length / (4 * w));
        for (const [start, end] of [
          [0, n],
          [0, 1],
          [1, 4],
          [5, 25],
          [20, 40],
          [n, n],
          [complete - 1, complete + 1],
        ] as const) {
          const s = Math.max(0, start);
          const expected = all.slice(s * w, Math.max(s, Math.min(end, complete)) * w);
          expect(Array.from(storedFeatureRows(text, w, s, end))).toEqual(Array.from(expected));
        }
      }
    }
    expect(storedFeatureRows('AAAA', 0, 0, 1)).toHaveLength(0);
  });
});
