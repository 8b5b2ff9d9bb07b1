import type { FeatureStore } from './featureStore.js';

/**
 * What {@link UserAdmission.admitUsers} decided for one call: the new users it
 * refused, and the slots it holds for the new users it admitted until
 * {@link release}.
 */
export interface AdmittedUsers {
  /** The ids refused: users the store does not hold, past its limit. Empty when all were admitted. */
  readonly refused: ReadonlySet<string>;
  /** The store's user limit (an integer ≥ 1), for the refusal's message; 0 when the store has none. */
  readonly limit: number;
  /**
   * Frees the slots held for the admitted new users that no write created
   * (e.g. their events were for unknown items, or the event log refused them).
   * Call it once the admitted writes are done or abandoned; a second call does nothing.
   */
  release(): void;
}

/**
 * Optional capability of a feature store that holds at most a fixed number of
 * users (the memory store's `maxUsers`, `RECGATE_MEMORY_MAX_USERS`): the
 * feedback service asks it which users may be written BEFORE it logs their
 * events, so an event of a user past the limit is refused whole (neither
 * logged nor applied) rather than logged and then dropped.
 *
 * Contract of `admitUsers(ids)` (synchronous, so two calls never race):
 * - a user the store already holds is always admitted;
 * - a new user is admitted while the users held plus the new users admitted
 *   and not yet released or written stay under the limit; each admitted new
 *   user holds one slot until `release()` or until a write creates it (a user
 *   admitted by two calls holds one slot);
 * - the other new users are in `refused`, and hold nothing.
 * Writes themselves are never refused: a logged event (a replay, a write held
 * during a model reload) always applies, so the count may pass the limit by them.
 */
export interface UserAdmission {
  admitUsers(userIds: readonly string[]): AdmittedUsers;
}

/** Whether `store` offers {@link UserAdmission} (the memory store does; a Redis store has no user limit). */
export function hasUserAdmission(store: FeatureStore): store is FeatureStore & UserAdmission {
  return typeof (store as Partial<UserAdmission>).admitUsers === 'function';
}
