import { describe, expect, it } from 'vitest';
import {
  laterPageExclusion,
  WALK_CHUNK,
  walkStoredList,
} from '../../../src/components/selectors/storedListWalk.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { collectDegradedParts, reportDegraded } from '../../../src/stores/fallback/degradedParts.js';
import { ITEMS_PART } from '../../../src/stores/fallback/fallbackFeatureStore.js';

const item = (id: string, available = true): CatalogItem => ({
  id,
  title: id,
  categories: [],
  attributes: {},
  createdAt: null,
  available,
});

/**
 * A list of `n` ids (i0…) and an items loader over `state` (id → 'ok' | 'hidden' | 'gone' |
 * 'error'; ok by default) that records each call's keys; `degraded` makes every read report the
 * items part as served from a fallback.
 */
function listOf(n: number, state: Record<string, 'ok' | 'hidden' | 'gone' | 'error'>, degraded = false) {
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  const calls: string[][] = [];
  const items = {
    async loadMany(keys: readonly string[]) {
      calls.push([...keys]);
      if (degraded) reportDegraded(ITEMS_PART);
      return keys.map((id) => {
        const s = state[id] ?? 'ok';
        return s === 'gone' ? null : s === 'error' ? new Error('down') : item(id, s !== 'hidden');
      });
    },
  };
  return { ids, calls, items };
}

describe('walkStoredList (later pages of a stored list)', () => {
  it('with nothing hidden: one read of the page and the look-ahead, the next position, more to come', async () => {
    const { ids, calls, items } = listOf(10, {});
    expect(await walkStoredList(items, ids, 2, 3)).toEqual({ end: 5, hidden: new Set(), more: true });
    expect(calls).toEqual([['i2', 'i3', 'i4', 'i5']]);
  });

  it('skips hidden and gone items, ends after the last served one, and reads ahead in chunks', async () => {
    const state: Record<string, 'hidden' | 'gone'> = {};
    for (let i = 3; i < 150; i++) state[`i${i}`] = i % 2 === 0 ? 'hidden' : 'gone';
    const { ids, calls, items } = listOf(200, state);
    const walk = await walkStoredList(items, ids, 2, 2);
    // Served: i2 and i150; i151 is the look-ahead.
    expect(walk.end).toBe(151);
    expect([...walk.hidden]).toEqual(Array.from({ length: 147 }, (_, k) => k + 3));
    expect(walk.more).toBe(true);
    // 3 ids, then chunks of WALK_CHUNK: few round trips for a long run of hidden items.
    expect(calls.map((c) => c.length)).toEqual([3, WALK_CHUNK, WALK_CHUNK, WALK_CHUNK]);
  });

  it('says no more when everything after the page is hidden (the look-ahead walks to the end)', async () => {
    const state: Record<string, 'hidden'> = {};
    for (let i = 5; i < 40; i++) state[`i${i}`] = 'hidden';
    const { ids, items } = listOf(40, state);
    expect(await walkStoredList(items, ids, 0, 5)).toEqual({ end: 5, hidden: new Set(), more: false });
  });

  it('at the end of the list: a short page that covers the hidden tail, no more', async () => {
    const { ids, items } = listOf(6, { i4: 'hidden', i5: 'gone' });
    expect(await walkStoredList(items, ids, 2, 5)).toEqual({ end: 6, hidden: new Set([4, 5]), more: false });
    expect(await walkStoredList(items, ids, 6, 5)).toEqual({ end: 6, hidden: new Set(), more: false });
  });

  it('keeps an item whose read failed, and one missing only from a fallback (the items part degraded)', async () => {
    const failed = listOf(5, { i1: 'error', i2: 'gone' });
    expect(await walkStoredList(failed.items, failed.ids, 0, 3)).toEqual({
      end: 4,
      hidden: new Set([2]),
      more: true,
    });
    // From a fallback a missing item may be one added after its snapshot: it is kept, not skipped for good.
    const fallback = listOf(5, { i1: 'gone', i2: 'hidden' }, true);
    const { value } = await collectDegradedParts(() => walkStoredList(fallback.items, fallback.ids, 0, 3));
    expect(value).toEqual({ end: 4, hidden: new Set([2]), more: true });
  });
});

describe('laterPageExclusion (feedback since the list was ranked)', () => {
  it('skips what the seenItems and dismissed filters drop, and nothing for an anonymous list', async () => {
    const user = { seen: new Set(['i3', 'i4']), dismissed: new Set(['i6']) };
    const excluded = laterPageExclusion(user);
    expect(['i2', 'i3', 'i4', 'i5', 'i6'].map(excluded)).toEqual([false, true, true, false, true]);
    expect(laterPageExclusion(null)('i3')).toBe(false);
    expect(laterPageExclusion({ seen: new Set(), dismissed: new Set() })('i3')).toBe(false);
    // In the walk: skipped like hidden items, the look-ahead too.
    const { ids, items } = listOf(10, {});
    const walk = await walkStoredList(items, ids, 2, 3, excluded);
    expect(walk).toEqual({ end: 8, hidden: new Set([3, 4, 6]), more: true });
  });
});
