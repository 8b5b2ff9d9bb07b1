import type { Interaction } from '../../src/domain/interaction.js';

/**
 * The item popularity share used by `novelty` (evaluation.md: "mean −log2 of item popularity
 * share"), defined over **interactions**: share(i) = (training interactions with item i) /
 * (all training interactions), every type counted, repeated events included. This is
 * p(i) = |N_i| / |N| of Microsoft Recommenders' `historical_item_novelty`. An item with no
 * training interaction gets 1 / (total + 1), so its novelty is finite (the largest possible).
 * @param train the training part of a split.
 * @returns itemId → share in (0, 1]. With an empty `train` every share is 1 (novelty 0).
 */
export function popularityShareFrom(train: readonly Interaction[]): (itemId: string) => number {
  const counts = new Map<string, number>();
  for (const { itemId } of train) counts.set(itemId, (counts.get(itemId) ?? 0) + 1);
  const total = train.length;
  const unseen = 1 / (total + 1);
  return (itemId) => {
    const count = counts.get(itemId);
    return count === undefined ? unseen : count / total;
  };
}
