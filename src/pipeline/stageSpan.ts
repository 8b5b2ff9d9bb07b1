import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import {
  ATTR_CANDIDATES_IN,
  ATTR_CANDIDATES_OUT,
  ATTR_DEGRADED,
  ATTR_ERROR_TYPE,
  TELEMETRY_SCOPE,
} from '../telemetry/telemetryNames.js';
import { PipelineStageError } from './pipelineStageError.js';

/**
 * Tracing of pipeline stages through the OpenTelemetry API only (no SDK
 * import): with no SDK registered the API's no-op tracer makes every call
 * here a few hundred nanoseconds; with one, each stage is a span (names and
 * attributes in src/telemetry/telemetryNames.ts).
 */
const tracer = trace.getTracer(TELEMETRY_SCOPE);

/** Spans already marked failed, so a failure re-thrown through {@link withStageSpan} is recorded once. */
const failed = new WeakSet<Span>();

/**
 * Runs `work` inside a new span `name`, a child of the active span, active
 * while `work` runs (so spans of Redis, HTTP… calls it makes are its
 * children); ends it when `work` settles. A rejection marks the span failed
 * (unless {@link markStageFailed} did already) and is re-thrown unchanged.
 */
export function withStageSpan<T>(name: string, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      markStageFailed(span, err, false);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Sets a stage span's candidate counts (`recgate.candidates.in` / `.out`, integers). */
export function setStageCounts(span: Span, candidatesIn: number, candidatesOut: number): void {
  if (!span.isRecording()) return;
  span.setAttribute(ATTR_CANDIDATES_IN, candidatesIn);
  span.setAttribute(ATTR_CANDIDATES_OUT, candidatesOut);
}

/**
 * Marks a stage span failed, once: an `exception` event, status ERROR,
 * `error.type` (the {@link PipelineStageError} category, e.g. `timeout`, or
 * the error's class name) and, when the failure was absorbed by the surface's
 * fail-open policy, `recgate.degraded = true`.
 */
export function markStageFailed(span: Span, err: unknown, degraded: boolean): void {
  if (!span.isRecording() || failed.has(span)) return;
  failed.add(span);
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttribute(ATTR_ERROR_TYPE, err instanceof PipelineStageError ? err.category : error.name);
  if (degraded) span.setAttribute(ATTR_DEGRADED, true);
}
