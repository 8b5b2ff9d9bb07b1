import { trace } from '@opentelemetry/api';
import PQueue from 'p-queue';
import { RequestAbortedError, throwIfRequestAborted } from '../pipeline/requestAbortedError.js';
import { ATTR_QUEUE_AHEAD, PIPELINE_QUEUE_SPAN, TELEMETRY_SCOPE } from '../telemetry/telemetryNames.js';

const tracer = trace.getTracer(TELEMETRY_SCOPE);

/**
 * Admission of requests to the ranking pipelines: at most `concurrency`
 * requests run pipelines at once (`recommendations` first pages,
 * `similarItems` and `Item.similar` lists); the others wait in arrival order
 * (FIFO) before their queries are built. All the runs of one request share
 * its slot, so the lists of one GraphQL request still start in the same
 * event-loop turn and batch their store reads (one `Item.similar` per item of
 * a 20-item page is one read per feature family, not two). A request that was
 * admitted before and asks again (its `Item.similar` lists, resolved after its
 * first page has answered) goes ahead of requests not yet admitted, so nested
 * lists do not wait behind the whole queue once per level.
 *
 * Why: each run holds its candidate set, feature matrix and scores until it
 * answers, and under overload Node would otherwise start every request it has
 * read, all of them holding that at once. At 1M items, 128 concurrent clients
 * took the server's peak RSS to 638–652 MB without a limit and 588–589 MB
 * with 16 slots (8 clients: 573 MB; BENCHMARKS.md, session of 12-05). A
 * waiting request holds only its parsed operation.
 *
 * A wait is visible in a trace as a `pipeline queue` span, with the number
 * of requests ahead of it. A request whose client goes away while it waits
 * leaves the queue at once (it no longer counts as waiting) and its runs
 * reject with RequestAbortedError.
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
   * the same request asks again, ahead of requests not admitted yet.
   * @param request an object per request (identity only; kept weakly).
   * @param signal the request's abort signal: aborted while waiting, the request leaves the queue.
   * @throws RequestAbortedError when `signal` aborted before `work` started; whatever `work` throws.
   */
  run<T>(request: object, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T>;
  /** Requests holding a slot (0 with no limit: no slots are counted). */
  readonly active: number;
  /** Requests waiting for a slot (0 with no limit). */
  readonly waiting: number;
}

/** One request's slot: admitted when `ready` resolves (rejects when it left the queue aborted); held until its `runs` are all settled. */
interface Slot {
  readonly ready: Promise<void>;
  readonly release: () => void;
  runs: number;
}

/**
 * A {@link PipelineQueue} of `concurrency` slots (p-queue underneath: its
 * priorities put re-admitted requests first, its abort signals take a
 * waiting request out); 0 = no limit (every run starts at once, no queue).
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
  const queue = new PQueue({ concurrency });
  const slots = new WeakMap<object, Slot>();
  const admittedBefore = new WeakSet<object>();

  const admit = (request: object, signal: AbortSignal | undefined): Slot => {
    const span = queue.pending + queue.size >= concurrency ? tracer.startSpan(PIPELINE_QUEUE_SPAN) : null;
    if (span?.isRecording() === true) span.setAttribute(ATTR_QUEUE_AHEAD, queue.size);
    let admitted!: () => void;
    let refused!: (err: Error) => void;
    let release!: () => void;
    const ready = new Promise<void>((resolve, reject) => {
      admitted = resolve;
      refused = reject;
    });
    const held = new Promise<void>((resolve) => (release = resolve));
    queue
      .add(
        () => {
          span?.end();
          admittedBefore.add(request);
          admitted();
          return held;
        },
        { priority: admittedBefore.has(request) ? 1 : 0, ...(signal === undefined ? {} : { signal }) },
      )
      // Aborted while waiting (p-queue removed it) or while holding the slot (p-queue gave the slot
      // back; the runs stop at their next checkpoint). After admission the rejection changes nothing.
      .catch(() => {
        span?.end();
        refused(new RequestAbortedError());
      });
    const slot: Slot = { ready, release, runs: 0 };
    slots.set(request, slot);
    return slot;
  };

  return {
    async run(request, signal, work) {
      throwIfRequestAborted(signal);
      const slot = slots.get(request) ?? admit(request, signal);
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
      return queue.pending;
    },
    get waiting() {
      return queue.size;
    },
  };
}
