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

/**
 * A user vector computed at its first read instead of at write time (lazy
 * fold-in, see {@link LazyFoldIn}). Called at most once, with the user's
 * stored vector at that moment (null when none).
 * @returns the new vector (length d), or null to keep the stored one.
 *   Must not throw: a failure is reported by the function itself and answered with null.
 */
export type DeferredVector = (current: Float32Array | null) => Float32Array | null;

/** What the lazy feedback path reads of a user: {@link FoldInState} without the vector. */
export type FoldInHistory = Pick<UserFeatures, 'userId' | 'recent' | 'dismissed'>;

/**
 * Optional lazy fold-in of an in-process store (issue #6; the memory store
 * offers it). Feedback then writes a user's events with a {@link DeferredVector}
 * instead of solving the fold-in at once; the store runs it when the user's
 * vector is next read (`getUsers`, `getFoldInStates`), so a user who sends
 * many batches between two reads costs one fold-in, at that read, not one
 * per batch. A later deferred or explicit vector replaces a pending one,
 * unread (the last fold-in wins, as when each was computed at once).
 * A store shared between processes (Redis) cannot offer it: a reader would
 * need the writer's model and a conditional write-back.
 */
export interface LazyFoldIn {
  /** {@link FoldInReads.getFoldInStates} without the vector: a pending fold-in stays pending. */
  getFoldInHistories(userIds: readonly string[]): Promise<(FoldInHistory | null)[]>;
  /**
   * {@link BatchWrites.applyUserInteractions} whose vector, when `vector` is
   * given, is computed at the next read of the user's vector; `undefined`
   * keeps the stored (or pending) one.
   */
  applyUserInteractionsLazily(
    userId: string,
    writes: readonly InteractionWrite[],
    vector: DeferredVector | undefined,
  ): Promise<void>;
}

/** Whether `store` offers {@link LazyFoldIn} (and the {@link BatchWrites} it extends). */
export function hasLazyFoldIn(store: FeatureStore): store is FeatureStore & BatchWrites & LazyFoldIn {
  const s = store as Partial<LazyFoldIn>;
  return (
    hasBatchWrites(store) &&
    typeof s.getFoldInHistories === 'function' &&
    typeof s.applyUserInteractionsLazily === 'function'
  );
}
