import type { RatingScale } from '../../domain/interaction.js';
import { foldInUser } from '../../../models/retrieval/foldIn.js';
import type { ServedModel } from '../../inference/servedModel.js';
import type { HistoryEntry } from '../../stores/featureStore.js';
import { feedbackWeight } from './feedbackWeight.js';

/**
 * The user vector fold-in gives for a history (Hu, Koren & Volinsky 2008,
 * eq. 4, with the served model's item factors fixed): every entry with a
 * positive {@link feedbackWeight} whose item the retrieval model knows
 * contributes its weight (repeats of an item add up), except items in `dismissed`.
 * @param history any order (e.g. `UserFeatures.recent`).
 * @returns a length-d vector, or null when no entry contributes (the caller
 *   then keeps the current vector).
 */
export function foldInFromHistory(
  model: ServedModel,
  history: readonly HistoryEntry[],
  dismissed: ReadonlySet<string>,
  scale: RatingScale | null,
): Float32Array | null {
  const items: number[] = [];
  const weights: number[] = [];
  for (const entry of history) {
    if (dismissed.has(entry.itemId)) continue;
    const row = model.bundle.itemIndex.get(entry.itemId);
    if (row === undefined) continue;
    const w = feedbackWeight(entry.type, entry.value, scale);
    if (w > 0) {
      items.push(row);
      weights.push(w);
    }
  }
  if (items.length === 0) return null;
  return foldInUser(model.foldIn, items, weights);
}
