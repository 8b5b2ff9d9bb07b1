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
