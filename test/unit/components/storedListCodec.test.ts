import { describe, expect, it } from 'vitest';
import { storedListCodec } from '../../../src/components/selectors/storedListCodec.js';
import type {
  StoredListColumns,
  StoredListHeader,
} from '../../../src/components/selectors/storedRankedList.js';
import type { StoredRankedList } from '../../../src/stores/featureStore.js';
import { RankedListRing } from '../../../src/stores/memory/rankedListRing.js';

const header: StoredListHeader = {
  kind: 'header',
  userId: 'u1',
  surface: 'home',
  modelVersion: 'v20261202',
  experiments: [{ experiment: 'ranker', variant: 'B' }] as unknown as StoredListHeader['experiments'],
  degraded: ['source trending'],
  seedItemId: null,
  recentTypes: { r1: 'CLICK' },
  promotions: {},
  listArguments: '[[],[],[],[]]',
};

function columns(ids: string[], extra: Partial<StoredListColumns> = {}): StoredListColumns {
  const n = ids.length;
  const features = new Float32Array(n * 2).map((_, i) => i / 3);
  return {
    kind: 'columns',
    ids,
    scores: ids.map((_, p) => (p === 1 ? -0 : 1 / (p + 3))),
    sources: ids.map((_, p) => (p % 2 === 0 ? 'EMBEDDING' : 'EMBEDDING,ITEM_TO_ITEM')),
    via: ids.map((_, p) => (p % 2 === 0 ? '' : '\u001fr1')),
    isNew: ids.map((_, p) => (p === 0 ? '1' : '0')).join(''),
    promotionIds: n > 2 ? { 2: 'p1' } : {},
    width: 2,
    features: Buffer.from(features.buffer).toString('base64'),
    ...extra,
  };
}

const list = (requestId: string, cols: StoredListColumns): StoredRankedList => ({
  requestId,
  entries: [header, cols],
});

/** What decoding must give: the list as JSON sees it, but its scores exact (float64 keeps -0, JSON does not). */
function expected(l: StoredRankedList): StoredRankedList {
  const json = JSON.parse(JSON.stringify(l)) as { entries: [unknown, StoredListColumns] };
  json.entries[1] = { ...json.entries[1], scores: [...(l.entries[1] as StoredListColumns).scores] };
  return json as unknown as StoredRankedList;
}

/** Encodes into a fresh buffer at `offset` and decodes the bytes back. */
function roundTrip(l: StoredRankedList, offset = 0): { bytes: Buffer; back: StoredRankedList } {
  const prepared = storedListCodec.prepare(l);
  const buf = Buffer.alloc(offset + prepared.byteLength + 8, 0xee);
  prepared.write(buf, offset);
  expect(buf[offset + prepared.byteLength]).toBe(0xee); // wrote exactly byteLength bytes
  const bytes = buf.subarray(offset, offset + prepared.byteLength);
  return { bytes, back: storedListCodec.decode(bytes) };
}

describe('storedListCodec', () => {
  it('round-trips a stored list in the column form: equal as JSON, scores exact', () => {
    const l = list('list-1', columns(['a', 'b', 'ü-item', '字', 'e']));
    const { bytes, back } = roundTrip(l);
    expect(bytes[0]).toBe(1);
    expect(back).toEqual(expected(l));
    const scores = (back.entries[1] as StoredListColumns).scores;
    expect(scores).toEqual((l.entries[1] as StoredListColumns).scores); // 1/3 etc. bit for bit
    expect(Object.is(scores[1], -0)).toBe(true); // float64, not JSON (which writes -0 as 0)
  });

  it('writes the scores value by value at an offset that is not a multiple of 8', () => {
    const l = list('list-2', columns(['a', 'b', 'c']));
    expect(roundTrip(l, 3).back).toEqual(expected(l));
  });

  it('round-trips an empty list', () => {
    const l = list('empty', columns([]));
    const { bytes, back } = roundTrip(l);
    expect(bytes[0]).toBe(1);
    expect(back).toEqual(JSON.parse(JSON.stringify(l)));
  });

  it('falls back to the structured clone when a join would not split back, or for another shape', () => {
    const withSeparator = list('list-3', columns(['a', 'b\u001ec', 'd']));
    const viaSeparator = list('list-4', columns(['a', 'b'], { via: ['', 'x\u001ey'] }));
    const otherShape: StoredRankedList = { requestId: 'list-5', entries: ['just', { a: 1 }] };
    const wrongLength = list('list-6', columns(['a', 'b'], { isNew: '1' }));
    const notNumber = list('list-7', columns(['a', 'b'], { scores: [1, null as unknown as number] }));
    for (const l of [withSeparator, viaSeparator, otherShape, wrongLength, notNumber]) {
      const { bytes, back } = roundTrip(l);
      expect(bytes[0]).toBe(0);
      expect(back).toEqual(l);
    }
  });

  it('serves a ring: lists put and read back through the memory store codec', () => {
    const ring = new RankedListRing(1 << 16, 100, storedListCodec);
    const lists = Array.from({ length: 50 }, (_, k) =>
      list(`r${k}`, columns(Array.from({ length: 1 + (k % 7) }, (_, p) => `item-${k}-${p}`))),
    );
    for (const l of lists) ring.put(l, Number.MAX_SAFE_INTEGER);
    let answered = 0;
    for (const l of lists) {
      const got = ring.get(l.requestId, 0);
      if (got === null) continue;
      answered++;
      expect(got).toEqual(expected(l));
    }
    expect(answered).toBe(50); // 64 KiB holds all of them
  });
});
