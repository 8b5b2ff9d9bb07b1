/**
 * Default largest request body, in bytes (1 MiB; env `RECGATE_MAX_BODY_BYTES`,
 * createServer's `bodyLimit`). A 1000-event `recordFeedbackBatch` of typical
 * events is about 150 KB; `JSON.parse` of a hostile 1 MiB body (200,000 tiny
 * keys) takes about 90 ms on the project's 2-core machine, so the limit also
 * bounds the CPU a request can cost before any other check runs.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
