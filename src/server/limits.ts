/**
 * Input limits of the GraphQL API. A request over a limit gets a
 * `BAD_USER_INPUT` error naming the argument (documented in docs/api.md).
 */
export const LIMITS = {
  /** Largest `first` of any paged field; the smallest is 1. */
  maxFirst: 100,
  /** Longest id (user, item, request, promotion), in UTF-16 code units. */
  maxIdLength: 256,
  /** Most events in one `recordFeedbackBatch`, items in one `upsertItems`, ids in one list argument. */
  maxBatch: 1000,
  /** Longest short string argument (surface, device, locale, country, category), in UTF-16 code units. */
  maxStringLength: 256,
  /** Longest `after` cursor accepted (cursors are opaque and issued by the engine). */
  maxCursorLength: 4096,
} as const;
