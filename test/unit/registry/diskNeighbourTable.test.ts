import { closeSync, existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskNeighbourListView, spillNeighbourTable } from '../../../models/registry/diskNeighbourTable.js';
import { loadVersionBundle } from '../../../models/registry/loadVersionBundle.js';
import { neighbourListView, packNeighbourTable } from '../../../models/registry/neighbourTable.js';
import type { NeighbourTable } from '../../../models/registry/neighbourTable.js';
import { createRandom } from '../../../src/domain/random.js';
import { tempRegistryWithTinyVersion } from './registryFixtures.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

/**
 * A random table of `rows` rows of 0..12 neighbours (some empty), scores
 * 4-decimal values in [−1, 1], as publishVersion writes them; with
 * `longRow`, row 1 has that many entries.
 */
function randomTable(rows: number, nItems: number, seed: number, longRow = 0): NeighbourTable {
  const random = createRandom(seed);
  const lengths = Array.from({ length: rows }, (_, r) =>
    r === 1 && longRow > 0 ? longRow : Math.floor(random.next() * 13) * (random.next() < 0.2 ? 0 : 1),
  );
  const offsets = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) offsets[r + 1] = offsets[r]! + lengths[r]!;
  const total = offsets[rows]!;
  const items = new Int32Array(total);
  const scores = new Float32Array(total);
  for (let e = 0; e < total; e++) {
    items[e] = Math.floor(random.next() * nItems);
    scores[e] = Math.fround((Math.round((random.next() * 2 - 1) * 10_000) || 0) / 10_000); // never −0: it does not pack
  }
  return { offsets, items, scores };
}

/** Every row of a neighbour list view as plain arrays. */
const rowsOf = (view: readonly { items: Int32Array; scores: Float32Array }[]): [number[], number[]][] =>
  view.map((l) => [Array.from(l.items), Array.from(l.scores)]);

describe('Registry: a large model’s neighbour table spilled to an unlinked file (issue #6)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recgate-spill-test-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads back every row bit for bit as the in-memory packed table does, and leaves no file behind', () => {
    // Item indices up to 2²⁴ − 1: all three bytes of the packed index are used.
    const packed = packNeighbourTable(randomTable(3_000, 2 ** 24, 7));
    expect(packed.items).toBeInstanceOf(Uint8Array);
    expect(packed.scores).toBeInstanceOf(Int16Array);
    const spilled = spillNeighbourTable(packed, dir);
    expect(spilled).not.toBeNull();
    expect(readdirSync(dir)).toEqual([]); // unlinked and its private folder removed, while still open
    const view = diskNeighbourListView(spilled!);
    expect(view.length).toBe(3_000);
    expect(rowsOf(view)).toEqual(rowsOf(neighbourListView(packed)));
    // Hand-checked row: the first non-empty one decodes to the source table's values.
    const source = randomTable(3_000, 2 ** 24, 7);
    const r = Array.from({ length: 3_000 }, (_, i) => i).find(
      (i) => source.offsets[i + 1]! > source.offsets[i]!,
    )!;
    const from = source.offsets[r]!;
    const to = source.offsets[r + 1]!;
    expect(Array.from(view[r]!.items)).toEqual(Array.from(source.items.subarray(from, to)));
    expect(Array.from(view[r]!.scores)).toEqual(Array.from(source.scores.subarray(from, to)));
    closeSync(spilled!.fd);
  });

  it('writes a row longer than its 1-MiB write chunk on its own', () => {
    const packed = packNeighbourTable(randomTable(5, 1_000, 11, 300_000)); // 1.5 MB in row 1
    const spilled = spillNeighbourTable(packed, dir)!;
    const view = diskNeighbourListView(spilled);
    expect(view[1]!.items.length).toBe(300_000);
    expect(rowsOf(view)).toEqual(rowsOf(neighbourListView(packed)));
    closeSync(spilled.fd);
  });

  it('returns null for a table it cannot hold exactly (scores that are not 4-decimal values stay float32)', () => {
    const t = randomTable(10, 100, 3);
    t.scores[0] = 0.123456;
    const packed = packNeighbourTable(t);
    expect(packed.scores).toBeInstanceOf(Float32Array);
    expect(spillNeighbourTable(packed, dir)).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('throws the fs error for a folder it cannot write to, leaving nothing behind', () => {
    const packed = packNeighbourTable(randomTable(10, 100, 5));
    expect(() => spillNeighbourTable(packed, join(dir, 'no-such-folder'))).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failed read names the row and the file instead of returning wrong neighbours', () => {
    const packed = packNeighbourTable(randomTable(50, 100, 9));
    const spilled = spillNeighbourTable(packed, dir)!;
    const view = diskNeighbourListView(spilled);
    const row = Array.from({ length: 50 }, (_, i) => i).find(
      (i) => spilled.offsets[i + 1]! > spilled.offsets[i]!,
    )!;
    closeSync(spilled.fd);
    expect(() => view[row]).toThrow(
      new RegExp(`cannot read row ${row} of the neighbour table spilled to .*neighbours\\.bin: EBADF`),
    );
  });

  it.skipIf(!existsSync('/proc/self/fd'))(
    'closes the file once the view is garbage collected (skipped where /proc/self/fd does not exist)',
    async () => {
      const fd = (() => {
        const spilled = spillNeighbourTable(packNeighbourTable(randomTable(20, 100, 13)), dir)!;
        const view = diskNeighbourListView(spilled);
        expect(view.length).toBe(20);
        return spilled.fd;
      })();
      expect(readlinkSync(`/proc/self/fd/${fd}`)).toMatch(
        /recgate-neighbours-.*neighbours\.bin \(deleted\)$/,
      );
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 0));
        gc();
        await new Promise((r) => setTimeout(r, 5));
        let target: string | null;
        try {
          target = readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          target = null; // closed
        }
        if (target === null || !/recgate-neighbours-/.test(target)) return;
      }
      throw new Error(`descriptor ${fd} of the spilled table is still open after 20 collections`);
    },
  );
});

/** Runs `fn` and returns its result with the process warnings emitted meanwhile (they come on the next tick). */
async function withWarnings<T>(fn: () => T): Promise<{ result: T; warnings: Error[] }> {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    const result = fn();
    await new Promise((r) => setTimeout(r, 0));
    return { result, warnings };
  } finally {
    process.off('warning', onWarning);
  }
}

describe('Registry: loadVersionBundle keeps a large model’s neighbours on disk (issue #6)', () => {
  let registry = '';
  beforeAll(() => {
    registry = tempRegistryWithTinyVersion();
  });
  afterAll(() => {
    if (registry) rmSync(registry, { recursive: true, force: true });
  });

  it('serves the same neighbour lists from disk (neighboursOnDiskFrom reached) as from memory', () => {
    const inMemory = loadVersionBundle(registry, 'default', 'v1').bundle.neighbours;
    const dir = mkdtempSync(join(tmpdir(), 'recgate-spill-load-'));
    try {
      const onDisk = loadVersionBundle(registry, 'default', 'v1', {
        neighboursOnDiskFrom: 0,
        neighboursDir: dir,
      }).bundle.neighbours;
      expect(inMemory.some((l) => l.items.length > 0)).toBe(true);
      expect(rowsOf(onDisk)).toEqual(rowsOf(inMemory));
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps them in memory, with a RECGATE_NEIGHBOURS_IN_MEMORY warning, when the file cannot be written', async () => {
    const { result: lists, warnings } = await withWarnings(
      () =>
        loadVersionBundle(registry, 'default', 'v1', {
          neighboursOnDiskFrom: 0,
          neighboursDir: join(registry, 'no-such-folder'),
        }).bundle.neighbours,
    );
    expect(rowsOf(lists)).toEqual(rowsOf(loadVersionBundle(registry, 'default', 'v1').bundle.neighbours));
    const w = warnings.find((x) => (x as Error & { code?: string }).code === 'RECGATE_NEIGHBOURS_IN_MEMORY');
    expect(w?.message).toMatch(
      /the neighbour table stays in memory: cannot spill it to .*no-such-folder: ENOENT/,
    );
  });

  it('spills to TMPDIR by default, and the warning names that folder when it cannot', async () => {
    const saved = process.env.TMPDIR;
    const missing = join(registry, 'no-such-tmpdir');
    try {
      process.env.TMPDIR = missing;
      const { result: lists, warnings } = await withWarnings(
        () => loadVersionBundle(registry, 'default', 'v1', { neighboursOnDiskFrom: 0 }).bundle.neighbours,
      );
      expect(lists.some((l) => l.items.length > 0)).toBe(true);
      expect(warnings.map((w) => w.message)).toContainEqual(
        expect.stringContaining(`cannot spill it to ${missing}: ENOENT`),
      );
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('refuses a neighboursOnDiskFrom that is not an integer ≥ 0', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => loadVersionBundle(registry, 'default', 'v1', { neighboursOnDiskFrom: bad })).toThrow(
        /neighboursOnDiskFrom: expected an integer ≥ 0/,
      );
    }
  });
});
