import { StageTimeoutError } from '../pipeline/pipelineStageError.js';
import { DependencyUnavailableError } from '../stores/fallback/circuitBreaker.js';
import { isNotSent } from '../stores/notSentError.js';
import { VectorIndexUnavailableError } from '../stores/qdrant/qdrantErrors.js';

/**
 * Messages of ioredis 5.8 errors that say the server could not be reached or
 * did not answer (not an error reply): refused before sending with the
 * offline queue off, a connection closed or lost, a command timeout.
 */
const REDIS_OUTAGE_MESSAGES = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  'Connection is closed.',
  'Command timed out',
  'Failed to refresh slots cache.',
  'None of startup nodes is available',
];

/** ioredis error names that mean the server was unreachable (reconnect attempts exhausted). */
const REDIS_OUTAGE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/** Node.js system error codes of a network failure (`err.code`). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** How many `cause` links {@link isDependencyOutage} follows. */
const MAX_CAUSE_DEPTH = 8;

/**
 * True when `error`, or an error in its `cause` chain (at most 8 links), says
 * a backend (Redis, Qdrant) was unreachable or did not answer in time, as
 * opposed to a bad input or a bad model file: a {@link NotSentError}
 * ({@link isNotSent}), a {@link DependencyUnavailableError} (circuit breaker
 * open or budget exceeded), a {@link StageTimeoutError}, a
 * {@link VectorIndexUnavailableError}, an ioredis connection error (offline
 * queue refusal, "Connection is closed.", "Command timed out", reconnect
 * attempts exhausted) or a Node.js network error (`ECONNREFUSED`, `ETIMEDOUT`, …).
 * An error reply of Redis (e.g. `WRONGTYPE`, `OOM`) is not an outage.
 */
export function isDependencyOutage(error: unknown): boolean {
  if (isNotSent(error)) return true;
  let e: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && e instanceof Error; depth++) {
    if (
      e instanceof DependencyUnavailableError ||
      e instanceof StageTimeoutError ||
      e instanceof VectorIndexUnavailableError ||
      REDIS_OUTAGE_NAMES.has(e.name) ||
      REDIS_OUTAGE_MESSAGES.some((m) => e instanceof Error && e.message.startsWith(m))
    ) {
      return true;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    e = e.cause;
  }
  return false;
}
