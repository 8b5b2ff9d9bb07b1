import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackedIdList } from '../../src/domain/itemIdList.js';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { RecommendationList } from '../../src/services/serviceTypes.js';
import { FileModelRegistry } from '../../src/stores/file/fileModelRegistry.js';
import { MemoryFeatureStore } from '../../src/stores/memory/memoryFeatureStore.js';
import { homeRequest } from '../support/homeRequest.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Packed item ids (issue #6, memory at 1M items) change how a model keeps
 * its ids, not what the gateway serves: the same registry version served
 * with its ids as an array (the default below 200,000 items) and packed
 * (`packIdsFrom: 0`) gives the same lists, page by page, score by score,
 * before and after feedback, for known and unknown users and similar items.
 */

const T0 = Date.parse('2026-12-01T00:00:00Z');
let registry: string;
let tmp: string;
let plain: Gateway;
let packed: Gateway;
let packedRegistry: FileModelRegistry;
let userIds: string[];

async function open(registryAdapter: FileModelRegistry, name: string): Promise<Gateway> {
  return createGateway({
    registryDir: registry,
    eventLogFile: path.join(tmp, `${name}.jsonl`),
    eventLogFsync: 'never',
    adapters: { registry: registryAdapter, featureStore: new MemoryFeatureStore({ now: () => T0 }) },
    now: () => T0,
    awaitSideEffects: true,
    servedLogFlushMs: 0,
  });
}

beforeAll(async () => {
  registry = await trainedRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-packed-'));
  packedRegistry = new FileModelRegistry({ dir: registry, packIdsFrom: 0 });
  plain = await open(new FileModelRegistry({ dir: registry }), 'plain');
  packed = await open(packedRegistry, 'packed');
  const version = readFileSync(path.join(registry, 'default', 'CURRENT'), 'utf8').trim();
  userIds = readFileSync(path.join(registry, 'default', version, 'user-state.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { userId: string }).userId);
}, 120_000);

afterAll(async () => {
  await plain?.close();
  await packed?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** What a client sees of a page, without the request-specific cursor and id. */
function served(list: RecommendationList): unknown {
  return {
    items: list.items.map((i) => [i.itemId, i.rank, i.score, i.sources, i.reasons]),
    hasNextPage: list.hasNextPage,
    degraded: list.degraded,
  };
}

/** The first two pages for `userId` from `gateway`, with a fixed request id (exploration is seeded by it). */
async function twoPages(gateway: Gateway, userId: string | null, requestId: string): Promise<unknown[]> {
  const request = homeRequest(userId, { first: 20 });
  const first = await gateway.recommendations(request, gateway.createRequestScope({ requestId }));
  const second = await gateway.recommendations(
    { ...request, after: first.endCursor },
    gateway.createRequestScope({ requestId: `${requestId}-2` }),
  );
  return [served(first), served(second)];
}

describe('packed item ids', () => {
  it('the packed registry really packs: the loaded ids are a PackedIdList that reads back the published ids', async () => {
    const version = (await packedRegistry.currentVersion())!;
    const ids = (await packedRegistry.load(version)).bundle.itemIds;
    expect(ids).toBeInstanceOf(PackedIdList);
    const published = JSON.parse(
      readFileSync(path.join(registry, 'default', version, 'items.json'), 'utf8'),
    ) as string[];
    expect([...ids]).toEqual(published);
  });

  it('serves the same two pages as the array ids to known users, a new user and an anonymous one', async () => {
    const picks = [...userIds.filter((_, k) => k % 97 === 0).slice(0, 12), 'never-seen-user', null];
    for (const [k, userId] of picks.entries()) {
      const a = await twoPages(plain, userId, `r-${k}`);
      const b = await twoPages(packed, userId, `r-${k}`);
      expect(b, String(userId)).toEqual(a);
      expect((a[0] as { items: unknown[] }).items.length, String(userId)).toBeGreaterThan(0);
    }
  });

  it('serves the same similar items', async () => {
    const version = (await packedRegistry.currentVersion())!;
    const ids = [...(await packedRegistry.load(version)).bundle.itemIds];
    for (const itemId of ids.filter((_, k) => k % 211 === 0).slice(0, 10)) {
      const request = { itemId, userId: userIds[3]!, first: 10, filter: null };
      const a = await plain.similarItems(request, plain.createRequestScope({ requestId: `s-${itemId}` }));
      const b = await packed.similarItems(request, packed.createRequestScope({ requestId: `s-${itemId}` }));
      expect(served(b), itemId).toEqual(served(a));
    }
  });

  it('applies feedback the same way: a seeded user (item rows) after DISMISS and LIKE gets the same list', async () => {
    const userId = userIds[5]!;
    const before = (await twoPages(plain, userId, 'f-0'))[0] as { items: [string][] };
    const [dismissed, liked] = [before.items[0]![0], before.items[1]![0]];
    for (const gateway of [plain, packed]) {
      const results = await gateway.recordFeedback(
        [
          {
            userId,
            itemId: dismissed,
            type: 'DISMISS',
            value: null,
            requestId: null,
            timestamp: T0,
            context: null,
          },
          { userId, itemId: liked, type: 'LIKE', value: null, requestId: null, timestamp: T0, context: null },
        ],
        gateway.createRequestScope(),
      );
      expect(results.map((r) => r.accepted)).toEqual([true, true]);
    }
    const a = await twoPages(plain, userId, 'f-1');
    const b = await twoPages(packed, userId, 'f-1');
    expect(b).toEqual(a);
    const ids = (a[0] as { items: [string][] }).items.map((i) => i[0]);
    expect(ids).not.toContain(dismissed);
    expect(ids).not.toContain(liked);
  });
});
