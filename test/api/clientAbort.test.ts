import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecommendationQuery } from '../../src/components/recommendationQuery.js';
import type { SourceHit } from '../../src/pipeline/candidate.js';
import type { CandidateSource } from '../../src/pipeline/candidateSource.js';
import type { SurfaceConfig } from '../../src/pipeline/surfaceConfig.js';
import { homeSurface } from '../../src/surfaces/homeSurface.js';
import { similarSurface } from '../../src/surfaces/similarSurface.js';
import type { Gateway } from '../../src/services/gateway.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { hasStackTrace, postGraphQL } from '../support/graphqlHttp.js';
import type { RealServer } from '../support/realServer.js';
import { startRealServer } from '../support/realServer.js';

/**
 * Regression (fault-injection report: 120 cut-off heavy queries kept
 * computing and were logged as served): over real HTTP against the real
 * engine, a request whose client disconnects stops at the next pipeline stage,
 * is not written to the served-list log, is counted in
 * `recgate_requests_aborted_total` and is logged as one info line, not an error.
 */

/** A source held open per HTTP request id and surface: the test decides when it answers. */
interface Gate {
  /** Resolves with the signal the first gated run's source got. */
  readonly entered: Promise<AbortSignal>;
  release(): void;
}
const gates = new Map<string, { enter: (signal: AbortSignal) => void; released: Promise<void> }>();

function gate(httpRequestId: string, surface = 'home'): Gate {
  let enter: (signal: AbortSignal) => void = () => undefined;
  let release: () => void = () => undefined;
  const entered = new Promise<AbortSignal>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  gates.set(`${surface} ${httpRequestId}`, { enter, released });
  return { entered, release };
}

/** Waits (ignoring the abort, as a slow backend would) while its request id is gated; proposes nothing. */
const gatedSource: CandidateSource<RecommendationQuery> = {
  name: 'gated',
  kind: 'POPULAR',
  param: 'popular',
  async fetch(q, _limit, signal): Promise<readonly SourceHit[]> {
    const g = gates.get(`${q.surface} ${q.httpRequestId ?? ''}`);
    if (g === undefined) return [];
    g.enter(signal);
    await g.released;
    return [];
  },
};

/** `<surface> <HTTP request id>` of the runs that reached the re-rankers and the side effects. */
const reranked: string[] = [];
const sideEffectsRan: string[] = [];

/** `base` with the gated source first, and recording components before its re-rankers and side effects. */
function observed(base: SurfaceConfig<RecommendationQuery>): SurfaceConfig<RecommendationQuery> {
  const key = (q: RecommendationQuery): string => `${q.surface} ${q.httpRequestId ?? ''}`;
  return {
    ...base,
    sources: [gatedSource, ...base.sources],
    rerankers: [{ name: 'recording', rerank: (q) => void reranked.push(key(q)) }, ...base.rerankers],
    sideEffects: [
      { name: 'recordingEffect', run: async (q) => void sideEffectsRan.push(key(q)) },
      ...base.sideEffects,
    ],
  };
}

let aborts = 0;
const telemetry: Telemetry = { ...noopTelemetry, recordRequestAborted: () => void aborts++ };
/** What `Gateway.recommendations` and `similarItems` returned, per HTTP request id (settled or not). */
const calls = new Map<string, Promise<unknown>>();
const similarCalls = new Map<string, Promise<unknown>[]>();

let real: RealServer;

beforeAll(async () => {
  real = await startRealServer({
    // No source budget to speak of: only the client's disconnect can end the gated source.
    gateway: {
      surfaces: { home: observed(homeSurface), similar: observed(similarSurface) },
      sourceBudgetMs: 600_000,
    },
    server: { telemetry },
    wrapGateway: (gateway): Gateway => ({
      ...gateway,
      recommendations(request, scope) {
        const p = gateway.recommendations(request, scope);
        calls.set(scope.requestId, p);
        return p;
      },
      similarItems(request, scope) {
        const p = gateway.similarItems(request, scope);
        similarCalls.set(scope.requestId, [...(similarCalls.get(scope.requestId) ?? []), p]);
        return p;
      },
    }),
  });
}, 180_000);
afterAll(() => real?.close());

const RECOMMEND =
  'query ($u: ID) { recommendations(userId: $u, first: 5) { requestId items { item { id } } } }';

/** Served-list records of the event log for one HTTP request id. */
function servedRecordsOf(httpRequestId: string): { surface: string }[] {
  return readFileSync(real.eventLogFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { kind: string; httpRequestId?: string; surface: string })
    .filter((r) => r.kind === 'served' && r.httpRequestId === httpRequestId);
}

/** Starts a POST of `body` to the server with raw `http.request`, so the test can cut it off. */
function startPost(body: string, requestId: string): { destroy(): void; closed: Promise<void> } {
  const url = new URL(real.server.url);
  const req = httpRequest({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
    },
  });
  const closed = new Promise<void>((resolve) => req.on('error', () => resolve()).on('close', resolve));
  req.end(body);
  return { destroy: () => void req.destroy(), closed };
}

/** Polls `condition` every 10 ms, for at most `ms`. */
async function waitUntil(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('A request whose client disconnects', () => {
  it('stops at the next stage, is not logged as served, counts one abort and logs one info line', async () => {
    const requestId = `abort-test-${Date.now()}`;
    const g = gate(requestId);
    const abortsBefore = aborts;
    const req = startPost(
      JSON.stringify({ query: RECOMMEND, variables: { u: real.exampleUserId } }),
      requestId,
    );

    const sourceSignal = await g.entered; // the run is inside its candidate stage
    expect(sourceSignal.aborted).toBe(false);
    req.destroy();
    await req.closed;
    try {
      // The source's signal (its budget combined with the request's) aborts: sources are told to stop.
      await waitUntil(() => sourceSignal.aborted);
    } finally {
      g.release();
    }

    const err = await calls.get(requestId)!.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CLIENT_CLOSED_REQUEST' });
    expect(reranked).not.toContain(`home ${requestId}`);
    expect(sideEffectsRan).not.toContain(`home ${requestId}`);
    await waitUntil(() => aborts === abortsBefore + 1);
    expect(aborts).toBe(abortsBefore + 1);
    const lines = real.logged.filter((l) => l.fields['requestId'] === requestId);
    expect(lines.map((l) => l.level)).toEqual(['info']);

    // A later, complete request is logged as served (side effects are awaited), so the log is
    // current: the aborted request has no record in it.
    const laterId = `after-abort-${Date.now()}`;
    const later = await postGraphQL(
      real.server.url,
      RECOMMEND,
      { u: real.exampleUserId },
      { 'x-request-id': laterId },
    );
    expect(later.body.errors).toBeUndefined();
    expect(servedRecordsOf(laterId)).toHaveLength(1);
    expect(reranked).toContain(`home ${laterId}`);
    expect(servedRecordsOf(requestId)).toEqual([]);
    expect(aborts).toBe(abortsBefore + 1);
  });

  it('stops the nested similar lists of a heavy query cut off while they run: none reaches re-ranking or the served log', async () => {
    const requestId = `abort-nested-${Date.now()}`;
    const g = gate(requestId, 'similar');
    const abortsBefore = aborts;
    const nested = `query ($u: ID) { recommendations(userId: $u, first: 5) {
      items { item { id similar(first: 3) { item { id similar(first: 3) { item { id } } } } } } } }`;
    const req = startPost(JSON.stringify({ query: nested, variables: { u: real.exampleUserId } }), requestId);
    const sourceSignal = await g.entered; // the home list is done; its items' similar lists are running
    req.destroy();
    await req.closed;
    try {
      await waitUntil(() => sourceSignal.aborted);
    } finally {
      g.release();
    }
    const outcomes = await Promise.allSettled(similarCalls.get(requestId) ?? []);
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'CLIENT_CLOSED_REQUEST' });
    }
    expect(reranked).not.toContain(`similar ${requestId}`);
    expect(sideEffectsRan).not.toContain(`similar ${requestId}`);
    await waitUntil(() => aborts === abortsBefore + 1);
    // The home list was complete and appended (side effects awaited in tests) before the client
    // left; none of the cut-off similar lists was.
    await postGraphQL(real.server.url, RECOMMEND, { u: real.exampleUserId });
    expect(servedRecordsOf(requestId).map((r) => r.surface)).toEqual(['home']);
    expect(real.logged.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('is answered in-process (executeOperation) with the stable code CLIENT_CLOSED_REQUEST, not a masked internal error', async () => {
    const controller = new AbortController();
    controller.abort();
    const requestId = `abort-inprocess-${Date.now()}`;
    const response = await real.server.apollo.executeOperation(
      { query: RECOMMEND, variables: { u: real.exampleUserId } },
      { contextValue: real.server.contextFor({ 'x-request-id': requestId }, { signal: controller.signal }) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const text = JSON.stringify(response.body.singleResult);
    const errors = response.body.singleResult.errors ?? [];
    expect(errors.map((e) => e.extensions?.['code'])).toEqual(['CLIENT_CLOSED_REQUEST']);
    expect(hasStackTrace(text)).toBe(false);
    expect(real.logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(reranked).not.toContain(`home ${requestId}`);
    expect(servedRecordsOf(requestId)).toEqual([]);
  });

  it('a request that is not aborted still runs every stage and is logged as served', async () => {
    const requestId = `complete-${Date.now()}`;
    const { body } = await postGraphQL(
      real.server.url,
      RECOMMEND,
      { u: real.exampleUserId },
      { 'x-request-id': requestId },
    );
    expect(body.errors).toBeUndefined();
    expect(reranked).toContain(`home ${requestId}`);
    expect(sideEffectsRan).toContain(`home ${requestId}`);
    expect(servedRecordsOf(requestId)).toHaveLength(1);
  });
});
