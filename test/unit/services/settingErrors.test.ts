import { describe, expect, it } from 'vitest';
import { configFromEnv, GATEWAY_ENV_VARS, resolveGatewayConfig } from '../../../src/config.js';

// Regression: errors for bad settings named internal config keys (`ivfProbes`)
// instead of the environment variable the user had set (`RECGATE_IVF_PROBES`).
describe('Settings errors name where the value came from', () => {
  it('names the RECGATE_* variable and the raw value for an out-of-range environment setting', () => {
    expect(() => configFromEnv({ RECGATE_IVF_PROBES: '0' })).toThrow(
      new RangeError('RECGATE_IVF_PROBES: expected an integer in 1..65536, received "0"'),
    );
    expect(() => configFromEnv({ RECGATE_CANDIDATES: '9000' })).toThrow(
      new RangeError('RECGATE_CANDIDATES: expected an integer in 1..5000, received "9000"'),
    );
    expect(() => configFromEnv({ RECGATE_MMR_LAMBDA: '1.5' })).toThrow(
      new RangeError('RECGATE_MMR_LAMBDA: expected a number in 0..1, received "1.5"'),
    );
    expect(() => configFromEnv({ RECGATE_VECTOR_INDEX: 'hnsw' })).toThrow(
      new RangeError(
        'RECGATE_VECTOR_INDEX: expected "embedded" or "exact" or "ann" or "ivf" or "qdrant", received "hnsw"',
      ),
    );
    expect(() => configFromEnv({ RECGATE_MODEL_POLL_MS: '-1' })).toThrow(
      new RangeError('RECGATE_MODEL_POLL_MS: expected a number of ms in 0..2147483647, received "-1"'),
    );
  });

  it('refuses an unknown RECGATE_LOG_LEVEL and accepts every pino level in any case', () => {
    expect(() => configFromEnv({ RECGATE_LOG_LEVEL: 'verbose' })).toThrow(
      new RangeError(
        'RECGATE_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, received "verbose"',
      ),
    );
    for (const level of ['fatal', 'ERROR', ' warn ', 'Info', 'debug', 'trace', 'silent', '']) {
      expect(() => configFromEnv({ RECGATE_LOG_LEVEL: level })).not.toThrow();
    }
  });

  it('refuses timer settings past the 2³¹ − 1 ms Node timers take (Node would run them after 1 ms)', () => {
    expect(() => configFromEnv({ RECGATE_BACKEND_BUDGET_MS: '3000000000' })).toThrow(
      new RangeError(
        'RECGATE_BACKEND_BUDGET_MS: expected a positive number of ms ≤ 2147483647, received "3000000000"',
      ),
    );
    expect(() => configFromEnv({ RECGATE_MODEL_POLL_MS: '1e12' })).toThrow(
      new RangeError('RECGATE_MODEL_POLL_MS: expected a number of ms in 0..2147483647, received "1e12"'),
    );
    expect(configFromEnv({ RECGATE_MODEL_POLL_MS: '2147483647' }).modelPollMs).toBe(2_147_483_647);
    expect(() => resolveGatewayConfig({ sourceBudgetMs: 2 ** 31 })).toThrow(
      /sourceBudgetMs: expected a positive number of ms/,
    );
  });

  it('refuses a paging TTL past a year (Redis refused the write and the store fell back, attack report)', () => {
    expect(() => configFromEnv({ RECGATE_PAGING_TTL_SECONDS: '1e17' })).toThrow(
      new RangeError(
        'RECGATE_PAGING_TTL_SECONDS: expected a positive number of seconds ≤ 31536000, received "1e17"',
      ),
    );
    expect(() => configFromEnv({ RECGATE_PAGING_TTL_SECONDS: '31536001' })).toThrow(
      /RECGATE_PAGING_TTL_SECONDS/,
    );
    expect(configFromEnv({ RECGATE_PAGING_TTL_SECONDS: '31536000' }).pagingTtlSeconds).toBe(31_536_000);
    expect(configFromEnv({ RECGATE_PAGING_TTL_SECONDS: '0.5' }).pagingTtlSeconds).toBe(0.5);
  });

  it('reads numbers in decimal notation only (no hexadecimal or binary)', () => {
    expect(() => configFromEnv({ RECGATE_CANDIDATES: '0x10' })).toThrow(
      new RangeError('RECGATE_CANDIDATES: expected an integer in 1..5000, received "0x10"'),
    );
    expect(() => configFromEnv({ RECGATE_MMR_LAMBDA: '0b1' })).toThrow(
      /RECGATE_MMR_LAMBDA: expected a number in 0\.\.1/,
    );
    expect(configFromEnv({ RECGATE_CANDIDATES: '1e3', RECGATE_MMR_LAMBDA: '.5' })).toMatchObject({
      candidates: 1000,
      mmrLambda: 0.5,
    });
  });

  it('says what the variable expects when its value is not a number', () => {
    expect(() => configFromEnv({ RECGATE_IVF_LISTS: 'many' })).toThrow(
      new RangeError('RECGATE_IVF_LISTS: expected an integer in 0..65536 (0 = automatic), received "many"'),
    );
    expect(() => configFromEnv({ RECGATE_BACKEND_BUDGET_MS: 'Infinity' })).toThrow(
      new RangeError(
        'RECGATE_BACKEND_BUDGET_MS: expected a positive number of ms ≤ 2147483647, received "Infinity"',
      ),
    );
  });

  it('keeps naming the config key when a programmatic caller passed the value', () => {
    expect(() => resolveGatewayConfig({ ivfProbes: 0 })).toThrow(
      new RangeError('ivfProbes: expected an integer in 1..65536, received 0'),
    );
    expect(() => resolveGatewayConfig({ featureStore: 'disk' as 'memory' })).toThrow(
      new RangeError('featureStore: expected "memory" or "redis", received disk'),
    );
  });

  it('reads every variable of the table, and accepts values in range', () => {
    expect(GATEWAY_ENV_VARS.ivfProbes).toBe('RECGATE_IVF_PROBES');
    const config = configFromEnv({
      RECGATE_IVF_PROBES: ' 32 ',
      RECGATE_FEATURE_STORE: 'redis',
      RECGATE_REGISTRY: 'models/x',
      QDRANT_API_KEY: 'k',
      RECGATE_ADMIN_TOKEN: '',
    });
    expect(config).toEqual({
      ivfProbes: 32,
      featureStore: 'redis',
      registryDir: 'models/x',
      qdrantApiKey: 'k',
    });
    expect(resolveGatewayConfig(config)).toMatchObject(config);
  });
});
