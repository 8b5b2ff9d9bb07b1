import type { FeatureStore, HistoryEntry, UserFeatures } from './featureStore.js';

/** One interaction of {@link BatchWrites.applyUserInteractions}: the arguments of `FeatureStore.applyInteraction` but the user and vector. */
export interface InteractionWrite {
  readonly entry: HistoryEntry;
  /** The item's categories (each gets `weight` when positive and the entry is not dismissive). */
  readonly categories: readonly string[];
  readonly weight: number;
}

/** One counter increment of {@link BatchWrites.incrementItemCountersBatch}: the arguments of `FeatureStore.incrementItemCounters`. */
export interface CounterIncrement {
  readonly itemId: string;
  /** Positive weight added to popularity and trend. */
  readonly weight: number;
  /** Unix ms. */
  readonly at: number;
}

/**
 * Optional batch writes of a feature store (issue #6: one store call per user
 * and one per batch instead of two per event). A store offering them promises
 * the same final state as the single-event port methods called in order:
 * - `applyUserInteractions(u, writes, vector)` ≡ `applyInteraction(u, w.entry,
 *   {categories, weight})` for each write in order, the last one also carrying
 *   `vector` (`undefined` keeps the stored vector, null deletes it), applied
 *   atomically for the user;
 * - `incrementItemCountersBatch(incs)` ≡ `incrementItemCounters(itemId,
 *   weight, at)` for each in order.
 * Both reject (nothing or part applied, like the single calls) on a store failure.
 */
export interface BatchWrites {
  applyUserInteractions(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: Float32Array | null | undefined,
  ): Promise<void>;
  incrementItemCountersBatch(increments: readonly CounterIncrement[]): Promise<void>;
}

/** Whether `store` offers {@link BatchWrites} (the memory and Redis stores and the fallback wrapper do). */
export function hasBatchWrites(store: FeatureStore): store is FeatureStore & BatchWrites {
  const s = store as Partial<BatchWrites>;
  return typeof s.applyUserInteractions === 'function' && typeof s.incrementItemCountersBatch === 'function';
}

/** What a feedback fold-in reads of a user ({@link FoldInReads}): the fields of `UserFeatures` it uses. */
export type FoldInState = Pick<UserFeatures, 'userId' | 'recent' | 'dismissed' | 'vector'>;

/**
 * Optional narrow read of a feature store for feedback (issue #6): only what
 * fold-in needs, e.g. without the user's `seen` set, which grows with every
 * item they touch. Same contract as `getUsers` otherwise (same length and
 * order as `userIds`, null for unknown users, one round trip).
 */
export interface FoldInReads {
  getFoldInStates(userIds: readonly string[]): Promise<(FoldInState | null)[]>;
}

/** Whether `store` offers {@link FoldInReads}. */
export function hasFoldInReads(store: FeatureStore): store is FeatureStore & FoldInReads {
  return typeof (store as Partial<FoldInReads>).getFoldInStates === 'function';
}
