import {
  QdrantClientConfigError,
  QdrantClientResourceExhaustedError,
  QdrantClientTimeoutError,
  QdrantClientUnexpectedResponseError,
} from '@qdrant/js-client-rest';

/*
 * The two error types of the Qdrant adapter and the mapping onto them. They
 * share a file because they are one decision: "retry later" versus "fix the
 * configuration". Their `category` values are the pipeline's FailureCategory.
 */

/**
 * Qdrant did not answer usefully, but may later: a timeout (`category:
 * 'timeout'`), a network error, a 5xx or a 429 (`category: 'unavailable'`).
 * On the request path the caller fails open (FallbackVectorIndex, source
 * fail-open policy). `status` is the HTTP status, null when there was none.
 */
export class VectorIndexUnavailableError extends Error {
  override readonly name = 'VectorIndexUnavailableError';
  constructor(
    readonly category: 'timeout' | 'unavailable',
    readonly status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Qdrant answered that the setup is wrong: a missing collection (404), a
 * dimension or distance mismatch, an incomplete collection with no items to
 * finish it, or another 4xx (bad API key, malformed request). Retrying will
 * not help; at start-up it stops the gateway with this message.
 * `status` is the HTTP status, null for a check made by recgate itself.
 */
export class VectorIndexConfigError extends Error {
  override readonly name = 'VectorIndexConfigError';
  readonly category = 'misconfigured' as const;
  constructor(
    readonly status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Maps an error thrown by `@qdrant/js-client-rest` (1.18) to one of the two
 * types above; `what` names the operation and collection for the message
 * ("search in `recgate_v1`"). Errors that are neither an HTTP answer nor a
 * network failure (e.g. a bug) are returned unchanged.
 * - client timeout (`QdrantClientTimeoutError`) → unavailable / timeout;
 * - 429 with `retry-after` (`QdrantClientResourceExhaustedError`) → unavailable;
 * - a URL the client refuses (`QdrantClientConfigError`) → config error;
 * - HTTP 404 → config error "does not exist"; 429 and 5xx → unavailable;
 *   other 4xx → config error with Qdrant's `status.error` text;
 * - a 2xx other than 200/201 (`QdrantClientUnexpectedResponseError`) and a
 *   fetch failure (`TypeError` with a cause: refused, reset, DNS) → unavailable.
 */
export function toVectorIndexError(err: unknown, what: string, url: string): Error {
  if (err instanceof VectorIndexUnavailableError || err instanceof VectorIndexConfigError) return err;
  if (err instanceof QdrantClientTimeoutError) {
    return new VectorIndexUnavailableError(
      'timeout',
      null,
      `Qdrant at ${url} did not answer the ${what} in time`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof QdrantClientResourceExhaustedError) {
    return new VectorIndexUnavailableError(
      'unavailable',
      429,
      `Qdrant at ${url} is rate limiting the ${what}`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof QdrantClientConfigError) {
    return new VectorIndexConfigError(null, `Qdrant client configuration for ${url}: ${err.message}`, {
      cause: err,
    });
  }
  const status = httpStatusOf(err);
  if (status !== null) {
    const detail = qdrantMessageOf(err);
    const suffix = detail === null ? '' : `: ${detail}`;
    if (status === 404) {
      return new VectorIndexConfigError(
        status,
        `Qdrant at ${url}: ${what} failed with 404 Not Found${suffix}`,
        {
          cause: err,
        },
      );
    }
    if (status === 429 || status >= 500) {
      return new VectorIndexUnavailableError(
        'unavailable',
        status,
        `Qdrant at ${url}: ${what} failed with HTTP ${status}${suffix}`,
        {
          cause: err,
        },
      );
    }
    return new VectorIndexConfigError(
      status,
      `Qdrant at ${url} rejected the ${what} with HTTP ${status}${suffix}`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof QdrantClientUnexpectedResponseError) {
    return new VectorIndexUnavailableError(
      'unavailable',
      null,
      `Qdrant at ${url}: unexpected answer to the ${what}`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof TypeError && err.cause !== undefined) {
    const cause = err.cause as { code?: unknown; message?: unknown };
    const reason = typeof cause.code === 'string' ? cause.code : String(cause.message ?? err.message);
    return new VectorIndexUnavailableError(
      'unavailable',
      null,
      `Qdrant at ${url} is unreachable (${reason}) during the ${what}`,
      {
        cause: err,
      },
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The HTTP status of a client `ApiError` (it has `status` and `data`), else null. */
function httpStatusOf(err: unknown): number | null {
  if (typeof err !== 'object' || err === null || !('status' in err) || !('data' in err)) return null;
  const status = (err as { status: unknown }).status;
  return typeof status === 'number' && status >= 400 ? status : null;
}

/** Qdrant's error sentence from an error body `{"status": {"error": "..."}}`, else null. */
function qdrantMessageOf(err: unknown): string | null {
  const data = (err as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null && 'status' in data) {
    const s = (data as { status: unknown }).status;
    if (typeof s === 'object' && s !== null && typeof (s as { error?: unknown }).error === 'string') {
      return (s as { error: string }).error;
    }
  }
  return typeof data === 'string' && data.length > 0 ? data.slice(0, 200) : null;
}
