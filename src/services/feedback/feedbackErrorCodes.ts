/**
 * Stable codes of rejected feedback and impressions (`UserError.code`),
 * documented with their rules in docs/feedback.md. Clients may switch on
 * them; add codes, never rename them.
 */
export const FEEDBACK_ERROR_CODES = {
  /** An id is empty, blank, longer than 256 characters or has leading/trailing whitespace. */
  INVALID_ID: 'INVALID_ID',
  /** `type` is not a FeedbackType. */
  INVALID_TYPE: 'INVALID_TYPE',
  /** `value` is not finite, or a RATING has no value or one outside 0..10. */
  INVALID_VALUE: 'INVALID_VALUE',
  /** `timestamp` is more than the allowed skew (5 minutes) ahead of the server clock. */
  FUTURE_TIMESTAMP: 'FUTURE_TIMESTAMP',
  /** `timestamp` is not a finite number or lies before 1990-01-01. */
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  /** More than 1000 events (or impressed items) in one call. */
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  /**
   * The event's user is new and the in-process (memory) feature store already
   * holds its limit of users (`RECGATE_MEMORY_MAX_USERS`); nothing was recorded.
   */
  USER_LIMIT: 'USER_LIMIT',
  /** The event log could not store the event; nothing was recorded, retry later. */
  UNAVAILABLE: 'UNAVAILABLE',
} as const;

/** One of {@link FEEDBACK_ERROR_CODES}. */
export type FeedbackErrorCode = keyof typeof FEEDBACK_ERROR_CODES;
