import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/services/createGateway.js';
import type { Gateway } from '../../src/services/gateway.js';
import { startRedisCluster } from '../support/redisServers.js';
import type { RedisClusterProcesses } from '../support/redisServers.js';
import { TEST_MODEL_NAME, trainedRegistry } from '../support/trainedRegistry.js';

/**
 * The gateway configured with REDIS_CLUSTER_NODES (issue #4 §1): feature
 * store and event log on a local 3-master Redis Cluster. A list, a paged
 * list, and feedback whose effect shows in the next list, all without
 * degradation (no cross-slot errors).
 */
let cluster: RedisClusterProcesses;
let gateway: Gateway;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  gateway = await createGateway({
    registryDir: await trainedRegistry(),
    modelName: TEST_MODEL_NAME,
    featureStore: 'redis',
    eventLog: 'redis',
    redisClusterNodes: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
    modelPollMs: 0,
    // Correctness on Cluster, not latency: a first call may wait for the slot map on a loaded machine.
    backendBudgetMs: 5000,
    sourceBudgetMs: 5000,
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await cluster?.stop();
});

const request = (after: string | null = null) => ({
  userId: 'cluster-user',
  sessionItemIds: [],
  surface: 'home',
  first: 10,
  after,
  filter: null,
  context: null,
});

describe('gateway on Redis Cluster', () => {
  it('serves, pages and applies feedback with no degraded part', async () => {
    const page1 = await gateway.recommendations(request(), gateway.createRequestScope());
    expect(page1.degraded).toEqual([]);
    expect(page1.items).toHaveLength(10);
    const page2 = await gateway.recommendations(request(page1.endCursor), gateway.createRequestScope());
    expect(page2.items.filter((x) => page1.items.some((y) => y.itemId === x.itemId))).toEqual([]);
    const dismissed = page1.items[0]!.itemId;
    const [result] = await gateway.recordFeedback(
      [
        {
          userId: 'cluster-user',
          itemId: dismissed,
          type: 'DISMISS',
          value: null,
          requestId: page1.requestId,
          timestamp: null,
          context: null,
        },
      ],
      gateway.createRequestScope(),
    );
    expect(result!.accepted).toBe(true);
    const again = await gateway.recommendations(request(), gateway.createRequestScope());
    expect(again.degraded).toEqual([]);
    expect(again.items.map((x) => x.itemId)).not.toContain(dismissed);
    expect((await gateway.readiness()).ready).toBe(true);
  });
});
