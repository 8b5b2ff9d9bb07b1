import type { ShadowComparison, ShadowRanker } from '../components/scorers/shadowRanker.js';
import { loadServedModel } from '../inference/loadServedModel.js';
import type { ServedModel } from '../inference/servedModel.js';
import type { EventLog } from '../stores/eventLog.js';
import type { FeatureStore } from '../stores/featureStore.js';
import type { ModelRegistry } from '../stores/modelRegistry.js';
import type { VectorIndex } from '../stores/vectorIndex.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { logger } from '../telemetry/logger.js';
import { collectGarbageNow } from './collectStartupGarbage.js';
import { isDependencyOutage } from './dependencyOutage.js';
import { FeedbackService } from './feedbackService.js';
import type { Backends, ModelBackends } from './openBackends.js';
import { replayCutoff, replayFeedback } from './replayFeedback.js';

/**
 * A stand-in object that forwards every property read to the current
 * target, so a store or index can be replaced while services keep their
 * reference. `swap` is atomic: requests that already read a method keep the
 * old target for that call.
 */
export function swappable<T extends object>(initial: T): { readonly proxy: T; swap(next: T): void } {
  let target = initial;
  const proxy = new Proxy({} as T, {
    get(_, property) {
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    has: (_, property) => Reflect.has(target, property),
  });
  return { proxy, swap: (next) => void (target = next) };
}

/** One event of the rollout, for logs. */
export type RolloutEvent =
  | { readonly kind: 'loaded'; readonly version: string; readonly ms: number }
  | { readonly kind: 'rejected'; readonly version: string; readonly reason: string }
  | {
      readonly kind: 'retrying';
      readonly version: string;
      readonly reason: string;
      /** Consecutive failed attempts so far (1 after the first). */
      readonly attempts: number;
      /** Polls skipped before the next attempt (0: the next poll tries again). */
      readonly skipPolls: number;
    }
  | { readonly kind: 'shadow'; readonly version: string | null; readonly sampleRate: number }
  | { readonly kind: 'shadowRejected'; readonly version: string; readonly reason: string }
  | { readonly kind: 'shadowComparison'; readonly comparison: ShadowComparison }
  | { readonly kind: 'shadowFailed'; readonly version: string; readonly reason: string };

/** Options of {@link ModelRollout}. */
export interface ModelRolloutOptions {
  readonly registry: ModelRegistry;
  readonly backends: Backends;
  /** The model served at start and its adapters (already activated). */
  readonly initial: { readonly model: ServedModel; readonly parts: ModelBackends };
  readonly telemetry: Telemetry;
  readonly now: () => number;
  /** Random number in [0, 1) for shadow sampling. @default Math.random */
  readonly random?: () => number;
  /** Receives every rollout event. @default one JSON log line per event (warn for rejections and failures) */
  readonly log?: (event: RolloutEvent) => void;
  /**
   * Runs one full garbage collection and returns its pause, ms; called once
   * a replaced (or dropped shadow) model is closed, so an idle gateway gives
   * its memory back (no major GC runs on its own without allocation), and
   * logged as `model <version> retired: garbage collected in N ms`. null: none.
   * @default collectGarbageNow
   */
  readonly collectGarbage?: (() => number) | null;
}

/**
 * After the n-th consecutive failed attempt to load a version while a backend
 * was unreachable, the next `min(2^(n-1) - 1, MAX_SKIPPED_POLLS)` polls skip
 * it: tried again at the next poll, then after 1, 3, 7 skipped polls, then
 * every 8th poll (40 s at the default RECGATE_MODEL_POLL_MS of 5 s).
 */
export const MAX_SKIPPED_POLLS = 7;

/**
 * Safe model rollout in a running gateway (issue #5 §3):
 * - **hot reload**: {@link check} reads the registry's `CURRENT`; a new
 *   version is loaded in the background (`loadServedModel` validates the
 *   manifest against the ONNX session and runs a probe row), warmed up with
 *   a full batch, its adapters are built (`Backends.forModel`: a fresh
 *   in-process store with the event log replayed, or the shared Redis store
 *   with the new vector namespace, and the new index), then everything is
 *   swapped at once. A version that fails is logged with its reason,
 *   counted (`recgate_model_reloads_total{outcome="rejected"}`) and not tried
 *   again until `CURRENT` names another version; the old one keeps serving.
 *   Except a version whose adapters could not be built because a backend was
 *   unreachable (Redis down, a timeout, a breaker open: {@link isDependencyOutage}
 *   on a failure of `Backends.forModel` or the replay): it is logged as
 *   `retrying`, counted (`outcome="retrying"`) and tried again at a later poll
 *   with a doubling back-off ({@link MAX_SKIPPED_POLLS}).
 * - **shadow**: `SHADOW` (`recgate models shadow`) names a version scored on
 *   a sample of requests next to the live ranker; see `ShadowRanker`.
 * While an in-process store is rebuilt, feature updates of new feedback are
 * held and applied to the new store after the swap (`FeedbackService.holdUpdates`).
 */
export class ModelRollout {
  private current: { model: ServedModel; parts: ModelBackends; loadedAt: number };
  private readonly storeSlot: ReturnType<typeof swappable<FeatureStore>>;
  private readonly indexSlot: ReturnType<typeof swappable<VectorIndex>>;
  private busy: Promise<void> | null = null;
  private rejected: string | null = null;
  /** A version that failed only because a backend was unreachable: when it is tried again. */
  private retry: { version: string; attempts: number; skipPolls: number } | null = null;
  private shadowState: { model: ServedModel; sampleRate: number } | null = null;
  private shadowRejected: string | null = null;
  private feedback: FeedbackService | null = null;
  private readonly retired = new Set<Promise<void>>();
  private readonly log: (event: RolloutEvent) => void;
  /** Called after each swap (e.g. to refresh rankings that depend on the model). */
  onSwap: (model: ServedModel) => void = () => undefined;

  /** The options without `initial`: kept, it would hold the first model and its backends for the gateway's life. */
  private readonly options: Omit<ModelRolloutOptions, 'initial'>;

  constructor(options: ModelRolloutOptions) {
    const { initial: _initial, ...kept } = options;
    this.options = kept;
    this.current = { ...options.initial, loadedAt: options.now() };
    this.storeSlot = swappable(options.initial.parts.store);
    this.indexSlot = swappable(options.initial.parts.index);
    this.log = options.log ?? defaultLog;
    options.telemetry.setModelVersion(options.initial.model.version);
  }

  /** The feature store of the served model (a stable reference across swaps). */
  get store(): FeatureStore {
    return this.storeSlot.proxy;
  }
  /** The vector index of the served model (a stable reference across swaps). */
  get index(): VectorIndex {
    return this.indexSlot.proxy;
  }
  /** The model served now. */
  model(): ServedModel {
    return this.current.model;
  }
  /** Unix ms the served model was loaded. */
  loadedAt(): number {
    return this.current.loadedAt;
  }
  /** The feedback service whose updates are held during a reload (set once by the gateway). */
  attachFeedback(feedback: FeedbackService): void {
    this.feedback = feedback;
  }

  /** The shadow hook of the scorer: samples requests when a shadow version is loaded. */
  readonly shadow: ShadowRanker = {
    sample: () => {
      const s = this.shadowState;
      return s !== null && (this.options.random ?? Math.random)() < s.sampleRate ? s.model : null;
    },
    report: (comparison) => {
      this.options.telemetry.recordShadowComparison(
        comparison.shadowVersion,
        comparison.spearman,
        comparison.top10Overlap,
      );
      this.log({ kind: 'shadowComparison', comparison });
    },
    fail: (version, error) => this.log({ kind: 'shadowFailed', version, reason: messageOf(error) }),
  };

  /**
   * Reads `CURRENT` and `SHADOW` once and starts whatever change they ask for;
   * resolves when it is done (a check while one runs waits for it).
   * Never rejects: failures are logged and counted.
   */
  check(): Promise<void> {
    if (this.busy !== null) return this.busy;
    const run = this.runCheck().finally(() => {
      this.busy = null;
    });
    this.busy = run;
    return run;
  }

  private async runCheck(): Promise<void> {
    let version: string | null;
    try {
      version = await this.options.registry.currentVersion();
    } catch (err) {
      this.log({ kind: 'rejected', version: '?', reason: `cannot read CURRENT: ${messageOf(err)}` });
      return;
    }
    if (version !== null && version !== this.current.model.version && version !== this.rejected) {
      const r = this.retry;
      if (r !== null && r.version === version && r.skipPolls > 0) r.skipPolls--;
      else await this.reload(version);
    }
    await this.checkShadow();
  }

  private async reload(version: string): Promise<void> {
    const t0 = performance.now();
    let next: ServedModel | null = null;
    let parts: ModelBackends | null = null;
    let hold: { resume(applied: ReadonlySet<string>): void } | null = null;
    /** True once the model is loaded and validated: what fails after depends on the backends. */
    let modelValid = false;
    try {
      next = await loadServedModel(this.options.registry, version);
      await warmUp(next);
      modelValid = true;
      hold = this.options.backends.storeIsLocal ? (this.feedback?.holdUpdates() ?? null) : null;
      parts = await this.options.backends.forModel(next, this.current.parts);
      const applied = this.options.backends.storeIsLocal
        ? await replayInto(this.options.backends.eventLog, parts.store, next, this.options.now)
        : new Set<string>();
      parts.activate();
      const old = this.current;
      this.current = { model: next, parts, loadedAt: this.options.now() };
      this.storeSlot.swap(parts.store);
      this.indexSlot.swap(parts.index);
      hold?.resume(applied);
      hold = null;
      this.rejected = null;
      this.retry = null;
      this.onSwap(next);
      this.options.telemetry.setModelVersion(next.version);
      this.options.telemetry.recordModelReload('loaded');
      this.log({ kind: 'loaded', version, ms: performance.now() - t0 });
      this.retire(old);
    } catch (err) {
      hold?.resume(new Set());
      await parts?.close();
      await next?.close();
      if (modelValid && isDependencyOutage(err)) {
        const attempts = this.retry?.version === version ? this.retry.attempts + 1 : 1;
        const skipPolls = Math.min(2 ** (attempts - 1) - 1, MAX_SKIPPED_POLLS);
        this.retry = { version, attempts, skipPolls };
        this.options.telemetry.recordModelReload('retrying');
        this.log({ kind: 'retrying', version, reason: messageOf(err), attempts, skipPolls });
        return;
      }
      this.retry = null;
      this.rejected = version;
      this.options.telemetry.recordModelReload('rejected');
      this.log({ kind: 'rejected', version, reason: messageOf(err) });
    }
  }

  private async checkShadow(): Promise<void> {
    const read = this.options.registry.shadow;
    if (read === undefined) return;
    let setting;
    try {
      setting = await read.call(this.options.registry);
    } catch (err) {
      this.log({ kind: 'shadowRejected', version: '?', reason: messageOf(err) });
      return;
    }
    const s = this.shadowState;
    if (setting === null) {
      if (s !== null) {
        this.shadowState = null;
        this.log({ kind: 'shadow', version: null, sampleRate: 0 });
        this.retireModel(s.model);
      }
      this.shadowRejected = null;
      return;
    }
    if (s !== null && s.model.version === setting.version) {
      if (s.sampleRate !== setting.sampleRate) {
        this.shadowState = { model: s.model, sampleRate: setting.sampleRate };
        this.log({ kind: 'shadow', version: setting.version, sampleRate: setting.sampleRate });
      }
      return;
    }
    if (setting.version === this.shadowRejected) return;
    try {
      const model = await loadServedModel(this.options.registry, setting.version);
      await warmUp(model);
      this.shadowState = { model, sampleRate: setting.sampleRate };
      this.shadowRejected = null;
      this.options.telemetry.recordModelReload('loaded');
      this.log({ kind: 'shadow', version: setting.version, sampleRate: setting.sampleRate });
      if (s !== null) this.retireModel(s.model);
    } catch (err) {
      this.shadowRejected = setting.version;
      this.options.telemetry.recordModelReload('rejected');
      this.log({ kind: 'shadowRejected', version: setting.version, reason: messageOf(err) });
    }
  }

  /** Closes a replaced model and its adapters once requests that started with it are done (30 s). */
  private retire(old: { model: ServedModel; parts: ModelBackends }): void {
    this.retireModel(old.model, () => old.parts.close());
  }

  private retireModel(model: ServedModel, also: () => Promise<void> = async () => undefined): void {
    const version = model.version;
    const collect =
      this.options.collectGarbage === undefined ? collectGarbageNow : this.options.collectGarbage;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        void Promise.allSettled([model.close(), also()]).then(() => resolve());
      }, RETIRE_AFTER_MS);
      timer.unref();
    });
    this.retired.add(done);
    void done.then(() => {
      this.retired.delete(done);
      // In a task of its own: a closure made here holds this call's scope, `model` included, while it
      // runs, so a collection run from one could not free the model.
      if (collect !== null) setImmediate(collectRetired, version, collect).unref();
    });
  }

  /** Closes the served and shadow models and their adapters (not the shared backends). */
  async close(): Promise<void> {
    await this.busy;
    await Promise.allSettled([
      this.current.model.close(),
      this.current.parts.close(),
      this.shadowState?.model.close(),
    ]);
  }
}

/** How long a replaced model stays open for requests that started before the swap, ms. */
const RETIRE_AFTER_MS = 30_000;

/**
 * One full collection after `version` was closed, logged with the heap and
 * RSS before and after. The RSS after is read a moment later: V8 frees the
 * memory of dead ArrayBuffers and WebAssembly memories (most of a model) on a
 * background thread after the collection. A collection that throws is
 * logged as a warning (the model is closed already; only its memory waits for
 * V8's next major GC).
 */
function collectRetired(version: string, collect: () => number): void {
  const before = process.memoryUsage();
  let ms: number;
  try {
    ms = collect();
  } catch (err) {
    // Runs from a task of its own: a throw here would be an uncaught exception, which ends the process.
    logger.warn(`model ${version} retired: garbage collection failed: ${messageOf(err)}`, { version });
    return;
  }
  const heapAfter = process.memoryUsage();
  const mb = (b: number): number => Math.round(b / 2 ** 20);
  setTimeout(() => {
    logger.info(`model ${version} retired: garbage collected in ${Math.round(ms)} ms`, {
      version,
      heapUsedMb: [mb(before.heapUsed), mb(heapAfter.heapUsed)],
      rssMb: [mb(before.rss), mb(process.memoryUsage.rss())],
    });
  }, RETIRED_RSS_DELAY_MS).unref();
}

/** How long after the collection of a retired model its RSS is read for the log, ms. */
const RETIRED_RSS_DELAY_MS = 200;

/** Scores one full batch of default feature rows, so the first request does not pay ONNX's warm-up. */
async function warmUp(model: ServedModel): Promise<void> {
  const features = model.manifest.ranker.features;
  const n = 500;
  const rows = new Float32Array(n * features.length);
  for (let i = 0; i < n; i++) features.forEach((f, j) => (rows[i * features.length + j] = f.default));
  const scores = await model.scoreRows(rows, n);
  if (scores.length !== n) throw new Error(`warm-up: ${n} rows gave ${scores.length} scores`);
}

/**
 * Replays the feedback the event log received since `model` was published into
 * `store` (as the gateway does at start-up).
 * @returns the event ids applied.
 */
async function replayInto(
  eventLog: EventLog,
  store: FeatureStore,
  model: ServedModel,
  now: () => number,
): Promise<Set<string>> {
  const feedback = new FeedbackService({ store, eventLog, model: () => model, now });
  return replayFeedback(eventLog, feedback, replayCutoff(model.manifest));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function defaultLog(event: RolloutEvent): void {
  const line = (() => {
    switch (event.kind) {
      case 'loaded':
        return `model ${event.version} loaded and serving (${(event.ms / 1000).toFixed(1)} s)`;
      case 'rejected':
        return `model ${event.version} rejected, the previous version keeps serving: ${event.reason}`;
      case 'retrying':
        return `model ${event.version} could not be loaded while a backend (Redis) is unavailable; will retry ${event.skipPolls === 0 ? 'at the next poll' : `after skipping ${event.skipPolls} poll${event.skipPolls === 1 ? '' : 's'}`} (attempt ${event.attempts}), the previous version keeps serving: ${event.reason}`;
      case 'shadow':
        return event.version === null
          ? 'shadow scoring off'
          : `shadow scoring with ${event.version} on ${(event.sampleRate * 100).toFixed(1)}% of requests`;
      case 'shadowRejected':
        return `shadow version ${event.version} rejected: ${event.reason}`;
      case 'shadowFailed':
        return `shadow scoring with ${event.version} failed: ${event.reason}`;
      case 'shadowComparison': {
        const c = event.comparison;
        return `shadow ${c.shadowVersion} vs ${c.liveVersion}: spearman ${c.spearman.toFixed(3)}, top-10 overlap ${c.top10Overlap.toFixed(2)} over ${c.candidates} candidates`;
      }
    }
  })();
  const warn =
    event.kind === 'rejected' ||
    event.kind === 'retrying' ||
    event.kind === 'shadowRejected' ||
    event.kind === 'shadowFailed';
  (warn ? logger.warn : logger.info)(line, { rollout: event.kind });
}
