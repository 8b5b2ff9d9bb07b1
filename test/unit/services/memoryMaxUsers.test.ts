import { describe, expect, it } from 'vitest';
import { configFromEnv, resolveGatewayConfig } from '../../../src/config.js';

describe('RECGATE_MEMORY_MAX_USERS', () => {
  it('is read from the environment, defaults to 1,000,000 and accepts 0 (no limit) up to 1,000,000,000', () => {
    expect(configFromEnv({ RECGATE_MEMORY_MAX_USERS: '250000' }).memoryMaxUsers).toBe(250_000);
    expect(configFromEnv({ RECGATE_MEMORY_MAX_USERS: '0' }).memoryMaxUsers).toBe(0);
    expect(configFromEnv({ RECGATE_MEMORY_MAX_USERS: '1e9' }).memoryMaxUsers).toBe(1_000_000_000);
    expect(configFromEnv({ RECGATE_MEMORY_MAX_USERS: ' ' }).memoryMaxUsers).toBeUndefined();
    expect(resolveGatewayConfig({}).memoryMaxUsers).toBe(1_000_000);
    expect(resolveGatewayConfig({ memoryMaxUsers: 1 }).memoryMaxUsers).toBe(1);
  });

  it('refuses negatives, fractions, words, hex and values past 1,000,000,000 in one line naming the variable', () => {
    for (const bad of ['-1', '1.5', 'lots', '0x10', '1e10', '1000000001']) {
      expect(() => configFromEnv({ RECGATE_MEMORY_MAX_USERS: bad })).toThrow(
        new RangeError(
          `RECGATE_MEMORY_MAX_USERS: expected an integer in 0..1000000000 (0 = no limit), received ${JSON.stringify(bad)}`,
        ),
      );
    }
    for (const bad of [-1, 1.5, Number.NaN, 2e9]) {
      expect(() => resolveGatewayConfig({ memoryMaxUsers: bad })).toThrow(
        new RangeError(
          `memoryMaxUsers: expected an integer in 0..1000000000 (0 = no limit), received ${bad}`,
        ),
      );
    }
  });
});
