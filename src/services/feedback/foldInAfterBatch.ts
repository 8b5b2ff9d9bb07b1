import type { FeedbackRecord } from '../../domain/events.js';
import type { RatingScale } from '../../domain/interaction.js';
import type { ServedModel } from '../../inference/servedModel.js';
import { DISMISSIVE_TYPES } from '../../stores/dismissiveTypes.js';
import type { HistoryEntry } from '../../stores/featureStore.js';
import type { FoldInHistory, FoldInState } from '../../stores/featureStoreBatchWrites.js';
import { feedbackWeight } from './feedbackWeight.js';
import { foldInFromHistory } from './foldInFromHistory.js';

/** The empty dismissed set of users who dismissed nothing (never written). */
const NO_ITEMS: ReadonlySet<string> = new Set<string>();

/**
 * Whether an event can change the user's vector, so the user's stored state
 * must be read before it is applied: its item is known to the served
 * retrieval model and it is positive ({@link feedbackWeight} > 0) or dismissive
 * (DISMISS/DISLIKE may remove a positive of the history).
 */
export function mayMoveVector(
  model: ServedModel,
  record: FeedbackRecord,
  scale: RatingScale | null,
): boolean {
  if (!model.bundle.itemIndex.has(record.itemId)) return false;
  return DISMISSIVE_TYPES.has(record.type) || feedbackWeight(record.type, record.value, scale) > 0;
}

/** What one fold-in after a batch is computed from ({@link foldInInputAfterBatch}). */
export interface FoldInInput {
  /** The stored history, then the batch's events in batch order (a new array; entries are shared, never changed). */
  readonly history: readonly HistoryEntry[];
  /** Items left out: dismissed before or during the batch. */
  readonly dismissed: ReadonlySet<string>;
}

/**
 * Whether one user's events of a feedback batch move the user vector, and
 * what the new vector is folded in from (the rules of {@link foldInAfterBatch},
 * without the solve).
 *
 * Walks `records` in batch order over a local copy of the user's state: an
 * event "moves" the vector when {@link mayMoveVector} holds and it is either
 * positive or dismisses an item present in the history at that point (the
 * stored history plus the batch's earlier events).
 * @param user the stored history and dismissed items before the batch (null for a new user).
 * @param records this user's events (all of one user, at least one), in batch order.
 * @returns the stored history plus every event of the batch and the dismissed
 *   items (stored and from the batch), or null when no event moves the vector.
 */
export function foldInInputAfterBatch(
  model: ServedModel,
  user: Omit<FoldInHistory, 'userId'> | null,
  records: readonly FeedbackRecord[],
  scale: RatingScale | null,
): FoldInInput | null {
  const history: HistoryEntry[] = user === null ? [] : user.recent.slice();
  const storedDismissed: ReadonlySet<string> = user?.dismissed ?? NO_ITEMS;
  // The sets are built only when the batch has a dismissive event or the user dismissed items
  // (most batches have neither: then no item is excluded and no membership is asked).
  const anyDismissive = records.some((r) => DISMISSIVE_TYPES.has(r.type));
  const inHistory = anyDismissive ? new Set(history.map((e) => e.itemId)) : null;
  const dismissed = anyDismissive ? new Set(storedDismissed) : storedDismissed;
  let moved = false;
  for (const r of records) {
    const dismissive = DISMISSIVE_TYPES.has(r.type);
    if (mayMoveVector(model, r, scale) && (!dismissive || inHistory!.has(r.itemId))) moved = true;
    if (dismissive) (dismissed as Set<string>).add(r.itemId);
    history.push({ itemId: r.itemId, type: r.type, value: r.value, timestamp: r.timestamp });
    inHistory?.add(r.itemId);
  }
  return moved ? { history, dismissed } : null;
}

/**
 * The user vector after one user's events of a feedback batch, from ONE
 * fold-in (Hu, Koren & Volinsky 2008, eq. 4, via {@link foldInFromHistory})
 * instead of one per event.
 *
 * When any event moves the vector ({@link foldInInputAfterBatch}), the result
 * is the fold-in over the stored history plus every event of the batch,
 * without the dismissed items (stored and from the batch). For a batch
 * of one event this is exactly the per-event rule of docs/feedback.md; for
 * several it equals folding after each event and keeping the last, except that
 * history entries the store trims while applying the batch (past its history
 * size) still count, and that a batch whose positives are all dismissed again
 * keeps the stored vector. The solve reuses the user's cached normal
 * equations when possible (`FoldInCache`, models/retrieval/foldInCache.ts), so the vector equals the
 * fresh fold-in up to floating-point rounding.
 * @param user the stored state before the batch (null for a new user).
 * @param records this user's events (all of one user, at least one), in
 *   batch order, all with catalog items.
 * @returns the new vector, or null when it stays as stored (nothing moved it,
 *   or no entry contributes).
 */
export function foldInAfterBatch(
  model: ServedModel,
  user: Omit<FoldInState, 'userId'> | null,
  records: readonly FeedbackRecord[],
  scale: RatingScale | null,
): Float32Array | null {
  const input = foldInInputAfterBatch(model, user, records, scale);
  if (input === null) return null;
  // The per-user normal-equation cache (FoldInCache): exact solve, same vector up to rounding.
  return foldInFromHistory(model, input.history, input.dismissed, scale, {
    userId: records[0]!.userId,
    vector: user?.vector ?? null,
  });
}
