/** Limits of feedback input (issue #3 §3). */
export const FEEDBACK_LIMITS = {
  /** Longest accepted id, in characters (Unicode code points). */
  maxIdLength: 256,
  /** Most events per `recordFeedbackBatch` call, and most item ids per `recordImpressions` call. */
  maxBatch: 1000,
  /** Inclusive range of a RATING value. */
  ratingMin: 0,
  ratingMax: 10,
  /** Earliest accepted timestamp: 1990-01-01T00:00:00Z, Unix ms (older ones are unit mistakes, e.g. seconds). */
  earliestTimestamp: Date.UTC(1990, 0, 1),
  /** How far ahead of the server clock a timestamp may be, in ms. @default 5 minutes */
  maxFutureSkewMs: 5 * 60_000,
} as const;
