import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { FeedbackRecord, ImpressionRecord } from '../domain/events.js';
import type { CatalogItem, RatingScale } from '../domain/interaction.js';
import { PublicError } from '../errors.js';
import type { ServedModel } from '../inference/servedModel.js';
import { DISMISSIVE_TYPES } from '../stores/dismissiveTypes.js';
import { isNotSent } from '../stores/notSentError.js';
import type { EventLog } from '../stores/eventLog.js';
import type { FeatureStore, HistoryEntry } from '../stores/featureStore.js';
import { FEEDBACK_ERROR_CODES } from './feedback/feedbackErrorCodes.js';
import { FEEDBACK_LIMITS } from './feedback/feedbackLimits.js';
import type {
  BatchWrites,
  CounterIncrement,
  DeferredVector,
  FoldInHistory,
  FoldInState,
  LazyFoldIn,
} from '../stores/featureStoreBatchWrites.js';
import { hasBatchWrites, hasFoldInReads, hasLazyFoldIn } from '../stores/featureStoreBatchWrites.js';
import type { AdmittedUsers } from '../stores/userAdmission.js';
import { hasUserAdmission } from '../stores/userAdmission.js';
import { feedbackWeight } from './feedback/feedbackWeight.js';
import type { FoldInInput } from './feedback/foldInAfterBatch.js';
import { foldInAfterBatch, foldInInputAfterBatch, mayMoveVector } from './feedback/foldInAfterBatch.js';
import { foldInFromTerms, foldInTerms } from './feedback/foldInFromHistory.js';
import type { FeedbackRetryOptions } from './feedback/feedbackRetrier.js';
import { FeedbackRetrier } from './feedback/feedbackRetrier.js';
import type { PendingPart } from './feedback/feedbackRetryQueue.js';
import { KeyedQueue } from './feedback/keyedQueue.js';
import { validateFeedbackEvent } from './feedback/validateFeedbackEvent.js';
import { validateId } from './feedback/validateId.js';
import type { FeedbackEvent, FeedbackResult, UserError } from './serviceTypes.js';
import { logger } from '../telemetry/logger.js';

/** Options of {@link FeedbackService}. */
export interface FeedbackServiceOptions {
  readonly store: FeatureStore;
  readonly eventLog: EventLog;
  /** The model served now (read once per call, so a hot reload applies to the next call). */
  readonly model: () => ServedModel;
  /** Server clock, Unix ms. @default Date.now */
  readonly now?: () => number;
  /** How far ahead of `now()` an event timestamp may be, in ms. @default 300000 (5 minutes) */
  readonly maxFutureSkewMs?: number;
  /**
   * Called when a feature update fails after the event was logged (the event
   * stays accepted: it is durable, and a replay of the log restores the features).
   * @default writes one line to stderr
   */
  readonly onUpdateError?: (error: unknown, record: FeedbackRecord) => void;
  /**
   * Called when the event log rejects an append, with the HTTP request id
   * (when known): the detail (paths, errno) goes to the log, never to the client.
   * @default writes one line to stderr
   */
  readonly onAppendError?: (error: unknown, requestId: string | null) => void;
  /**
   * Retries the feature updates that failed without reaching the store (a
   * not-sent error: Redis down), once it answers again ({@link FeedbackRetrier};
   * docs/feedback.md). Absent: no retry (a replay of the log is the only repair).
   */
  readonly retry?: FeedbackRetryOptions;
}

/** The UNAVAILABLE message of a feedback event the event log could not store: fixed, no internals. */
export const FEEDBACK_UNAVAILABLE_MESSAGE =
  'the event log did not confirm the write; treat the event as not recorded and retry later (a write that timed out can still land, so a retry may log it twice)';
/** The UNAVAILABLE message of impressions the event log could not store: fixed, no internals. */
export const IMPRESSIONS_UNAVAILABLE_MESSAGE =
  'the event log did not confirm the write; treat the impressions as not recorded and retry later (a write that timed out can still land, so a retry may log them twice)';

/**
 * The USER_LIMIT message: the store is full and the event's user is not in it. Names the
 * setting, not the id (the client sent it).
 * @param limit the store's user limit.
 */
export function userLimitMessage(limit: number): string {
  return `the in-process feature store already holds its limit of ${limit} users (RECGATE_MEMORY_MAX_USERS) and this user is not one of them: nothing was recorded for it (events of users it holds are still accepted)`;
}

/** No admission: a store without a user limit. */
const ADMIT_ALL: AdmittedUsers = { refused: new Set(), limit: 0, release: () => undefined };

/**
 * Records feedback and impressions (issue #3 §3; rules and codes in docs/feedback.md).
 *
 * `record(events)`:
 * 1. more than 1000 events → throws PublicError BAD_USER_INPUT (field `events`);
 * 2. validates each event ({@link validateFeedbackEvent}); a rejected event
 *    gets `accepted: false` and a {@link UserError}, the others go on;
 * 3. with a store that limits its users (`UserAdmission`, stores/userAdmission.ts: the memory
 *    store's `RECGATE_MEMORY_MAX_USERS`), asks it which users of the valid
 *    events may be written; every event of a refused (new) user gets
 *    `accepted: false`, code USER_LIMIT, and is neither logged nor applied;
 * 4. appends every valid, admitted event to the event log in ONE `append` call; if it
 *    rejects, every one of them gets `accepted: false`, code UNAVAILABLE
 *    (nothing is claimed that was not written);
 * 5. then, before resolving, updates the feature store for each logged event
 *    whose item the catalog knows (unknown items are logged only: catalogs lag
 *    behind apps): history, seen, dismissed (DISMISS/DISLIKE), the user's
 *    interaction count and category weights (+1 per non-dismissive event, the
 *    unit weight training used, so weight / interactionCount is the share the
 *    ranker was trained on), the item's popularity/trend counters
 *    (+{@link feedbackWeight}, positive events only) and the user vector:
 *    fold-in over the positive entries of the user's history including the
 *    batch's events (items the served model does not know do not contribute;
 *    dismissed items are left out), recomputed when an event is positive or
 *    dismisses an item of the history — ONCE per user and batch, however many
 *    of the user's events it holds ({@link foldInAfterBatch}). The stored
 *    state of every user of the batch is read in one `getUsers` call (or
 *    `getFoldInStates`, when the store offers that narrower read). With a
 *    store offering `BatchWrites` (stores/featureStoreBatchWrites.ts; memory, Redis), each
 *    user's events are written in one call and the batch's counter
 *    increments, in batch order, in one more. Events
 *    of one user are applied in batch order under a per-user queue (so two
 *    batches of one user never interleave); different users concurrently.
 *    With a store offering lazy fold-in (`LazyFoldIn`: the memory store), the
 *    batch decides the same way whether the vector moves and what it is folded
 *    in from, but the solve runs when the user's vector is next read, once
 *    for all the batches before that read (the last one's input wins).
 *
 * A feature update that fails is reported (`onUpdateError`) and answered
 * `applied: false`; with `retry`, one that failed without reaching the store
 * (a not-sent error: Redis down) is applied later by {@link FeedbackRetrier}
 * through the same per-user queue (docs/feedback.md, "Retried updates").
 *
 * `recordImpressions(input)` validates the ids (at most 1000 item ids), refuses
 * (USER_LIMIT, nothing logged) impressions of a new user that a store with a
 * user limit does not admit, appends one {@link ImpressionRecord} and, for a
 * non-null user id, counts the impressions in the store (the pipeline demotes
 * impressed items).
 */
export class FeedbackService {
  private readonly store: FeatureStore;
  private readonly eventLog: EventLog;
  private readonly model: () => ServedModel;
  private readonly now: () => number;
  private readonly maxFutureSkewMs: number;
  private readonly onUpdateError: (error: unknown, record: FeedbackRecord) => void;
  private readonly onAppendError: (error: unknown, requestId: string | null) => void;
  private readonly perUser = new KeyedQueue();
  /** While a model reload rebuilds the store: updates wait for `released`, then skip `skip`'s event ids. */
  private hold: { released: Promise<void>; skip: Set<string> } | null = null;
  /** Records whose feature update failed (answered `applied: false`); weak, so nothing is kept for long. */
  private readonly notApplied = new WeakSet<FeedbackRecord>();
  /** The feature updates `record` started and that have not ended yet (see {@link holdUpdates}' `settled`). */
  private readonly applying = new Set<Promise<void>>();
  /** The retry of updates that failed without reaching the store; null when `retry` was not given. */
  private readonly retrier: FeedbackRetrier | null;

  constructor(options: FeedbackServiceOptions) {
    this.store = options.store;
    this.eventLog = options.eventLog;
    this.model = options.model;
    this.now = options.now ?? Date.now;
    this.maxFutureSkewMs = options.maxFutureSkewMs ?? FEEDBACK_LIMITS.maxFutureSkewMs;
    const onUpdateError =
      options.onUpdateError ??
      ((error, record) =>
        logger.error('feature update failed for a logged event', {
          eventId: record.eventId,
          error,
          // Not sent (Redis down): applied by the retry once Redis answers (docs/feedback.md).
          retried: this.retrier !== null && isNotSent(error),
        }));
    this.onUpdateError = onUpdateError;
    this.retrier =
      options.retry === undefined
        ? null
        : new FeedbackRetrier(
            {
              applyAll: (records) => this.applyFeatures(records),
              applyCounters: (records) => this.applyCounters(records),
              mayRun: () => this.hold === null,
              track: (attempt) => this.tracked(attempt),
            },
            options.retry,
          );
    this.onAppendError =
      options.onAppendError ??
      ((error, requestId) => logger.error('event log append failed', { requestId, error }));
  }

  /**
   * Validates, logs and applies feedback events.
   * @param requestId the HTTP request id, for the log line of an append failure.
   * @returns one result per event, in input order.
   * @throws PublicError BAD_USER_INPUT when `events` holds more than 1000 events.
   */
  async record(events: readonly FeedbackEvent[], requestId: string | null = null): Promise<FeedbackResult[]> {
    const { maxBatch } = FEEDBACK_LIMITS;
    if (events.length > maxBatch) {
      throw new PublicError(
        'BAD_USER_INPUT',
        `events must hold at most ${maxBatch} events per call; got ${events.length}. Split the batch.`,
        'events',
      );
    }
    const now = this.now();
    const results: FeedbackResult[] = new Array<FeedbackResult>(events.length);
    const records: FeedbackRecord[] = [];
    const positions: number[] = [];
    events.forEach((event, k) => {
      const error = validateFeedbackEvent(event, now, this.maxFutureSkewMs);
      if (error !== null) {
        results[k] = { accepted: false, applied: false, eventId: null, error };
        return;
      }
      records.push({
        kind: 'feedback',
        eventId: randomUUID(),
        userId: event.userId,
        itemId: event.itemId,
        type: event.type,
        value: event.value ?? null,
        requestId: event.requestId ?? null,
        timestamp: event.timestamp ?? now,
        receivedAt: now,
        context: event.context === null || event.context === undefined ? null : { ...event.context },
      });
      positions.push(k);
    });
    if (records.length === 0) return results;
    // Before the append (synchronously, so no other call takes the slots in between): an event of a
    // user the store will not hold is refused whole, never logged and then dropped.
    const admission = this.admit(records.map((r) => r.userId));
    if (admission.refused.size > 0) {
      const error: UserError = {
        code: FEEDBACK_ERROR_CODES.USER_LIMIT,
        message: userLimitMessage(admission.limit),
        field: 'userId',
      };
      // Drop the refused events from `records` and `positions` in place (the rest keep their order).
      let kept = 0;
      records.forEach((r, j) => {
        if (admission.refused.has(r.userId)) {
          results[positions[j]!] = { accepted: false, applied: false, eventId: null, error };
        } else {
          records[kept] = r;
          positions[kept++] = positions[j]!;
        }
      });
      records.length = kept;
      positions.length = kept;
      if (records.length === 0) {
        admission.release();
        return results;
      }
    }

    try {
      await this.eventLog.append(records);
    } catch (err) {
      admission.release();
      this.onAppendError(err, requestId);
      const error: UserError = {
        code: FEEDBACK_ERROR_CODES.UNAVAILABLE,
        message: FEEDBACK_UNAVAILABLE_MESSAGE,
        field: null,
      };
      for (const k of positions) results[k] = { accepted: false, applied: false, eventId: null, error };
      return results;
    }
    const hold = this.hold;
    if (hold === null) {
      try {
        await this.tracked(this.applyFeatures(records));
      } finally {
        admission.release();
      }
    }
    records.forEach(
      (r, j) =>
        (results[positions[j]!] = {
          accepted: true,
          // Held (a re-seed or a model load is rebuilding the store): logged, but not applied yet.
          applied: hold === null && !this.notApplied.has(r),
          eventId: r.eventId,
          error: null,
        }),
    );
    if (hold !== null) {
      // A reload is rebuilding the store: apply to the new one once it is served (not awaited).
      void hold.released
        .then(() => this.tracked(this.applyFeatures(records.filter((r) => !hold.skip.has(r.eventId)))))
        .finally(() => admission.release());
    }
    return results;
  }

  /**
   * Logs that a client showed `itemIds` from the list `requestId`.
   * @returns accepted, or the first {@link UserError} (INVALID_ID, BATCH_TOO_LARGE, UNAVAILABLE).
   */
  async recordImpressions(
    input: {
      requestId: string;
      userId: string | null;
      itemIds: readonly string[];
    },
    httpRequestId: string | null = null,
  ): Promise<{ accepted: boolean; error: UserError | null }> {
    const reject = (error: UserError): { accepted: boolean; error: UserError } => ({
      accepted: false,
      error,
    });
    const idError =
      validateId(input.requestId, 'requestId') ??
      (input.userId === null ? null : validateId(input.userId, 'userId'));
    if (idError !== null) return reject(idError);
    if (input.itemIds.length > FEEDBACK_LIMITS.maxBatch) {
      return reject({
        code: FEEDBACK_ERROR_CODES.BATCH_TOO_LARGE,
        message: `itemIds must hold at most ${FEEDBACK_LIMITS.maxBatch} ids per call; got ${input.itemIds.length}`,
        field: 'itemIds',
      });
    }
    for (let k = 0; k < input.itemIds.length; k++) {
      const error = validateId(input.itemIds[k], `itemIds[${k}]`);
      if (error !== null) return reject(error);
    }
    // Only a call that counts impressions writes the user (below): admitted before the append, as feedback.
    const admission =
      input.userId !== null && input.itemIds.length > 0 ? this.admit([input.userId]) : ADMIT_ALL;
    if (admission.refused.size > 0) {
      return reject({
        code: FEEDBACK_ERROR_CODES.USER_LIMIT,
        message: userLimitMessage(admission.limit),
        field: 'userId',
      });
    }
    const at = this.now();
    const record: ImpressionRecord = {
      kind: 'impression',
      eventId: randomUUID(),
      requestId: input.requestId,
      userId: input.userId,
      itemIds: [...input.itemIds],
      timestamp: at,
    };
    try {
      await this.eventLog.append([record]);
    } catch (err) {
      admission.release();
      this.onAppendError(err, httpRequestId);
      return reject({
        code: FEEDBACK_ERROR_CODES.UNAVAILABLE,
        message: IMPRESSIONS_UNAVAILABLE_MESSAGE,
        field: null,
      });
    }
    if (input.userId !== null && input.itemIds.length > 0) {
      await this.store.recordImpressions(input.userId, input.itemIds, at).catch((error: unknown) =>
        logger.error('impression update failed', {
          eventId: record.eventId,
          requestId: httpRequestId,
          error,
        }),
      );
    }
    admission.release();
    return { accepted: true, error: null };
  }

  /**
   * Holds the feature updates of newly accepted events (they are logged and
   * answered as usual) until `resume(applied)`: then they are applied to the
   * store served at that time, except those whose event id is in `applied`
   * (already replayed into it). The gateway holds updates while a model
   * reload rebuilds an in-process store, and while a shared store that lost
   * its data is seeded again and the event log replayed into it
   * (`Backends.repairSeed`), so no event is applied twice or lost. Waiting
   * retries ({@link FeedbackRetrier}) do not run while updates are held, and
   * `resume` drops those of the events in `applied`.
   * `settled` resolves (never rejects) once the updates started before the
   * hold have ended: a caller that rewrites the store they write to awaits it first.
   * @throws Error when updates are already held.
   */
  holdUpdates(): { readonly settled: Promise<void>; resume(applied: ReadonlySet<string>): void } {
    if (this.hold !== null) throw new Error('feature updates are already held');
    let release!: () => void;
    const hold = { released: new Promise<void>((r) => (release = r)), skip: new Set<string>() };
    this.hold = hold;
    return {
      settled: Promise.allSettled([...this.applying]).then(() => undefined),
      resume: (applied) => {
        for (const id of applied) hold.skip.add(id);
        // The replay applied these: a pending retry of one of them would apply it twice.
        this.retrier?.replayed(applied);
        this.hold = null;
        release();
      },
    };
  }

  /** Feature updates waiting for a retry (0 without `retry`): `recgate_feedback_retry_pending`. */
  get pendingRetries(): number {
    return this.retrier?.pending ?? 0;
  }

  /**
   * Runs one retry attempt of the waiting feature updates now, as the retry
   * timer does (skipped while updates are held or the store is not
   * reachable); resolves when it ended, never rejects. A no-op without `retry`.
   */
  retryNow(): Promise<void> {
    return this.retrier?.retryNow() ?? Promise.resolve();
  }

  /** Stops the retry timer (waiting updates are forgotten: the event log keeps them). Idempotent. */
  close(): void {
    this.retrier?.close();
  }

  /**
   * Re-applies feedback already in the event log to the feature store without
   * appending it again: at start-up the gateway replays the events received
   * after the served model was published, so live feedback survives a restart.
   * Events whose item is not in the catalog are skipped, as when they arrived.
   *
   * A user's events are never folded in together here: round r applies every
   * user's r-th event, so each fold-in sees the history the store had kept
   * (at most its history size) after that event, as when it arrived one by
   * one. Folding a long run of one user's events at once would also count
   * history entries the store trims, and give a restarted gateway different
   * vectors from the ones its users had.
   */
  async replay(records: readonly FeedbackRecord[]): Promise<void> {
    const rounds: FeedbackRecord[][] = [];
    const perUser = new Map<string, number>();
    for (const r of records) {
      const k = perUser.get(r.userId) ?? 0;
      perUser.set(r.userId, k + 1);
      (rounds[k] ??= []).push(r);
    }
    for (const round of rounds) await this.applyFeatures(round);
  }

  /**
   * The store's admission of `userIds` (`UserAdmission`), read per call
   * (the served store may be swapped); every id admitted when the store has no user limit.
   */
  private admit(userIds: readonly string[]): AdmittedUsers {
    const store = this.store;
    return hasUserAdmission(store) ? store.admitUsers(userIds) : ADMIT_ALL;
  }

  /** Registers a feature update of {@link record} in {@link applying} until it ends. */
  private async tracked(update: Promise<void>): Promise<void> {
    this.applying.add(update);
    try {
      await update;
    } finally {
      this.applying.delete(update);
    }
  }

  /**
   * Step 4 of {@link record}: one catalog read for the batch, then per user
   * (in the user's queue) one read of the stored state, batched with the other
   * users' reads into one `getUsers` call, one fold-in for all the user's
   * events ({@link foldInAfterBatch}) and the events' writes in batch order,
   * the last one carrying the new vector.
   */
  private async applyFeatures(records: readonly FeedbackRecord[]): Promise<void> {
    const model = this.model();
    const itemIds = [...new Set(records.map((r) => r.itemId))];
    let items: Map<string, CatalogItem>;
    try {
      const found = await this.store.getItems(itemIds);
      items = new Map();
      found.forEach((item, k) => item !== null && items.set(itemIds[k]!, item));
    } catch (err) {
      for (const r of records) this.updateFailed(err, r, 'all');
      return;
    }
    const byUser = new Map<string, FeedbackRecord[]>();
    for (const r of records) {
      if (!items.has(r.itemId)) continue;
      const list = byUser.get(r.userId);
      if (list === undefined) byUser.set(r.userId, [r]);
      else list.push(r);
    }
    // Reads issued in the same tick (every user whose queue is free) go to the store as one getUsers.
    const store = this.store;
    const lazy = hasLazyFoldIn(store);
    const users = new DataLoader<string, FoldInState | FoldInHistory | null>(
      (ids) =>
        lazy
          ? store.getFoldInHistories(ids)
          : hasFoldInReads(store)
            ? store.getFoldInStates(ids)
            : store.getUsers(ids),
      { cache: false },
    );
    const applied = await Promise.all(
      [...byUser].map(([userId, list]) =>
        this.perUser.run(userId, () =>
          this.applyUser(userId, list, items, model, users, lazy ? store : null),
        ),
      ),
    );
    if (!hasBatchWrites(store)) return;
    // Batch writes: the counters of every applied positive event, in batch order, in one call.
    const done = new Set(applied.flat());
    const scale = model.manifest.training.ratingScale;
    const counted: FeedbackRecord[] = [];
    const increments: CounterIncrement[] = [];
    for (const r of records) {
      if (!done.has(r)) continue;
      const weight = feedbackWeight(r.type, r.value, scale);
      if (weight > 0) {
        counted.push(r);
        increments.push({ itemId: r.itemId, weight, at: r.timestamp });
      }
    }
    if (increments.length === 0) return;
    await store.incrementItemCountersBatch(increments).catch((err: unknown) => {
      for (const r of counted) this.updateFailed(err, r, 'counters');
    });
  }

  /**
   * Applies one user's logged events (all with catalog items), in order; the
   * caller holds the user's queue. With a store offering `BatchWrites`
   * (stores/featureStoreBatchWrites.ts): one `applyUserInteractions` call, and the
   * counters are left to the caller.
   * @returns the events written with a batch write (for their counters), else [].
   */
  private async applyUser(
    userId: string,
    list: readonly FeedbackRecord[],
    items: ReadonlyMap<string, CatalogItem>,
    model: ServedModel,
    users: DataLoader<string, FoldInState | FoldInHistory | null>,
    /** The store when it offers lazy fold-in (checked once per batch by the caller), else null. */
    lazyStore: (FeatureStore & BatchWrites & LazyFoldIn) | null,
  ): Promise<readonly FeedbackRecord[]> {
    const scale = model.manifest.training.ratingScale;
    const store = this.store;
    let vector: Float32Array | null = null;
    let deferred: DeferredVector | undefined;
    let pending = list;
    if (list.some((r) => mayMoveVector(model, r, scale))) {
      try {
        const user = await users.load(userId);
        if (lazyStore !== null) {
          const input = foldInInputAfterBatch(model, user, list, scale);
          if (input !== null) deferred = this.deferredFoldIn(model, userId, input, list, scale) ?? undefined;
        } else {
          vector = foldInAfterBatch(model, user as FoldInState | null, list, scale);
        }
      } catch (err) {
        // As when each event read the user itself: the events that needed the
        // read fail, the others still apply.
        pending = list.filter((r) => {
          if (!mayMoveVector(model, r, scale)) return true;
          this.updateFailed(err, r, 'all');
          return false;
        });
      }
    }
    if (hasBatchWrites(store)) {
      if (pending.length === 0) return [];
      const writes = pending.map((r) => ({
        entry: { itemId: r.itemId, type: r.type, value: r.value, timestamp: r.timestamp },
        categories: items.get(r.itemId)!.categories,
        weight: DISMISSIVE_TYPES.has(r.type) ? 0 : 1,
      }));
      try {
        if (lazyStore !== null) await lazyStore.applyUserInteractionsLazily(userId, writes, deferred);
        else await store.applyUserInteractions(userId, writes, vector ?? undefined);
        return pending;
      } catch (err) {
        for (const r of pending) this.updateFailed(err, r, 'all');
        return [];
      }
    }
    // Issued together: the store applies one connection's writes in call order
    // (the memory store synchronously), so the user's events land in batch order.
    await Promise.all(
      pending.map((r, k) =>
        this.applyOne(r, items.get(r.itemId)!, scale, k === pending.length - 1 ? vector : null),
      ),
    );
    return [];
  }

  /**
   * The fold-in of one user's batch, run by a lazy store at the user's next
   * vector read: the solve of `foldInFromHistory` over `input` with the model
   * of the batch, through the fold-in cache keyed by the vector stored at that
   * read. What waits for the read is only the contributing items' rows and
   * weights ({@link foldInTerms}: two numbers per entry, not the history, the
   * batch or its records), so a user who never reads again holds little. A
   * failed solve (NaN factors) is reported once, with the first event of the
   * batch that needed it, and the stored vector is kept.
   * @returns null when no entry contributes (the stored or pending vector stays).
   */
  private deferredFoldIn(
    model: ServedModel,
    userId: string,
    input: FoldInInput,
    list: readonly FeedbackRecord[],
    scale: RatingScale | null,
  ): DeferredVector | null {
    const terms = foldInTerms(model, input.history, input.dismissed, scale);
    if (terms === null) return null;
    const first = list.find((r) => mayMoveVector(model, r, scale))!;
    return (current) => {
      try {
        return foldInFromTerms(model, terms, userId, current);
      } catch (err) {
        this.updateFailed(err, first, 'all');
        return null;
      }
    };
  }

  /**
   * Writes one logged event whose item is in the catalog; `vector`, when not
   * null, replaces the user's. Never rejects: a failure is reported
   * ({@link updateFailed}) with the part that did not apply.
   */
  private async applyOne(
    r: FeedbackRecord,
    item: CatalogItem,
    scale: RatingScale | null,
    vector: Float32Array | null,
  ): Promise<void> {
    const entry: HistoryEntry = { itemId: r.itemId, type: r.type, value: r.value, timestamp: r.timestamp };
    const dismissive = DISMISSIVE_TYPES.has(r.type);
    const weight = feedbackWeight(r.type, r.value, scale);
    try {
      await this.store.applyInteraction(r.userId, entry, {
        categories: item.categories,
        weight: dismissive ? 0 : 1,
        ...(vector === null ? {} : { vector }),
      });
    } catch (err) {
      this.updateFailed(err, r, 'all');
      return;
    }
    if (weight > 0) {
      await this.store
        .incrementItemCounters(r.itemId, weight, r.timestamp)
        .catch((err: unknown) => this.updateFailed(err, r, 'counters'));
    }
  }

  /**
   * A retry's second half ({@link FeedbackRetrier}): the item counters of
   * `records` whose user part is already stored, in order, with the served
   * model's rating scale (one batch call when the store offers it). Never
   * rejects: failures are reported ({@link updateFailed}, part `counters`).
   */
  private async applyCounters(records: readonly FeedbackRecord[]): Promise<void> {
    const scale = this.model().manifest.training.ratingScale;
    const counted = records.filter((r) => feedbackWeight(r.type, r.value, scale) > 0);
    const increments = counted.map((r) => ({
      itemId: r.itemId,
      weight: feedbackWeight(r.type, r.value, scale),
      at: r.timestamp,
    }));
    const store = this.store;
    if (hasBatchWrites(store)) {
      if (increments.length === 0) return;
      await store.incrementItemCountersBatch(increments).catch((err: unknown) => {
        for (const r of counted) this.updateFailed(err, r, 'counters');
      });
      return;
    }
    for (const [k, i] of increments.entries()) {
      await store
        .incrementItemCounters(i.itemId, i.weight, i.at)
        .catch((err: unknown) => this.updateFailed(err, counted[k]!, 'counters'));
    }
  }

  /**
   * A feature update of logged event `r` failed (`part`: what of it did not
   * apply): the answer says `applied: false`, the error is reported to
   * `onUpdateError`, and the retry queues it when the error says the write
   * never reached the store.
   */
  private updateFailed(error: unknown, r: FeedbackRecord, part: PendingPart): void {
    this.notApplied.add(r);
    // A queued update whose retry failed again the same way was reported when it first failed.
    if (this.retrier?.failed(error, r, part) !== 'still queued') this.onUpdateError(error, r);
  }
}
