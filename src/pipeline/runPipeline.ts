import type { ItemIdList } from '../domain/itemIdList.js';
import { performance } from 'node:perf_hooks';
import type { Span } from '@opentelemetry/api';
import {
  ATTR_CANDIDATES_OUT,
  ATTR_DEGRADED_PARTS,
  ATTR_LIST_ID,
  ATTR_PAGE_SIZE,
  ATTR_REQUEST_ID,
  ATTR_SURFACE,
  MERGE_STAGE,
  pipelineSpanName,
  stageName,
} from '../telemetry/telemetryNames.js';
import { addSourceHit, checkedRow, rowHintsUsable } from './candidate.js';
import type { Candidate, CandidateRowIndex, SourceHit } from './candidate.js';
import type { CandidateSource } from './candidateSource.js';
import { createFeatureMatrix } from './featureMatrix.js';
import type { PipelineQuery } from './pipelineQuery.js';
import type { PipelineResult, StageTiming } from './pipelineResult.js';
import type { SideEffect } from './sideEffect.js';
import { PipelineStageError, StageTimeoutError } from './pipelineStageError.js';
import { RequestAbortedError, throwIfRequestAborted } from './requestAbortedError.js';
import { orderByScore } from './rankedList.js';
import type { RankedList } from './rankedList.js';
import { markStageFailed, setStageCounts, withStageSpan } from './stageSpan.js';
import type { SurfaceConfig } from './surfaceConfig.js';
import { withBudget } from './withBudget.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';
import { logger } from '../telemetry/logger.js';

/** Logs a component failure that was absorbed (fail-open) or a side-effect failure. */
/** Reports a failed component; `query` is the run's query (side effects: only its `requestId`). */
export type FailureLogger = (
  component: string,
  error: unknown,
  query: Pick<PipelineQuery, 'requestId'>,
) => void;

const defaultLogger: FailureLogger = (component, error, query) =>
  logger.warn(`${component} failed`, {
    listId: query.requestId,
    component,
    // A time-out is expected degradation (named in `degraded`): its message says it all, and under
    // overload a stack per skipped source would flood the log.
    error: error instanceof StageTimeoutError ? error.message : error,
  });

/**
 * The one orchestrator: runs a surface for a query.
 *
 * 1. sources, concurrently, each within `query.sourceBudgetMs` and only if
 *    `params.sources[source.param]` is on, asking for
 *    `params.candidatesPerSource[source.param]` hits;
 * 2. merge: round-robin by rank across sources (so every source keeps its
 *    best hits), de-duplicated, up to `params.totalCandidates`; each candidate
 *    records every source that proposed it;
 * 3. filters in order; 4. hydrators into one n×featureWidth Float32Array;
 * 5. the scorer, one batch; 6. re-rankers in order; 7. the selector.
 *
 * A failing component is skipped and named in `degraded` when the surface's
 * policy says fail-open (defaults: sources and re-rankers open, the rest
 * closed); otherwise the run rejects with {@link PipelineStageError}. Side
 * effects are not run here: call {@link runSideEffects} after the response is built.
 *
 * Cancellation: when `query.signal` (the HTTP request's) is aborted, the run
 * rejects with {@link RequestAbortedError} at its next checkpoint: at its
 * start, before the merge, and before every filter, hydrator, the scorer,
 * every re-ranker and the selector; sources get the signal combined with
 * their budget's and are not waited for. A component that throws a
 * RequestAbortedError itself stops the run too (never absorbed as degraded).
 *
 * Tracing (OpenTelemetry API only; free when no SDK is registered): the run
 * is a span `pipeline <surface>` and every stage a child span named like its
 * `StageTiming.stage` (`source embedding`, `merge`, `filter seenItems`,
 * `hydrator itemFeatures`, `scorer onnxRanker`, `reranker mmrDiversity`, `selector
 * cursorPaging`) with `recgate.candidates.in` / `.out` equal to the timing's
 * `in` / `out`. Names and attributes: src/telemetry/telemetryNames.ts.
 */
export async function runPipeline<Q extends PipelineQuery>(
  surface: SurfaceConfig<Q>,
  query: Q,
  options: { readonly logger?: FailureLogger } = {},
): Promise<PipelineResult> {
  throwIfRequestAborted(query.signal);
  return withStageSpan(pipelineSpanName(surface.name), async (span) => {
    if (span.isRecording()) {
      span.setAttribute(ATTR_SURFACE, surface.name);
      span.setAttribute(ATTR_LIST_ID, query.requestId);
      if (query.httpRequestId !== undefined) span.setAttribute(ATTR_REQUEST_ID, query.httpRequestId);
    }
    const result = await runStages(surface, query, options.logger ?? defaultLogger);
    if (span.isRecording()) {
      span.setAttribute(ATTR_CANDIDATES_OUT, result.merged);
      span.setAttribute(ATTR_PAGE_SIZE, result.page.positions.length);
      if (result.degraded.length > 0) span.setAttribute(ATTR_DEGRADED_PARTS, [...result.degraded]);
    }
    return result;
  });
}

async function runStages<Q extends PipelineQuery>(
  surface: SurfaceConfig<Q>,
  query: Q,
  log: FailureLogger,
): Promise<PipelineResult> {
  const started = performance.now();
  const timings: StageTiming[] = [];
  const degraded = query.run.degraded;
  const params = query.params;
  /** The checkpoint before every stage: stops the run once the request was aborted. */
  const checkpoint = (): void => throwIfRequestAborted(query.signal);

  const isOpen = (component: string, openByDefault: boolean): boolean =>
    surface.failOpen[component] ?? openByDefault;
  /** Applies the fail-open policy to a failed component (marking its span): skip and report it, or throw. */
  const fail = (component: string, err: unknown, openByDefault: boolean, span?: Span): void => {
    if (err instanceof RequestAbortedError) throw err;
    const open = isOpen(component, openByDefault);
    if (span !== undefined) markStageFailed(span, err, open);
    if (!open) {
      if (err instanceof PipelineStageError) throw err;
      throw new PipelineStageError(component, 'unavailable', `${component} failed`, { cause: err });
    }
    log(component, err, query);
    degraded.push(component);
  };
  /** Ends a stage: its timing, and its span's candidate counts. */
  const record = (
    span: Span,
    stage: string,
    t0: number,
    candidatesIn: number,
    candidatesOut: number,
  ): void => {
    timings.push({ stage, ms: performance.now() - t0, in: candidatesIn, out: candidatesOut });
    setStageCounts(span, candidatesIn, candidatesOut);
  };

  // 1. Sources, concurrently.
  checkpoint();
  const active = surface.sources.filter((s) => params.sources[s.param] !== false);
  const settled = await Promise.all(
    active.map((source) => {
      const stage = stageName('source', source.name);
      return withStageSpan(stage, async (span) => {
        const t0 = performance.now();
        const limit = params.candidatesPerSource[source.param] ?? 0;
        try {
          const hits =
            limit > 0
              ? await withBudget(
                  source.name,
                  query.sourceBudgetMs,
                  // A source that never reads its signal (usesSignal: false) gets a shared one that never aborts.
                  source.usesSignal === false
                    ? () => source.fetch(query, limit, NEVER_ABORTED)
                    : (signal: AbortSignal) => source.fetch(query, limit, signal),
                  query.signal,
                )
              : [];
          record(span, stage, t0, 0, hits.length);
          return hits;
        } catch (err) {
          record(span, stage, t0, 0, 0);
          if (!(err instanceof RequestAbortedError)) markStageFailed(span, err, isOpen(source.name, true));
          return { source, err };
        }
      });
    }),
  );
  // Before the fail-open policy: a source stopped by the abort is not a degraded source.
  checkpoint();
  const lists: { source: CandidateSource<Q>; hits: readonly SourceHit[] }[] = [];
  settled.forEach((r, k) => {
    if ('err' in r) fail(r.source.name, r.err, true);
    else lists.push({ source: active[k]!, hits: r });
  });

  // 2. Merge round-robin by rank.
  const candidates = await withStageSpan(MERGE_STAGE, async (span) => {
    const t0 = performance.now();
    const merged = mergeSources(lists, params.totalCandidates, query.rowIndex);
    record(span, MERGE_STAGE, t0, 0, merged.length);
    return merged;
  });
  const merged = candidates.length;

  // Between phases the run yields to the event loop (see yieldToEventLoop).
  await yieldToEventLoop();

  // 3. Filters, in order.
  let kept: readonly Candidate[] = candidates;
  for (const filter of surface.filters) {
    checkpoint();
    const stage = stageName('filter', filter.name);
    await withStageSpan(stage, async (span) => {
      const t0 = performance.now();
      const before = kept.length;
      try {
        kept = await filter.filter(query, kept);
      } catch (err) {
        fail(filter.name, err, false, span);
      }
      record(span, stage, t0, before, kept.length);
    });
  }

  await yieldToEventLoop();

  // 4. Hydrators into one matrix.
  const features = createFeatureMatrix(kept.length, surface.featureWidth);
  for (const hydrator of surface.hydrators) {
    checkpoint();
    const stage = stageName('hydrator', hydrator.name);
    await withStageSpan(stage, async (span) => {
      const t0 = performance.now();
      try {
        await hydrator.hydrate(query, kept, features);
      } catch (err) {
        fail(hydrator.name, err, false, span);
      }
      record(span, stage, t0, kept.length, kept.length);
    });
  }

  // 5. Scorer: one batch.
  const scores = new Float64Array(kept.length);
  const scorerStage = stageName('scorer', surface.scorer.name);
  checkpoint();
  await withStageSpan(scorerStage, async (span) => {
    const t0 = performance.now();
    try {
      const raw = kept.length === 0 ? new Float32Array(0) : await surface.scorer.score(query, kept, features);
      if (raw.length !== kept.length) {
        throw new PipelineStageError(
          surface.scorer.name,
          'misconfigured',
          `${surface.scorer.name} returned ${raw.length} scores for ${kept.length} candidates`,
        );
      }
      for (let i = 0; i < kept.length; i++) scores[i] = Number.isFinite(raw[i]!) ? raw[i]! : 0;
    } catch (err) {
      fail(surface.scorer.name, err, false, span);
      for (let i = 0; i < kept.length; i++) scores[i] = kept[i]!.fusion;
    }
    record(span, scorerStage, t0, kept.length, kept.length);
  });

  await yieldToEventLoop();

  // 6. Re-rankers, in order.
  const list: RankedList = { candidates: kept, features, order: orderByScore(scores), scores };
  for (const reranker of surface.rerankers) {
    checkpoint();
    const stage = stageName('reranker', reranker.name);
    await withStageSpan(stage, async (span) => {
      const t0 = performance.now();
      const before = list.order;
      try {
        await reranker.rerank(query, list);
        if (list.order.length !== kept.length) {
          throw new PipelineStageError(
            reranker.name,
            'misconfigured',
            `${reranker.name} returned ${list.order.length} positions for ${kept.length} candidates`,
          );
        }
      } catch (err) {
        list.order = before;
        fail(reranker.name, err, true, span);
      }
      record(span, stage, t0, kept.length, kept.length);
    });
  }
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i]!)) scores[i] = 0;

  await yieldToEventLoop();

  // 7. Selector.
  const selectorStage = stageName('selector', surface.selector.name);
  checkpoint();
  const page = await withStageSpan(selectorStage, async (span) => {
    const t0 = performance.now();
    const selected = await surface.selector.select(query, list);
    record(span, selectorStage, t0, kept.length, selected.positions.length);
    return selected;
  });

  return { list, page, degraded: degraded.slice(), timings, merged, ms: performance.now() - started };
}

/**
 * Merges source lists round-robin by rank (rank 0 of every source, then rank
 * 1…), so that a cut at `total` trims every source's tail rather than whole
 * late sources. A hit for an item already merged adds its source to that candidate.
 *
 * With `rowIndex` (the served model's ids) a hit's item is keyed by its row
 * there ({@link checkedRow}: the hit's `row` hint when it checks out, else one
 * lookup), in a per-model scratch Int32Array instead of a string-keyed Map
 * (issue #6: ~500 Map reads and writes per request); only items the model
 * does not know are keyed by id. Every candidate keeps that row as its `row`
 * (−1: not in the model). The candidates are the same as without `rowIndex`.
 */
export function mergeSources(
  lists: readonly { readonly source: { readonly kind: string }; readonly hits: readonly SourceHit[] }[],
  total: number,
  rowIndex?: CandidateRowIndex,
): Candidate[] {
  if (rowIndex !== undefined) return mergeByRow(lists, total, rowIndex);
  const byId = new Map<string, Candidate>();
  const out: Candidate[] = [];
  let longest = 0;
  for (const l of lists) longest = Math.max(longest, l.hits.length);
  for (let rank = 0; rank < longest; rank++) {
    for (const { source, hits } of lists) {
      const hit = hits[rank];
      if (hit === undefined) continue;
      const existing = byId.get(hit.itemId);
      if (existing === undefined && out.length >= total) continue;
      const c = addSourceHit(existing, source.kind, hit, rank);
      if (existing === undefined) {
        byId.set(hit.itemId, c);
        out.push(c);
      }
    }
  }
  return out;
}

/** The signal of a source that never reads it (`CandidateSource.usesSignal: false`): never aborted. */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** Per `itemIds` array: candidate index + 1 per row during one merge, all 0 between merges. */
const mergeSlots = new WeakMap<ItemIdList, Int32Array>();

/** {@link mergeSources} keyed by model row (see there). */
function mergeByRow(
  lists: readonly { readonly source: { readonly kind: string }; readonly hits: readonly SourceHit[] }[],
  total: number,
  rowIndex: CandidateRowIndex,
): Candidate[] {
  const ids = rowIndex.itemIds;
  let slots = mergeSlots.get(ids);
  if (slots === undefined || slots.length !== ids.length) {
    slots = new Int32Array(ids.length);
    mergeSlots.set(ids, slots);
  }
  const usable = rowHintsUsable(rowIndex);
  let unknown: Map<string, Candidate> | null = null;
  const out: Candidate[] = [];
  /** Rows written into `slots`, to clear them after (a candidate's `row` may change later). */
  const written: number[] = [];
  let longest = 0;
  for (const l of lists) longest = Math.max(longest, l.hits.length);
  try {
    for (let rank = 0; rank < longest; rank++) {
      for (const { source, hits } of lists) {
        const hit = hits[rank];
        if (hit === undefined) continue;
        const row = checkedRow(rowIndex, hit.itemId, hit.row, usable);
        let existing: Candidate | undefined;
        if (row >= 0) {
          const slot = slots[row]!;
          existing = slot === 0 ? undefined : out[slot - 1];
        } else {
          existing = unknown?.get(hit.itemId);
        }
        if (existing === undefined && out.length >= total) continue;
        const c = addSourceHit(existing, source.kind, hit, rank);
        if (existing === undefined) {
          c.row = row;
          out.push(c);
          if (row >= 0) {
            slots[row] = out.length;
            written.push(row);
          } else {
            (unknown ??= new Map()).set(hit.itemId, c);
          }
        }
      }
    }
  } finally {
    for (const row of written) slots[row] = 0;
  }
  // A later hit's unchecked hint may have been copied onto an unknown item (addSourceHit).
  if (unknown !== null) for (const c of unknown.values()) c.row = -1;
  return out;
}

/**
 * Runs a surface's side effects after the response is built. Never rejects:
 * a failure is logged with the request id and the component name. When
 * `query.signal` is aborted (the client is gone, so the list was not served)
 * no side effect runs: neither when this is called nor, checked again, when
 * each effect starts. Effects that write later (the served-list log's buffer)
 * check the signal themselves.
 */
export function runSideEffects<Q extends PipelineQuery>(
  surface: SurfaceConfig<Q>,
  query: Q,
  result: PipelineResult,
  options: { readonly logger?: FailureLogger } = {},
): Promise<void> {
  const log = options.logger ?? defaultLogger;
  if (query.signal?.aborted === true) return Promise.resolve();
  // No closure here (a closure would keep this call's context, query and result included, alive
  // until every effect settles), and each effect started by startSideEffect: nothing that waits
  // for an effect holds the query or the result.
  const runs: Promise<void>[] = [];
  for (const effect of surface.sideEffects) runs.push(startSideEffect(effect, query, result, log));
  return Promise.all(runs).then(toVoid);
}

/** `undefined`, for `then` without a closure. */
function toVoid(): void {}

/**
 * Starts one side effect; the promise resolves when it is done, a failure
 * logged. What waits on it holds only the effect, the logger and the list id,
 * not `query` or `result`: an effect that returns a pending promise (the
 * served-list log's record waiting for its batch) lets the request's state go
 * before it settles (issue #6: that state was promoted by scavenges and drove
 * the major GCs behind the 1M tail).
 */
function startSideEffect<Q extends PipelineQuery>(
  effect: SideEffect<Q>,
  query: Q,
  result: PipelineResult,
  log: FailureLogger,
): Promise<void> {
  if (query.signal?.aborted === true) return Promise.resolve();
  const failedFor = { requestId: query.requestId };
  let running: Promise<void>;
  try {
    running = effect.run(query, result);
  } catch (err) {
    running = Promise.reject(err);
  }
  return running.then(undefined, (err: unknown) => log(effect.name, err, failedFor));
}
