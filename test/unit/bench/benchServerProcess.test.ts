import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BENCH_SERVER_SCRIPT,
  REPO_ROOT,
  SERVER_NODE_FLAGS,
  SERVER_V8_FLAGS,
  startBenchServer,
} from '../../../src/bench/benchServerProcess.js';
import { ensureSyntheticVersion } from '../../../src/bench/publishSyntheticVersion.js';
import { PACKAGE_ROOT } from '../../../src/paths/packageRoot.js';

/**
 * The bench measures what production runs: `startBenchServer` builds dist/
 * and starts the compiled bench server with plain node and the start
 * commands' Node and V8 flags, never the TypeScript through tsx.
 */
describe('Bench: startBenchServer', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recgate-bench-server-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs dist/src/bench/benchServer.js with plain node and the serve Node and V8 flags, and serves', async () => {
    expect(REPO_ROOT).toBe(PACKAGE_ROOT + path.sep);
    const { version } = ensureSyntheticVersion(dir, 'syn', { items: 300, dimension: 8, users: 40 });
    expect(version).toMatch(/^v/);
    const server = await startBenchServer({
      registry: dir,
      modelName: 'syn',
      index: 'exact',
      eventLog: path.join(dir, 'events.jsonl'),
      timeoutMs: 120_000,
    });
    try {
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8')
        .split('\0')
        .filter((a) => a !== '');
      expect(cmdline.slice(1)).toEqual([
        ...SERVER_NODE_FLAGS,
        ...SERVER_V8_FLAGS,
        BENCH_SERVER_SCRIPT,
        ...cmdline.slice(2 + SERVER_NODE_FLAGS.length + SERVER_V8_FLAGS.length),
      ]);
      expect(cmdline.join(' ')).not.toContain('tsx');
      const stats = await server.stats();
      expect(stats.cpu.user).toBeGreaterThan(0);
      const answer = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
