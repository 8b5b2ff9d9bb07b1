import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import type { CandidateRowIndex, SourceHit } from '../../../src/pipeline/candidate.js';
import { mergeSources } from '../../../src/pipeline/runPipeline.js';

/** A model of `ids` whose id → row index counts its lookups (a repeated id maps to its last row, as Map.set). */
function modelOf(ids: readonly string[]): CandidateRowIndex & { readonly asked: string[] } {
  const asked: string[] = [];
  const index = new Map<string, number>();
  ids.forEach((id, row) => index.set(id, row));
  const itemIndex = {
    size: index.size,
    get: (id: string) => (asked.push(id), index.get(id)),
  } as unknown as ReadonlyMap<string, number>;
  return { itemIds: ids, itemIndex, asked };
}

type Lists = { source: { kind: string }; hits: SourceHit[] }[];

/**
 * Random source lists over `ids` plus items the model does not know, with
 * overlapping items; each hit has a valid hint, a wrong one, an out-of-range
 * one or none, by `random`.
 */
function randomLists(seed: number, ids: readonly string[]): Lists {
  const random = createRandom(seed);
  const lists: Lists = [];
  for (const kind of ['EMBEDDING', 'ITEM_TO_ITEM', 'POPULAR', 'PROMOTION']) {
    const hits: SourceHit[] = [];
    const taken = new Set<string>();
    const length = random.int(0, 60);
    while (hits.length < length) {
      const unknown = random.next() < 0.1;
      const row = random.int(0, ids.length - 1);
      const itemId = unknown ? `new-${random.int(0, 9)}` : ids[row]!;
      if (taken.has(itemId)) continue;
      taken.add(itemId);
      const pick = random.next();
      const hint =
        pick < 0.6
          ? row
          : pick < 0.75
            ? random.int(0, ids.length - 1)
            : pick < 0.85
              ? ids.length + 3
              : undefined;
      hits.push({
        itemId,
        score: random.next(),
        ...(hint === undefined ? {} : { row: hint }),
        ...(random.next() < 0.3 ? { via: ids[random.int(0, ids.length - 1)]! } : {}),
      });
    }
    lists.push({ source: { kind }, hits });
  }
  return lists;
}

/** What the id-keyed merge and the row-keyed one must agree on. */
function shape(merged: ReturnType<typeof mergeSources>) {
  return merged.map((c) => ({
    itemId: c.itemId,
    sources: [...c.sources],
    via: [...c.via],
    sourceScore: c.sourceScore,
    fusion: c.fusion,
  }));
}

describe('mergeSources keyed by model row', () => {
  const ids = Array.from({ length: 120 }, (_, i) => `item-${i}`);

  it('merges the same candidates as by id on random lists, and leaves each its checked row', () => {
    const model = modelOf(ids);
    for (let seed = 1; seed <= 40; seed++) {
      const lists = randomLists(seed, ids);
      for (const total of [5, 40, 500]) {
        const byId = mergeSources(lists, total);
        const byRow = mergeSources(lists, total, model);
        expect(shape(byRow), `seed ${seed}, total ${total}`).toEqual(shape(byId));
        for (const c of byRow) expect(c.row).toBe(c.itemId.startsWith('new-') ? -1 : ids.indexOf(c.itemId));
      }
    }
  });

  it('looks up only hits without a valid hint', () => {
    const model = modelOf(ids);
    const merged = mergeSources(
      [
        {
          source: { kind: 'A' },
          hits: [
            { itemId: 'item-3', score: 1, row: 3 },
            { itemId: 'item-7', score: 1, row: 8 }, // wrong hint
            { itemId: 'new-1', score: 1 },
          ],
        },
        {
          source: { kind: 'B' },
          hits: [
            { itemId: 'item-7', score: 1 }, // no hint: looked up, joins the candidate
            { itemId: 'item-3', score: 1, row: 3 },
            { itemId: 'new-1', score: 1, row: 5 }, // a hint for an unknown item: looked up, ignored
          ],
        },
      ],
      10,
      model,
    );
    expect(merged.map((c) => [c.itemId, c.row, c.sources.join('+')])).toEqual([
      ['item-3', 3, 'A+B'],
      ['item-7', 7, 'B+A'],
      ['new-1', -1, 'A+B'],
    ]);
    expect(model.asked).toEqual(['item-7', 'item-7', 'new-1', 'new-1']);
  });

  it('ignores hints when the model repeats an id (keys by the index’s row), and leaves no state between merges', () => {
    const repeated = modelOf(['a', 'b', 'a', 'c']); // 'a' at rows 0 and 2: the index says 2
    const lists: Lists = [
      { source: { kind: 'A' }, hits: [{ itemId: 'a', score: 1, row: 0 }] },
      {
        source: { kind: 'B' },
        hits: [
          { itemId: 'a', score: 1, row: 2 },
          { itemId: 'c', score: 1, row: 3 },
        ],
      },
    ];
    const first = mergeSources(lists, 10, repeated);
    expect(first.map((c) => [c.itemId, c.row, c.sources.join('+')])).toEqual([
      ['a', 2, 'A+B'],
      ['c', 3, 'B'],
    ]);
    // The same model again, other items at the same rows: nothing of the first merge is found.
    const second = mergeSources(
      [{ source: { kind: 'C' }, hits: [{ itemId: 'c', score: 1, row: 3 }] }],
      10,
      repeated,
    );
    expect(second.map((c) => [c.itemId, c.sources.join('+')])).toEqual([['c', 'C']]);
  });
});
