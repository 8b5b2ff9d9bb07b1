import { describe, expect, it } from 'vitest';
import { buildUserStates, RECENT_ITEMS } from '../../../models/pipeline/buildUserStates.js';
import { catalogItem, catalogOf, event, HOUR, T0 } from './pipelineFixtures.js';

// Items a (drama), b (drama, comedy), c (comedy), d (no category) at indices 0..3.
const CATALOG = catalogOf([
  catalogItem('a', ['drama']),
  catalogItem('b', ['drama', 'comedy']),
  catalogItem('c', ['comedy']),
  catalogItem('d'),
]);
const INDEX = new Map([...CATALOG.keys()].map((id, i) => [id, i]));

describe('Pipeline: buildUserStates', () => {
  const states = buildUserStates(
    [
      event('u1', 'a', 1, 'VIEW'),
      event('u1', 'b', 2, 'CLICK'),
      event('u1', 'c', 3, 'DISLIKE'),
      event('u1', 'a', 4, 'LIKE'),
      event('u2', 'unknown-item', 5),
      event('u3', 'd', 6, 'DISMISS'),
    ],
    INDEX,
    CATALOG,
  );

  it('counts positive interactions only, repeats included', () => {
    // u1: a (VIEW), b (CLICK), a (LIKE) = 3; the DISLIKE of c does not count
    expect(states.get('u1')!.interactionCount).toBe(3);
  });

  it('computes category shares over positive interactions', () => {
    // drama: a, b, a = 3 of 3 → 1; comedy: b = 1 of 3 → 0.333333 (c was disliked)
    const share = states.get('u1')!.categoryShare;
    expect(share.get('drama')).toBeCloseTo(1, 6);
    expect(share.get('comedy')).toBeCloseTo(0.333333, 5);
    expect(share.size).toBe(2);
  });

  it('records the time of the latest positive interaction per category', () => {
    const lastSeen = states.get('u1')!.categoryLastSeen;
    expect(lastSeen.get('drama')).toBe(T0 + 4 * HOUR);
    expect(lastSeen.get('comedy')).toBe(T0 + 2 * HOUR); // not the DISLIKE at hour 3
  });

  it('marks every interacted item as seen, negative ones included', () => {
    expect([...states.get('u1')!.seen].sort()).toEqual([0, 1, 2]);
  });

  it('lists distinct recent positive items, most recent first', () => {
    // positive sequence a, b, a → [a, b] = [0, 1]
    expect(states.get('u1')!.recentItems).toEqual([0, 1]);
  });

  it('gives a user with only negative events a state with seen items and nothing else', () => {
    const u3 = states.get('u3')!;
    expect(u3.interactionCount).toBe(0);
    expect([...u3.seen]).toEqual([3]);
    expect(u3.recentItems).toEqual([]);
    expect(u3.categoryShare.size).toBe(0);
  });

  it('ignores interactions with items outside the index', () => {
    expect(states.has('u2')).toBe(false);
    expect(states.size).toBe(2);
  });

  it(`keeps only the ${RECENT_ITEMS} most recent distinct items`, () => {
    const n = RECENT_ITEMS + 5;
    const ids = Array.from({ length: n }, (_, k) => `i${k}`);
    const catalog = catalogOf(ids.map((id) => catalogItem(id)));
    const index = new Map(ids.map((id, k) => [id, k]));
    const s = buildUserStates(
      ids.map((id, k) => event('u', id, k)),
      index,
      catalog,
    ).get('u')!;
    expect(RECENT_ITEMS).toBe(20);
    // items 0..24 in time order → most recent first: 24, 23, …, 5
    expect(s.recentItems).toEqual(Array.from({ length: 20 }, (_, k) => n - 1 - k));
    expect(s.seen.size).toBe(n);
    expect(s.interactionCount).toBe(n);
  });
});
