import type { RatingScale } from '../../domain/interaction.js';
import { foldInUser } from '../../../models/retrieval/foldIn.js';
import type { FoldInModel } from '../../../models/retrieval/foldIn.js';
import { FoldInCache } from '../../../models/retrieval/foldInCache.js';
import type { ServedModel } from '../../inference/servedModel.js';
import type { HistoryEntry } from '../../stores/featureStore.js';
import { feedbackWeight } from './feedbackWeight.js';

/**
 * The user vector fold-in gives for a history (Hu, Koren & Volinsky 2008,
 * eq. 4, with the served model's item factors fixed): every entry with a
 * positive {@link feedbackWeight} whose item the retrieval model knows
 * contributes its weight (repeats of an item add up), except items in `dismissed`.
 *
 * With `cached`, the solve goes through the served model's {@link FoldInCache}
 * under the user's id: the same vector up to floating-point rounding, at a
 * fraction of the cost when the user's previous fold-in is cached (feedback
 * of one user usually changes a couple of history entries between two
 * fold-ins; issue #6).
 * @param history any order (e.g. `UserFeatures.recent`).
 * @param cached the user's id and stored vector (null when none), to use the cache.
 * @returns a length-d vector, or null when no entry contributes (the caller
 *   then keeps the current vector).
 */
export function foldInFromHistory(
  model: ServedModel,
  history: readonly HistoryEntry[],
  dismissed: ReadonlySet<string>,
  scale: RatingScale | null,
  cached?: { readonly userId: string; readonly vector: Float32Array | null },
): Float32Array | null {
  const terms = foldInTerms(model, history, dismissed, scale);
  if (terms === null) return null;
  if (cached === undefined) return foldInUser(model.foldIn, terms.items, terms.weights);
  return foldInCacheOf(model.foldIn).foldIn(cached.userId, terms.items, terms.weights, cached.vector);
}

/** What a fold-in solves from ({@link foldInTerms}): parallel arrays, one entry per contributing history entry. */
export interface FoldInTerms {
  /** Model rows of the items (repeats allowed; their weights add up). */
  readonly items: readonly number[];
  /** The entries' {@link feedbackWeight}s, all > 0. */
  readonly weights: readonly number[];
}

/**
 * The contributing entries of a history, as {@link foldInFromHistory} counts
 * them: every entry with a positive {@link feedbackWeight} whose item the
 * retrieval model knows, except items in `dismissed`. Small (two numbers per
 * entry), so a lazy fold-in keeps these instead of the history.
 * @returns the terms, or null when no entry contributes.
 */
export function foldInTerms(
  model: ServedModel,
  history: readonly HistoryEntry[],
  dismissed: ReadonlySet<string>,
  scale: RatingScale | null,
): FoldInTerms | null {
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
  return items.length === 0 ? null : { items, weights };
}

/**
 * {@link foldInFromHistory} from precomputed {@link foldInTerms}, through the
 * model's {@link FoldInCache} under `userId` (`current`: the stored vector).
 */
export function foldInFromTerms(
  model: ServedModel,
  terms: FoldInTerms,
  userId: string,
  current: Float32Array | null,
): Float32Array {
  return foldInCacheOf(model.foldIn).foldIn(userId, terms.items, terms.weights, current);
}

/** One {@link FoldInCache} per fold-in model, dropped with it. */
const caches = new WeakMap<FoldInModel, FoldInCache>();

/** The {@link FoldInCache} that feedback fold-ins of `foldIn` use (created on first use). */
export function foldInCacheOf(foldIn: FoldInModel): FoldInCache {
  let cache = caches.get(foldIn);
  if (cache === undefined) {
    cache = new FoldInCache(foldIn);
    caches.set(foldIn, cache);
  }
  return cache;
}
