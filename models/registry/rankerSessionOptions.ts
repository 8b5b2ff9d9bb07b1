import type { InferenceSession } from 'onnxruntime-node';

/**
 * onnxruntime session options for the ranker (a small MLP scoring a few
 * hundred rows per request): one intra-op and one inter-op thread, sequential
 * execution.
 *
 * onnxruntime's default intra-op pool has one thread per core, and its idle
 * threads spin-wait after each run. For a model this small the pool gains
 * nothing and its spinning burns a whole core next to the event loop: on the
 * 2-core bench machine the server spent 46 ms of CPU per `recommendations`
 * call with the default pool and 22 ms with these options, for the same
 * requests (`npm run bench`, BENCHMARKS.md). Scale out with replicas or
 * Node's `cluster` instead (docs/operations.md).
 * Source: onnxruntime's threading guide,
 * https://onnxruntime.ai/docs/performance/tune-performance/threading.html
 */
export const RANKER_SESSION_OPTIONS: InferenceSession.SessionOptions = Object.freeze({
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
});
