import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLoop, probeLatency } from '../../../src/bench/loadDrivers.js';

describe('Load drivers', () => {
  const bodies: string[] = [];
  let gets = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      gets++;
      res.end('ok');
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.statusCode = body === 'fail' ? 500 : 200;
      res.end('{}');
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('open loop: sends rate × seconds requests, cycling through the bodies, and counts non-2xx as failures', async () => {
    bodies.length = 0;
    const result = await openLoop({ url, bodies: ['a', 'b', 'fail'] }, { rate: 60, seconds: 0.25 });
    expect(bodies.length).toBe(15);
    const count = (b: string): number => bodies.filter((x) => x === b).length;
    expect([count('a'), count('b'), count('fail')]).toEqual([5, 5, 5]);
    expect(result.completed).toBe(10);
    expect(result.failures).toBe(5);
    expect(result.latency.count).toBe(10);
    // Every request's lateness against its due time is reported apart (none is negative).
    expect(result.schedulerLag?.count).toBe(15);
    expect(result.schedulerLag!.p50).toBeGreaterThanOrEqual(0);
  });

  it('open loop: latency counts the server time from each send, with requests outstanding at once', async () => {
    // One server that answers after 40 ms: every latency is at least that, whatever the timer did.
    const slow = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('{}'), 40));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql`;
      // 100 req/s: requests are due every 10 ms, so four are outstanding at once (open loop, not one at a time).
      const result = await openLoop({ url: slowUrl, bodies: ['x'] }, { rate: 100, seconds: 0.3 });
      expect(result.completed).toBe(30);
      expect(result.latency.p50).toBeGreaterThanOrEqual(39);
      expect(result.seconds).toBeLessThan(1);
    } finally {
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('open loop over replicas: request i goes to replica i mod n, and the result counts all of them', async () => {
    bodies.length = 0;
    const second: string[] = [];
    const other = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        second.push(body);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/graphql`;
      const result = await openLoop(
        { urls: [url, otherUrl], bodies: ['0', '1', '2', '3', '4', '5'] },
        { rate: 80, seconds: 0.2 },
      );
      // 16 requests: even positions to the first server, odd ones to the second.
      expect([...bodies].sort()).toEqual(['0', '0', '0', '2', '2', '2', '4', '4']);
      expect([...second].sort()).toEqual(['1', '1', '1', '3', '3', '3', '5', '5']);
      expect(result.completed).toBe(16);
      expect(result.latency.count).toBe(16);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('open loop: rejects a rate or duration that is not positive, and a replica target without URLs', async () => {
    await expect(openLoop({ url, bodies: ['a'] }, { rate: 0, seconds: 1 })).rejects.toThrow(/rate/);
    await expect(openLoop({ url, bodies: ['a'] }, { rate: 10, seconds: Number.NaN })).rejects.toThrow(
      /seconds/,
    );
    await expect(openLoop({ urls: [], bodies: ['a'] }, { rate: 10, seconds: 1 })).rejects.toThrow(/URL/);
  });

  it('probe: GETs until the given promise settles, one request at a time', async () => {
    gets = 0;
    const summary = await probeLatency(
      url.replace('/graphql', '/healthz'),
      5,
      new Promise((r) => setTimeout(r, 60)),
    );
    expect(summary.count).toBe(gets);
    expect(gets).toBeGreaterThan(0);
  });
});
