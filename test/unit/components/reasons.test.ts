import { describe, expect, it } from 'vitest';
import { reasonsFor } from '../../../src/components/reasons.js';
import type { ReasonContext } from '../../../src/components/reasons.js';

const titles: Record<string, string> = { m1: 'Alien (1979)', m2: 'Heat (1995)', seed: 'Up (2009)' };
const ctx: ReasonContext = {
  seedItemId: null,
  typeOf: (id) => (id === 'm1' ? 'VIEW' : id === 'm2' ? 'LIKE' : undefined),
  titleOf: (id) => titles[id] ?? id,
};

describe('Reasons', () => {
  it('names the recent item behind an item-to-item candidate, most specific first', () => {
    expect(reasonsFor(['POPULAR', 'ITEM_TO_ITEM'], [null, 'm1'], false, ctx)).toEqual([
      'Because you watched Alien (1979)',
      'Popular overall',
    ]);
    expect(reasonsFor(['ITEM_TO_ITEM'], ['m2'], false, ctx)).toEqual(['Because you liked Heat (1995)']);
  });

  it('gives one reason per source kind', () => {
    expect(
      reasonsFor(['EMBEDDING', 'TRENDING', 'PROMOTION', 'SESSION'], [null, null, null, 'm2'], false, ctx),
    ).toEqual(['Because you just viewed Heat (1995)', 'Promoted', 'Recommended for you', 'Trending now']);
  });

  it('says "Similar to" for a seed and "New in the catalog" for new items', () => {
    expect(reasonsFor(['EMBEDDING'], ['seed'], false, { ...ctx, seedItemId: 'seed' })).toEqual([
      'Similar to Up (2009)',
    ]);
    expect(reasonsFor(['POPULAR', 'EXPLORATION'], [null, null], true, ctx)).toEqual([
      'Popular overall',
      'New in the catalog',
    ]);
    expect(reasonsFor(['EXPLORATION'], [null], false, ctx)).toEqual(['Something different to explore']);
  });

  it('is never empty', () => {
    expect(reasonsFor([], [], false, ctx)).toEqual(['Recommended for you']);
  });
});
