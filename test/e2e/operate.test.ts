import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlHttp.js';
import { startRedis } from '../support/redisServers.js';
import { startServeProcess } from '../support/serveProcess.js';
import { trainedRegistry } from '../support/trainedRegistry.js';

/**
 * Issue #5 acceptance 2 and §2 on `recgate serve` as users run it (with the
 * OpenTelemetry entry imported first): `/metrics` shows recgate's metrics
 * after a few queries, and `/readyz` follows the backends.
 */
const varDir = mkdtempSync(path.join(os.tmpdir(), 'recgate-operate-'));
afterAll(() => rmSync(varDir, { recursive: true, force: true }));

const base = (url: string) => url.replace(/\/graphql$/, '');

describe('operating a running gateway', () => {
  it('GET /metrics shows the operation, stage, source, feedback, served, model and paging metrics', async () => {
    const registry = await trainedRegistry();
    const server = await startServeProcess(registry, {
      RECGATE_EVENT_LOG_FILE: path.join(varDir, 'events.jsonl'),
      RECGATE_EVENT_LOG_FSYNC: 'never',
      RECGATE_ADMIN_TOKEN: '',
    });
    try {
      const page1 = await postGraphQL(
        server.url,
        'query Home { recommendations(userId: "metrics-user", first: 5) { pageInfo { endCursor } items { item { id } } } }',
      );
      const data = page1.body.data as {
        recommendations: { pageInfo: { endCursor: string }; items: { item: { id: string } }[] };
      };
      await postGraphQL(
        server.url,
        'query Next($a: String) { recommendations(userId: "metrics-user", first: 5, after: $a) { items { item { id } } } }',
        { a: data.recommendations.pageInfo.endCursor },
      );
      await postGraphQL(
        server.url,
        'mutation Click($i: ID!) { recordFeedback(input: { userId: "metrics-user", itemId: $i, type: CLICK }) { accepted } }',
        { i: data.recommendations.items[0]!.item.id },
      );
      const metrics = await (await fetch(`${base(server.url)}/metrics`)).text();
      for (const expected of [
        /recgate_operation_duration_seconds_bucket\{[^}]*graphql_operation_name="Home"/,
        /recgate_pipeline_stage_duration_seconds_bucket\{[^}]*stage="source embedding"/,
        /recgate_pipeline_stage_duration_seconds_bucket\{[^}]*stage="scorer onnxRanker"/,
        /recgate_source_candidates_bucket\{[^}]*source="popular"/,
        /recgate_feedback_events_total\{[^}]*type="CLICK"[^}]*\} 1/,
        /recgate_served_items_total\{[^}]*source="/,
        /recgate_model_info\{[^}]*version="[^"]+"[^}]*\} 1/,
        /recgate_paging_cache_requests_total\{[^}]*result="hit"[^}]*\} 1/,
      ]) {
        expect(metrics).toMatch(expected);
      }
      const ready = await fetch(`${base(server.url)}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: [{ name: 'model', ok: true }] });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);

  it('GET /readyz answers 503 naming Redis while it is down, and 200 again when it is back', async () => {
    const registry = await trainedRegistry();
    const redis = await startRedis();
    const prefix = `recgate-readyz:${randomBytes(4).toString('hex')}:`;
    const server = await startServeProcess(registry, {
      RECGATE_FEATURE_STORE: 'redis',
      RECGATE_EVENT_LOG: 'redis',
      REDIS_URL: redis.url,
      RECGATE_REDIS_PREFIX: prefix,
      RECGATE_ADMIN_TOKEN: '',
    });
    try {
      const readyz = async () => {
        const r = await fetch(`${base(server.url)}/readyz`);
        return { status: r.status, body: (await r.json()) as { checks: { name: string; ok: boolean }[] } };
      };
      expect((await readyz()).status).toBe(200);
      await redis.stop();
      const down = await readyz();
      expect(down.status).toBe(503);
      expect(down.body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
        'featureStore (redis)',
        'eventLog (redis)',
      ]);
      await redis.start();
      let status = 0;
      for (let k = 0; k < 50 && status !== 200; k++) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await readyz()).status;
      }
      expect(status).toBe(200);
    } finally {
      await server.stop();
      await redis.stop();
    }
  }, 180_000);
});
