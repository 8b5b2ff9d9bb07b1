import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../../src/config.js';
import { checkServeSettings } from '../../../src/server/checkServeSettings.js';

/**
 * Regression: `recgate serve` checked REDIS_CLUSTER_NODES and
 * RECGATE_EXPERIMENTS only after training a first model, and reported them
 * in another form than the other settings errors. `checkServeSettings` runs
 * before training and names the variable and its raw value.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'recgate-serve-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const check = (env: Record<string, string>): void => checkServeSettings(configFromEnv(env));

describe('Serve settings checked before training', () => {
  it('refuses REDIS_CLUSTER_NODES that do not parse when Redis is used, naming the raw value', () => {
    for (const store of [{ RECGATE_FEATURE_STORE: 'redis' }, { RECGATE_EVENT_LOG: 'redis' }] as Record<
      string,
      string
    >[]) {
      expect(() => check({ ...store, REDIS_CLUSTER_NODES: 'redis-a:7000,redis-b' })).toThrow(
        new RangeError(
          'REDIS_CLUSTER_NODES: expected host:port[,host:port…] with ports in 1..65535, received "redis-a:7000,redis-b"',
        ),
      );
    }
    expect(() => check({ RECGATE_FEATURE_STORE: 'redis', REDIS_CLUSTER_NODES: 'h:70000' })).toThrow(
      /^REDIS_CLUSTER_NODES: expected host:port\[,host:port…\] with ports in 1\.\.65535, received "h:70000"$/,
    );
  });

  it('accepts well-formed REDIS_CLUSTER_NODES, and ignores them when no Redis adapter is selected', () => {
    expect(() =>
      check({ RECGATE_FEATURE_STORE: 'redis', REDIS_CLUSTER_NODES: '10.0.0.1:7000, [::1]:7001' }),
    ).not.toThrow();
    expect(() => check({ REDIS_CLUSTER_NODES: 'not a node list' })).not.toThrow();
  });

  it('refuses a RECGATE_EXPERIMENTS file that is missing or invalid, naming the reason and the path', () => {
    const missing = path.join(tmp, 'missing.yaml');
    expect(() => check({ RECGATE_EXPERIMENTS: missing })).toThrow(
      new RangeError(`RECGATE_EXPERIMENTS=${JSON.stringify(missing)}: no such file`),
    );
    const invalid = path.join(tmp, 'invalid.json');
    writeFileSync(
      invalid,
      JSON.stringify({
        experiments: [
          {
            id: 'x',
            trafficPercent: 150,
            variants: [
              { id: 'a', weight: 1, params: {} },
              { id: 'b', weight: 1, params: {} },
            ],
          },
        ],
      }),
    );
    expect(() => check({ RECGATE_EXPERIMENTS: invalid })).toThrow(
      new RangeError(
        `RECGATE_EXPERIMENTS=${JSON.stringify(invalid)}: experiments[0].trafficPercent: expected a number ≤ 100, received 150`,
      ),
    );
    expect(() => check({ RECGATE_EXPERIMENTS: path.join(tmp, 'x.txt') })).toThrow(
      /^RECGATE_EXPERIMENTS=".*x\.txt": expected a \.json, \.yaml or \.yml file, not "\.txt"$/,
    );
  });

  it('accepts the example experiment configs and an unset RECGATE_EXPERIMENTS', () => {
    expect(() => check({ RECGATE_EXPERIMENTS: 'config/experiments.example.yaml' })).not.toThrow();
    expect(() => check({ RECGATE_EXPERIMENTS: 'config/experiments.example.json' })).not.toThrow();
    expect(() => check({})).not.toThrow();
  });
});
