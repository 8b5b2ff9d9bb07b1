import { describe, expect, it } from 'vitest';
import { configFromEnv, resolveGatewayConfig } from '../../../src/config.js';

describe('RECGATE_PAGING_MAX_LISTS', () => {
  it('is read from the environment, defaults to 10,000 and must be an integer ≥ 1', () => {
    expect(configFromEnv({ RECGATE_PAGING_MAX_LISTS: '250' }).pagingMaxLists).toBe(250);
    expect(resolveGatewayConfig({}).pagingMaxLists).toBe(10_000);
    expect(resolveGatewayConfig({ pagingMaxLists: 250 }).pagingMaxLists).toBe(250);
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      expect(() => resolveGatewayConfig({ pagingMaxLists: bad })).toThrow(/pagingMaxLists/);
    }
  });
});

describe('RECGATE_PAGING_MAX_MB', () => {
  it('is read from the environment, defaults to 32 MiB and must be an integer in 1..1,048,576 (1 TiB)', () => {
    expect(configFromEnv({ RECGATE_PAGING_MAX_MB: '48' }).pagingMaxMegabytes).toBe(48);
    expect(resolveGatewayConfig({}).pagingMaxMegabytes).toBe(32);
    expect(resolveGatewayConfig({ pagingMaxMegabytes: 1_048_576 }).pagingMaxMegabytes).toBe(1_048_576);
    // Attack report (session 22): 1e303 passed the check and overflowed to Infinity bytes at start-up.
    expect(() => configFromEnv({ RECGATE_PAGING_MAX_MB: '1e303' })).toThrow(/RECGATE_PAGING_MAX_MB/);
    for (const bad of [0, -1, 2.5, Number.NaN, 1_048_577, 1e12, 1e303]) {
      expect(() => resolveGatewayConfig({ pagingMaxMegabytes: bad })).toThrow(/pagingMaxMegabytes/);
    }
  });
});

describe('RECGATE_PAGING_MAX_POSITIONS', () => {
  it('is read from the environment, defaults to 200 and must be an integer in 1..5000', () => {
    expect(configFromEnv({ RECGATE_PAGING_MAX_POSITIONS: '120' }).pagingMaxPositions).toBe(120);
    expect(resolveGatewayConfig({}).pagingMaxPositions).toBe(200);
    expect(resolveGatewayConfig({ pagingMaxPositions: 5000 }).pagingMaxPositions).toBe(5000);
    expect(() => configFromEnv({ RECGATE_PAGING_MAX_POSITIONS: 'deep' })).toThrow(
      /RECGATE_PAGING_MAX_POSITIONS/,
    );
    for (const bad of [0, -1, 2.5, Number.NaN, 5001]) {
      expect(() => resolveGatewayConfig({ pagingMaxPositions: bad })).toThrow(/pagingMaxPositions/);
    }
  });
});
