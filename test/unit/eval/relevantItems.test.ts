import { describe, expect, it } from 'vitest';
import type { Interaction, InteractionType } from '../../../src/domain/interaction.js';
import { itemsByUser } from '../../../models/eval/itemsByUser.js';
import { relevantItems } from '../../../models/eval/relevantItems.js';

const event = (
  userId: string,
  itemId: string,
  type: InteractionType,
  value: number | null = null,
): Interaction => ({
  userId,
  itemId,
  timestamp: 0,
  type,
  value,
});

const TEST: Interaction[] = [
  event('u1', 'loved', 'RATING', 5),
  event('u1', 'threshold', 'RATING', 4),
  event('u1', 'meh', 'RATING', 3),
  event('u1', 'unrated', 'RATING', null),
  event('u1', 'viewed', 'VIEW', 12),
  event('u1', 'bought', 'PURCHASE'),
  event('u1', 'hated', 'DISLIKE'),
  event('u1', 'dismissed', 'DISMISS'),
  event('u2', 'meh', 'RATING', 2),
  event('u3', 'hated', 'DISLIKE'),
];

describe('Relevant items', () => {
  it('counts ratings at or above the threshold and every other positive event', () => {
    const relevant = relevantItems(TEST, { positiveThreshold: 4 });
    expect(relevant.get('u1')).toEqual(new Set(['loved', 'threshold', 'viewed', 'bought']));
  });

  it('leaves out users with no relevant item', () => {
    const relevant = relevantItems(TEST, { positiveThreshold: 4 });
    expect([...relevant.keys()]).toEqual(['u1']);
  });

  it('counts every test interaction but dislikes and dismissals when the threshold is null', () => {
    const relevant = relevantItems(TEST, { positiveThreshold: null });
    expect(relevant.get('u1')).toEqual(new Set(['loved', 'threshold', 'meh', 'unrated', 'viewed', 'bought']));
    expect(relevant.get('u2')).toEqual(new Set(['meh']));
    expect(relevant.has('u3')).toBe(false);
  });

  it('leaves out excluded items, e.g. the user’s training items', () => {
    const exclude = new Map([['u1', new Set(['loved', 'viewed'])]]);
    const relevant = relevantItems(TEST, { positiveThreshold: 4, exclude });
    expect(relevant.get('u1')).toEqual(new Set(['threshold', 'bought']));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('rejects positiveThreshold = %s', (positiveThreshold) => {
    expect(() => relevantItems(TEST, { positiveThreshold })).toThrow(
      `positiveThreshold must be a finite number or null, got ${positiveThreshold}`,
    );
  });
});

describe('Items by user (seen items)', () => {
  it('collects every item each user interacted with, negative feedback included, once', () => {
    const seen = itemsByUser([
      event('u1', 'a', 'CLICK'),
      event('u1', 'a', 'PURCHASE'),
      event('u1', 'b', 'DISLIKE'),
      event('u2', 'c', 'DISMISS'),
    ]);
    expect(seen).toEqual(
      new Map([
        ['u1', new Set(['a', 'b'])],
        ['u2', new Set(['c'])],
      ]),
    );
  });
});
