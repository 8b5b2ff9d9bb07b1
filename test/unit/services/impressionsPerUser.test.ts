import { describe, expect, it } from 'vitest';
import { configFromEnv, resolveGatewayConfig } from '../../../src/config.js';

describe('RECGATE_IMPRESSIONS_PER_USER', () => {
  it('is read from the environment, defaults to 500 and accepts any integer in 1..1,000,000', () => {
    expect(configFromEnv({ RECGATE_IMPRESSIONS_PER_USER: '50' }).impressionsPerUser).toBe(50);
    expect(configFromEnv({ RECGATE_IMPRESSIONS_PER_USER: '1e6' }).impressionsPerUser).toBe(1_000_000);
    expect(resolveGatewayConfig({}).impressionsPerUser).toBe(500);
    expect(resolveGatewayConfig({ impressionsPerUser: 1 }).impressionsPerUser).toBe(1);
  });

  it('refuses 0, negatives, fractions, words and values past 1,000,000, naming the variable', () => {
    for (const bad of ['0', '-1', 'abc', '1.5', '1e7', '1000001']) {
      expect(() => configFromEnv({ RECGATE_IMPRESSIONS_PER_USER: bad })).toThrow(
        new RangeError(
          `RECGATE_IMPRESSIONS_PER_USER: expected an integer in 1..1000000, received ${JSON.stringify(bad)}`,
        ),
      );
    }
    for (const bad of [0, -1, 1.5, Number.NaN, 1e7]) {
      expect(() => resolveGatewayConfig({ impressionsPerUser: bad })).toThrow(
        new RangeError(`impressionsPerUser: expected an integer in 1..1000000, received ${bad}`),
      );
    }
  });
});
