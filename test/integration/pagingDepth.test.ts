import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { RecommendationList } from '../../src/services/serviceTypes.js';
import type { PagingCacheUsage } from '../../src/stores/featureStore.js';
import { noopTelemetry } from '../../src/telemetry/telemetry.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * RECGATE_PAGING_MAX_POSITIONS: a ranked list is kept for `after` paging up
 * to that many positions, so paging ends there, and a stored list's bytes
 * (what the memory store's paging ring holds) scale with it (issue #6).
 */
interface Served {
  gateway: Gateway;
  usage: () => PagingCacheUsage | null;
}

let tmp: string;
const served: Served[] = [];

async function gatewayWith(pagingMaxPositions: number | undefined): Promise<Served> {
  const s: Served = { gateway: null as unknown as Gateway, usage: () => null };
  s.gateway = await createGateway({
    registryDir: await trainedRegistry(),
    eventLogFile: path.join(tmp, `events-${served.length}.jsonl`),
    eventLogFsync: 'never',
    rankingRefreshMs: 1e12,
    awaitSideEffects: true,
    servedLogFlushMs: 0,
    ...(pagingMaxPositions === undefined ? {} : { pagingMaxPositions }),
    telemetry: { ...noopTelemetry, observePagingCache: (read) => void (s.usage = read) },
  });
  served.push(s);
  return s;
}

/** Every page of one list for `userId`, `first` at a time, until hasNextPage is false (at most 50 pages). */
async function allPages(
  gateway: Gateway,
  first: number,
  userId: string | null = null,
): Promise<RecommendationList[]> {
  const pages: RecommendationList[] = [];
  let after: string | null = null;
  do {
    const page = await gateway.recommendations(
      { userId, sessionItemIds: [], surface: 'home', first, after, filter: null, context: null },
      gateway.createRequestScope(),
    );
    pages.push(page);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after !== null && pages.length < 50);
  return pages;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-paging-depth-'));
});

afterAll(async () => {
  for (const s of served) await s.gateway.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('Gateway: how deep `after` pages (RECGATE_PAGING_MAX_POSITIONS)', () => {
  it('by default a list pages through its first 200 positions, no item twice, ranks 1..200', async () => {
    const { gateway } = await gatewayWith(undefined);
    const pages = await allPages(gateway, 100, '2850');
    expect(pages.map((p) => p.items.length)).toEqual([100, 100]);
    expect(pages.map((p) => p.hasNextPage)).toEqual([true, false]);
    expect(pages[1]!.endCursor).toBeNull();
    const items = pages.flatMap((p) => p.items);
    expect(new Set(items.map((i) => i.itemId)).size).toBe(200);
    expect(items.map((i) => i.rank)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  }, 120_000);

  it('a setting of 50 ends paging at position 50 (pages of 20, 20 and 10), and a list of 20 or fewer has no cursor', async () => {
    const { gateway } = await gatewayWith(50);
    const pages = await allPages(gateway, 20, '2850');
    expect(pages.map((p) => p.items.length)).toEqual([20, 20, 10]);
    expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, false]);
    expect(new Set(pages.flatMap((p) => p.items.map((i) => i.itemId))).size).toBe(50);
    expect(pages.every((p) => p.requestId === pages[0]!.requestId)).toBe(true);
    // first ≥ the stored depth: one page, nothing stored to page on.
    const one = await allPages(gateway, 50, '2850');
    expect(one).toHaveLength(1);
    expect(one[0]!.items).toHaveLength(50);
    expect(one[0]!.hasNextPage).toBe(false);
    expect(one[0]!.endCursor).toBeNull();
  }, 120_000);

  it('a cursor forged past the stored positions is a BAD_USER_INPUT error, not an empty page (attack report, 12-04)', async () => {
    const { gateway } = await gatewayWith(21);
    const request = {
      userId: '2850',
      sessionItemIds: [],
      surface: 'home',
      first: 20,
      filter: null,
      context: null,
    };
    const page1 = await gateway.recommendations({ ...request, after: null }, gateway.createRequestScope());
    expect(page1.hasNextPage).toBe(true);
    const cursor = JSON.parse(Buffer.from(page1.endCursor!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const forged = (o: number): string =>
      Buffer.from(JSON.stringify({ ...cursor, o }), 'utf8').toString('base64url');
    for (const o of [22, 500]) {
      const err = await gateway
        .recommendations({ ...request, after: forged(o) }, gateway.createRequestScope())
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      expect((err as Error).message).toMatch(
        new RegExp(`position ${o} of a list kept for paging with 21 positions`),
      );
    }
    // The genuine cursor still serves the last position.
    const page2 = await gateway.recommendations(
      { ...request, after: page1.endCursor },
      gateway.createRequestScope(),
    );
    expect(page2.items.map((i) => i.rank)).toEqual([21]);
  }, 120_000);

  it('a stored list takes more bytes the more positions it keeps', async () => {
    const bytesPerList = async (positions: number): Promise<number> => {
      const s = await gatewayWith(positions);
      for (let i = 0; i < 5; i++) await allPages(s.gateway, 100, '2850').then((p) => p[0]);
      const usage = s.usage()!;
      expect(usage.lists).toBeGreaterThan(0);
      return usage.bytes / usage.lists;
    };
    const at100 = await bytesPerList(101);
    const at400 = await bytesPerList(401);
    // Four times the positions: over twice the bytes (the header, with the user's recent items, and the
    // dictionaries are fixed costs; 2.4× for the bundled model's user 2850).
    expect(at400 / at100).toBeGreaterThan(2);
    expect(at400 / at100).toBeLessThan(4.5);
  }, 120_000);
});
