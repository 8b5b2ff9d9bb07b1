import { describe, expect, it } from 'vitest';
import { candidateModelRow, candidateModelRows } from '../../../src/components/itemColumnsMemo.js';
import type { ModelRowIndex } from '../../../src/components/itemColumnsMemo.js';
import { addSourceHit } from '../../../src/pipeline/candidate.js';
import type { Candidate } from '../../../src/pipeline/candidate.js';

/** An id → row map that records every id `get` was asked for. */
class CountingIndex extends Map<string, number> {
  readonly asked: string[] = [];
  override get(id: string): number | undefined {
    this.asked.push(id);
    return super.get(id);
  }
}

/** A model of `ids` (row i is `ids[i]`) whose id → row index counts its lookups. */
function modelOf(ids: readonly string[]): ModelRowIndex & { readonly itemIndex: CountingIndex } {
  return { itemIds: ids, itemIndex: new CountingIndex(ids.map((id, i) => [id, i])) };
}

/** A one-source candidate for `itemId`, with the source's row hint when `row` is given. */
function candidate(itemId: string, row?: number): Candidate {
  return addSourceHit(
    undefined,
    'ITEM_TO_ITEM',
    row === undefined ? { itemId, score: 1 } : { itemId, score: 1, row },
    0,
  );
}

const IDS = ['a', 'b', 'c', 'd', 'e'];

describe('candidateModelRows', () => {
  it('takes each valid hint as the row, looking no id up', () => {
    const model = modelOf(IDS);
    // Ids built at run time: equal strings, not the bundle's string objects.
    const candidates = [4, 0, 2, 1].map((i) => candidate(String.fromCharCode(97 + i), i));
    expect(Array.from(candidateModelRows(model, candidates))).toEqual([4, 0, 2, 1]);
    expect(candidateModelRow(model, candidates[0]!)).toBe(4);
    expect(model.itemIndex.asked).toEqual([]);
  });

  it('looks up the candidates without a valid hint: none, another id’s row, out of range, not an integer', () => {
    const model = modelOf(IDS);
    const candidates = [
      candidate('c'), // no hint: −1
      candidate('d', 0), // the row of 'a'
      candidate('b', 5), // one past the last row
      candidate('e', 1_000_000),
      candidate('a', -2),
      candidate('b', 1.5),
      candidate('zz', 3), // unknown to the model, hint at 'd'
      candidate('e', 4), // a valid hint among them
    ];
    expect(Array.from(candidateModelRows(model, candidates))).toEqual([2, 3, 1, 4, 0, 1, -1, 4]);
    expect(model.itemIndex.asked).toEqual(['c', 'd', 'b', 'e', 'a', 'b', 'zz']);
  });

  it('a hint for another model (a swap) gives that model’s row for the id, never the hinted one', () => {
    const before = modelOf(IDS);
    const after = modelOf(['a', 'c', 'b', 'new']);
    const candidates = IDS.map((id, i) => candidate(id, i)); // rows of `before`
    expect(Array.from(candidateModelRows(after, candidates))).toEqual([0, 2, 1, -1, -1]);
    // Only 'a', still at its hinted row, skips the lookup.
    expect(after.itemIndex.asked).toEqual(['b', 'c', 'd', 'e']);
    expect(Array.from(candidateModelRows(before, candidates))).toEqual([0, 1, 2, 3, 4]);
    expect(before.itemIndex.asked).toEqual([]);
  });

  it('ignores hints when the model repeats an id: the index answers its last row, a hint may name the first', () => {
    const model = modelOf(['a', 'b', 'a', 'c']); // 'a' at rows 0 and 2; the index says 2
    const candidates = [candidate('a', 0), candidate('a', 2), candidate('c', 3)];
    expect(Array.from(candidateModelRows(model, candidates))).toEqual([2, 2, 3]);
    expect(candidateModelRow(model, candidate('a', 0))).toBe(2);
    expect(model.itemIndex.asked).toEqual(['a', 'a', 'c', 'a']);
  });
});
