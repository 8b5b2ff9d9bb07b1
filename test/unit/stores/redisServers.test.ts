import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeRedisClient, createRedisClient } from '../../../src/stores/redis/redisConnection.js';
import { startRedis, startRedisCluster } from '../../support/redisServers.js';

/** The test helpers other suites rely on: private servers that start, stop, restart and never linger. */

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const quiet = { log: () => undefined };

describe('test support: startRedis', () => {
  it('starts an empty server, stops it (process gone), and starts it again empty on the same port', async () => {
    const server = await startRedis();
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      const client = await createRedisClient({ url: server.url }, quiet);
      await client.set('k', 'v');
      await closeRedisClient(client);
      const pid = server.pid;
      await server.stop();
      await server.stop(); // idempotent
      expect(() => process.kill(pid, 0)).toThrow();
      expect(await listening(server.port)).toBe(false);

      await server.start();
      expect(server.pid).not.toBe(pid);
      const again = await createRedisClient({ url: server.url }, quiet);
      expect(await again.get('k')).toBeNull();
      await closeRedisClient(again);
    } finally {
      await server.stop();
    }
  });

  it('keeps the data across stop and start with persist', async () => {
    const server = await startRedis({ persist: true });
    try {
      const client = await createRedisClient({ url: server.url }, quiet);
      await client.set('k', 'kept');
      await closeRedisClient(client);
      await server.stop();
      await server.start();
      const again = await createRedisClient({ url: server.url }, quiet);
      expect(await again.get('k')).toBe('kept');
      await closeRedisClient(again);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start a second server on a port in use, with its log', async () => {
    const server = await startRedis();
    try {
      await expect(startRedis({ port: server.port })).rejects.toThrow(/exited[\s\S]*in use/i);
    } finally {
      await server.stop();
    }
  });
});

describe('test support: startRedisCluster', () => {
  it('starts 3 masters covering every slot and stops them all', async () => {
    const cluster = await startRedisCluster();
    try {
      expect(cluster.nodes).toHaveLength(3);
      const client = await createRedisClient({ clusterNodes: cluster.nodes }, quiet);
      const info = (await client.cluster('INFO')) as string;
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_size:3');
      await closeRedisClient(client);
    } finally {
      await cluster.stop();
    }
    for (const node of cluster.nodes) expect(await listening(node.port)).toBe(false);
  });

  it('refuses fewer than 3 masters', async () => {
    await expect(startRedisCluster(2)).rejects.toThrow(RangeError);
  });

  it('is started through setpriv --pdeathsig, so servers die with the test process', () => {
    expect(existsSync('/usr/bin/setpriv')).toBe(true);
  });
});
