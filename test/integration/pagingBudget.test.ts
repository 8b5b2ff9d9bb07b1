import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicError } from '../../src/errors.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { RecommendationList, RecommendationsRequest } from '../../src/services/serviceTypes.js';
import type { PagingCacheUsage } from '../../src/stores/featureStore.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * RECGATE_PAGING_MAX_MB reaches the memory store the gateway makes: with a
 * 1 MiB budget, only the newest lists stay pageable (issue #6: the paging
 * cache bounded by bytes, not only by a list count).
 */
let gateway: Gateway;
let tmp: string;
let pagingUsage: (() => PagingCacheUsage | null) | null = null;
const telemetry: Telemetry = { ...noopTelemetry, observePagingCache: (read) => void (pagingUsage = read) };

beforeAll(async () => {
  const registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-paging-budget-'));
  gateway = await createGateway({
    registryDir: registry,
    eventLogFile: path.join(tmp, 'events.jsonl'),
    eventLogFsync: 'never',
    rankingRefreshMs: 1e12,
    awaitSideEffects: true,
    servedLogFlushMs: 0,
    pagingMaxMegabytes: 1,
    telemetry,
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const request = (
  after: string | null,
  filter: RecommendationsRequest['filter'] = null,
): RecommendationsRequest => ({
  userId: null,
  sessionItemIds: [],
  surface: 'home',
  first: 20,
  after,
  filter,
  context: null,
});

const recommend = (
  after: string | null = null,
  filter: RecommendationsRequest['filter'] = null,
): Promise<RecommendationList> =>
  gateway.recommendations(request(after, filter), gateway.createRequestScope());

describe('Gateway: the paging cache byte budget', () => {
  it('keeps only the newest lists within RECGATE_PAGING_MAX_MB; older cursors answer expired', async () => {
    const first = await recommend();
    expect(first.hasNextPage).toBe(true);
    // Lists until the cache holds fewer than were made: 1 MiB is full and the oldest went first.
    let last = first;
    let made = 1;
    while (made < 5_000 && pagingUsage!()!.lists === made) {
      last = await recommend();
      made++;
    }
    expect(made).toBeLessThan(5_000);
    const err = await recommend(first.endCursor).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublicError);
    expect((err as PublicError).code).toBe('BAD_USER_INPUT');
    expect((err as PublicError).message).toMatch(/expired or is no longer stored/);
    const page2 = await recommend(last.endCursor);
    expect(page2.requestId).toBe(last.requestId);
    expect(page2.items[0]!.rank).toBe(21);
    // What recgate_paging_cache_lists / _bytes report: fewer lists than were made, within 1 MiB.
    const usage = pagingUsage!()!;
    expect(usage.lists).toBeGreaterThan(1);
    expect(usage.lists).toBeLessThan(made);
    expect(usage.bytes).toBeGreaterThan(0.5 * 2 ** 20);
    expect(usage.bytes).toBeLessThanOrEqual(2 ** 20);
  }, 120_000);

  it('a long filter is kept as its digest: the same filter pages on, another is refused (attack report, session 22)', async () => {
    const exclude = (tag: string) => ({
      categoriesAny: null,
      categoriesNone: null,
      excludeItemIds: Array.from({ length: 500 }, (_, i) => `${tag}-${i}`.padEnd(200, 'x')),
    });
    const first = await recommend(null, exclude('a'));
    const page2 = await recommend(first.endCursor, exclude('a'));
    expect(page2.requestId).toBe(first.requestId);
    expect(page2.items[0]!.rank).toBe(21);
    const err = await recommend(first.endCursor, exclude('b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublicError);
    expect((err as PublicError).message).toMatch(/another filter/);
  }, 120_000);
});
