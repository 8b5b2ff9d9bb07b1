import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { isRegularFile, makeFolder, readCacheSidecar } from '../../../src/stores/ann/cacheFiles.js';
import { IvfVectorIndex } from '../../../src/stores/ann/ivfVectorIndex.js';
import { UsearchVectorIndex } from '../../../src/stores/ann/usearchVectorIndex.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'recgate-cache-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => {
  const dir = path.join(root, `case-${counter++}`);
  mkdirSync(dir);
  return dir;
};

/** n random unit-ish rows of d floats (seeded). */
function rows(n: number, d: number): Float32Array {
  const random = createRandom(5);
  return Float32Array.from({ length: n * d }, () => random.normal());
}

describe('index cache files (fault-injection report, issue #6)', () => {
  it('reads a sidecar only when it is a small regular file holding a JSON object', () => {
    const dir = fresh();
    const file = (name: string, text: string): string => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    expect(readCacheSidecar(file('ok.json', '{"size":3}'))).toEqual({ size: 3 });
    expect(readCacheSidecar(file('array.json', '[1]'))).toBeNull();
    expect(readCacheSidecar(file('bad.json', '{"size":'))).toBeNull();
    expect(readCacheSidecar(file('big.json', `{"pad":"${'x'.repeat(70_000)}"}`))).toBeNull();
    expect(readCacheSidecar(path.join(dir, 'missing.json'))).toBeNull();
    expect(readCacheSidecar(dir)).toBeNull();
    expect(isRegularFile(path.join(dir, 'ok.json'))).toBe(true);
    expect(isRegularFile(dir)).toBe(false);
  });

  it('never reads a FIFO: both indexes build instead of blocking on one in place of the sidecar', () => {
    const dir = fresh();
    const d = 8;
    const n = 300;
    const ids = Array.from({ length: n }, (_, i) => `i${i}`);
    const v = rows(n, d);
    const ivfFile = path.join(dir, 'lists.ivf');
    const hnswFile = path.join(dir, 'graph.usearch');
    IvfVectorIndex.fromVectors(ids, v, d, { ivf: { lists: 4, probes: 2 }, cacheFile: ivfFile });
    UsearchVectorIndex.fromVectors(ids, v, d, { cacheFile: hnswFile });
    for (const f of [ivfFile, hnswFile]) {
      rmSync(`${f}.json`);
      execFileSync('mkfifo', [`${f}.json`]);
      expect(readCacheSidecar(`${f}.json`)).toBeNull();
    }
    // A read of either FIFO would block this test forever (no writer ever opens it).
    expect(
      IvfVectorIndex.fromVectors(ids, v, d, { ivf: { lists: 4, probes: 2 }, cacheFile: ivfFile }).origin
        .source,
    ).toBe('built');
    expect(UsearchVectorIndex.fromVectors(ids, v, d, { cacheFile: hnswFile }).origin.source).toBe('built');
  });

  it('makeFolder creates missing levels, accepts existing ones, and fails instead of looping under /proc', () => {
    const dir = fresh();
    const deep = path.join(dir, 'a', 'b', 'c');
    makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeFolder(deep);
    writeFileSync(path.join(dir, 'file'), 'x');
    expect(() => makeFolder(path.join(dir, 'file', 'sub'))).toThrow(/ENOTDIR|EEXIST/);
    // Node's recursive mkdirSync never returns for this path (mkdir: ENOENT, then EEXIST for /proc).
    if (existsSync('/proc/self')) expect(() => makeFolder('/proc/recgate-no-such-folder/ann')).toThrow();
  });
});
