import { trace } from '@opentelemetry/api';
import pLimit from 'p-limit';
import { throwIfRequestAborted } from '../pipeline/requestAbortedError.js';
import { ATTR_QUEUE_AHEAD, PIPELINE_QUEUE_SPAN, TELEMETRY_SCOPE } from '../telemetry/telemetryNames.js';

const tracer = trace.getTracer(TELEMETRY_SCOPE);

/**
 * Admission of requests to the ranking pipelines: at most `concurrency`
 * requests run pipelines at once (`recommendations` first pages,
 * `similarItems` and `Item.similar` lists); the others wait in arrival order
 * (FIFO) before their queries are built. All the runs of one request share
 * its slot, so the lists of one GraphQL request still start in the same
 * event-loop turn and batch their store reads (one `Item.similar` per item of
 * a 20-item page is one read per feature family, not two).
 *
 * Why: each run holds its candidate set, feature matrix and scores until it
 * answers, and under overload Node would otherwise start every request it has
 * read, all of them holding that at once. At 1M items, 128 concurrent clients
 * took the server's peak RSS to 638–652 MB without a limit and 588–589 MB
 * with 16 slots (8 clients: 573 MB; BENCHMARKS.md, session of 12-05). A
 * waiting request holds only its parsed operation.
 *
 * A wait is visible in a trace as a `pipeline queue` span, with the number
 * of requests ahead of it. A run whose client went away while it waited does
 * not start: it rejects with RequestAbortedError.
 *
 * The queue itself is unbounded (no request is refused here); bounding the
 * requests a server accepts is load shedding's job (`RECGATE_MAX_IN_FLIGHT`,
 * src/server/overload/).
 */
export interface PipelineQueue {
  /**
   * Runs `work` once `request` holds a slot: at once when it already holds
   * one (another of its runs is waiting or running) or one is free. The slot
   * is given back when the last of the request's runs settles; a later run of
   * the same request asks again.
   * @param request the request's scope object (identity only; kept weakly).
   * @throws RequestAbortedError when `signal` aborted before `work` started; whatever `work` throws.
   */
  run<T>(request: object, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T>;
  /** Requests holding a slot (0 with no limit: no slots are counted). */
  readonly active: number;
  /** Requests waiting for a slot (0 with no limit). */
  readonly waiting: number;
}

/** One request's slot: admitted when `ready` resolves; held until its `runs` are all settled. */
interface Slot {
  readonly ready: Promise<void>;
  readonly release: () => void;
  runs: number;
}

/**
 * A {@link PipelineQueue} of `concurrency` slots (p-limit underneath); 0 = no
 * limit (every run starts at once, no queue).
 * @throws RangeError when `concurrency` is not an integer ≥ 0.
 */
export function pipelineQueue(concurrency: number): PipelineQueue {
  if (!Number.isInteger(concurrency) || concurrency < 0) {
    throw new RangeError(`pipelineConcurrency must be an integer ≥ 0 (0 = no limit), got ${concurrency}`);
  }
  if (concurrency === 0) {
    return {
      async run(_request, signal, work) {
        throwIfRequestAborted(signal);
        return work();
      },
      active: 0,
      waiting: 0,
    };
  }
  const limit = pLimit(concurrency);
  const slots = new WeakMap<object, Slot>();

  const admit = (request: object): Slot => {
    const span =
      limit.activeCount + limit.pendingCount >= concurrency ? tracer.startSpan(PIPELINE_QUEUE_SPAN) : null;
    if (span?.isRecording() === true) span.setAttribute(ATTR_QUEUE_AHEAD, limit.pendingCount);
    let admitted!: () => void;
    let release!: () => void;
    const ready = new Promise<void>((resolve) => (admitted = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    void limit(() => {
      span?.end();
      admitted();
      return held;
    });
    const slot: Slot = { ready, release, runs: 0 };
    slots.set(request, slot);
    return slot;
  };

  return {
    async run(request, signal, work) {
      throwIfRequestAborted(signal);
      const slot = slots.get(request) ?? admit(request);
      slot.runs++;
      try {
        await slot.ready;
        throwIfRequestAborted(signal);
        return await work();
      } finally {
        if (--slot.runs === 0) {
          slots.delete(request);
          slot.release();
        }
      }
    },
    get active() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount;
    },
  };
}
