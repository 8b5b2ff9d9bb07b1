import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import type { RecommendationsRequest } from '../../src/services/serviceTypes.js';
import { repoRoot, trainedRegistry } from '../support/trainedRegistry.js';
import { itemViews } from '../support/itemViews.js';

/**
 * Issue #3 acceptance 5 and 6 on MovieLens ml-latest-small (the data of the
 * previous issue, not bundled: `../shared/data/movielens/ml-latest-small`).
 * The registry is trained once (default settings, no split) and cached under
 * the OS temp folder. Prints the p50 latency of 200 sequential calls with 500 candidates.
 */
const data = path.resolve(repoRoot, '../shared/data/movielens/ml-latest-small');
const available = existsSync(path.join(data, 'ratings.csv'));

describe.skipIf(!available)(
  `Gateway on ml-latest-small${available ? '' : ` (skipped: no dataset at ${data})`}`,
  () => {
    let gateway: Gateway;
    let tmp: string;
    let userId: string;
    let rated: Set<string>;

    beforeAll(async () => {
      const registry = await trainedRegistry(['--data', data, '--format', 'movielens', '--split', 'none']);
      tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-ml-'));
      gateway = await createGateway({
        registryDir: registry,
        eventLogFile: path.join(tmp, 'events.jsonl'),
        candidates: 500,
      });
      // A known user: the first user id of the ratings file, and every movie they rated.
      const lines = readFileSync(path.join(data, 'ratings.csv'), 'utf8').split('\n').slice(1);
      userId = lines[0]!.split(',')[0]!;
      rated = new Set(lines.filter((l) => l.startsWith(`${userId},`)).map((l) => l.split(',')[1]!));
    }, 600_000);

    afterAll(async () => {
      await gateway?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    const request = (after: string | null = null): RecommendationsRequest => ({
      userId,
      sessionItemIds: [],
      surface: 'home',
      first: 20,
      after,
      filter: null,
      context: null,
    });

    it("a known user's 20 recommendations are distinct, available, unrated items with finite scores, ranks 1..20", async () => {
      const scope = gateway.createRequestScope();
      const page1 = await gateway.recommendations(request(), scope);
      expect(page1.items).toHaveLength(20);
      const ids = page1.items.map((i) => i.itemId);
      expect(new Set(ids).size).toBe(20);
      expect(page1.items.map((i) => i.rank)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
      for (const item of page1.items) {
        expect(Number.isFinite(item.score)).toBe(true);
        expect(rated.has(item.itemId)).toBe(false);
        expect(item.reasons.length).toBeGreaterThan(0);
      }
      const views = await itemViews(gateway, ids, scope);
      expect(views.every((v) => v !== null && v.available)).toBe(true);

      const page2 = await gateway.recommendations(request(page1.endCursor), gateway.createRequestScope());
      expect(page2.items).toHaveLength(20);
      expect(page2.items.map((i) => i.rank)).toEqual(Array.from({ length: 20 }, (_, k) => k + 21));
      for (const item of page2.items) expect(ids).not.toContain(item.itemId);
    });

    it('measures the p50 latency of one recommendations call (200 sequential calls, 500 candidates)', async () => {
      for (let i = 0; i < 20; i++) await gateway.recommendations(request(), gateway.createRequestScope());
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const scope = gateway.createRequestScope();
        const t0 = performance.now();
        await gateway.recommendations(request(), scope);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p50 = times[100]!;
      const p90 = times[180]!;
      console.log(
        `ml-latest-small recommendations latency over 200 sequential calls: p50 ${p50.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms`,
      );
      expect(Number.isFinite(p50)).toBe(true);
    });
  },
);
