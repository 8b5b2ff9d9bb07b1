import { randomUUID } from 'node:crypto';
import type { ServedListRecord } from '../../domain/events.js';
import type { SideEffect } from '../../pipeline/sideEffect.js';
import type { ExperimentAssignment } from '../../services/serviceTypes.js';
import { listEntries } from '../listEntries.js';
import type { ListEntry } from '../listEntries.js';
import type { RecommendationQuery } from '../recommendationQuery.js';

/**
 * Appends the served page to the EventLog (batched with other lists' records
 * by the env's `BufferedEventWriter`) as a {@link ServedListRecord}:
 * request id, user, surface, items (rank, score, sources, the ranker's
 * feature row), model version and experiment variants — the exposure log and
 * the next model's training data.
 *
 * Nothing is logged for a request whose client disconnected before the
 * response (`q.signal` aborted): checked before the record is built and again
 * when its batch is appended (see BufferedEventWriter); a record appended
 * before the disconnect stays in the log.
 *
 * `run` returns the buffered write's promise rather than awaiting it: a
 * suspended `run` would keep its context, the query included, and with it
 * the request's candidates, hydrated rows and loaders, reachable while the
 * record waits up to `RECGATE_SERVED_LOG_FLUSH_MS` for its batch; scavenges
 * then promoted that state to the old generation (issue #6, BENCHMARKS.md
 * "The 1M tail"). `runSideEffects` waits without holding the query either.
 */
export const servedListLog: SideEffect<RecommendationQuery> = {
  name: 'servedListLog',
  async run(q, result) {
    // A call, not a property test: TypeScript would keep the first test's narrowing across the await.
    const aborted = (): boolean => q.signal?.aborted === true;
    if (aborted()) return;
    const entries =
      (q.memo.get('pageEntries') as ListEntry[] | undefined) ??
      (await listEntries(q, result.list, result.page.positions));
    if (aborted()) return;
    return q.env.servedLog.write(
      servedListRecord({
        requestId: q.requestId,
        httpRequestId: q.httpRequestId,
        userId: q.userId,
        surface: q.surface,
        // The log is on the wall clock; q.now is the feature clock (model time for old data).
        timestamp: q.requestedAt,
        modelVersion: q.scoredWith,
        experiments: q.experiments,
        entries,
        offset: result.page.offset,
      }),
      { signal: q.signal },
    );
  },
};

/** Builds the record of one served page (`offset` = rank of the first entry − 1). */
export function servedListRecord(input: {
  readonly requestId: string;
  readonly httpRequestId?: string | undefined;
  readonly userId: string | null;
  readonly surface: string;
  readonly timestamp: number;
  readonly modelVersion: string;
  readonly experiments: readonly ExperimentAssignment[];
  readonly entries: readonly ListEntry[];
  readonly offset: number;
}): ServedListRecord {
  return {
    kind: 'served',
    eventId: randomUUID(),
    requestId: input.requestId,
    ...(input.httpRequestId === undefined ? {} : { httpRequestId: input.httpRequestId }),
    userId: input.userId,
    surface: input.surface,
    timestamp: input.timestamp,
    modelVersion: input.modelVersion,
    variants: Object.fromEntries(input.experiments.map((a) => [a.experiment, a.variant])),
    items: input.entries.map((e, k) => ({
      itemId: e.itemId,
      rank: input.offset + k + 1,
      score: e.score,
      sources: e.sources,
      features: e.features,
    })),
  };
}
