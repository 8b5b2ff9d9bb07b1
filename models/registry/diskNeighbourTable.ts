import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NeighbourList } from '../retrieval/itemNeighbours.js';
import { lazyArrayView } from './lazyArrayView.js';
import { unpackIndices, unpackScores } from './neighbourTable.js';
import type { PackedNeighbourTable } from './neighbourTable.js';

/**
 * Models of at least this many items keep their packed neighbour table in a
 * temporary file instead of process memory ({@link spillNeighbourTable};
 * issue #6: 50 MB of RSS at 1M items × 10 neighbours, read a few rows per
 * request). The same threshold as packed ids and titles.
 */
export const NEIGHBOURS_ON_DISK_MIN_ITEMS = 200_000;

/** Bytes per entry in the file: an int16 score and a 3-byte item index. */
const ENTRY_BYTES = 5;

/** Bytes written per `writeSync` while spilling (1 MiB). */
const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * A {@link PackedNeighbourTable} whose entries live in a file: row i's
 * `n = offsets[i + 1] − offsets[i]` entries are the bytes
 * `[5·offsets[i], 5·offsets[i + 1])` of `fd`: first the row's n int16 score
 * codes as the packed table holds them (score = fl32(k / 10⁴); the process's
 * own byte order, as only the process that wrote the file reads it), then its
 * n 3-byte little-endian item indices. The file has no name (unlinked once
 * open), so it disappears with the last descriptor, however the process ends.
 */
export interface DiskNeighbourTable {
  /** Int32Array of nItems + 1 entry offsets, as in the packed table (kept in memory: 4 bytes per item). */
  readonly offsets: Int32Array;
  /** The open, unlinked file; closed by {@link diskNeighbourListView}'s view when it is garbage collected. */
  readonly fd: number;
  /** Where the file was created, for error messages (the name no longer exists). */
  readonly path: string;
}

/**
 * Writes a packed neighbour table (3-byte indices and int16 scores; see
 * {@link PackedNeighbourTable}) to a new file under `dir`, unlinks it while
 * keeping it open, and returns it as a {@link DiskNeighbourTable}: the table's
 * 5 bytes per entry move from process memory to the OS page cache, which the
 * kernel may evict and re-read (issue #6, memory at 1M items). O(entries),
 * written in 1-MiB chunks.
 * @param dir the folder for the file (a new private subfolder is made and
 *   removed in it). @default os.tmpdir() (honours `TMPDIR`)
 * @returns null when the table's columns are not packed (Int32Array items or
 *   Float32Array scores: nothing to spill in this format).
 * @throws the fs error (ENOSPC, EACCES, EROFS, …) when the file cannot be
 *   made or written; nothing is left behind then.
 */
export function spillNeighbourTable(
  table: PackedNeighbourTable,
  dir: string = tmpdir(),
): DiskNeighbourTable | null {
  const { offsets, items, scores } = table;
  if (!(items instanceof Uint8Array) || !(scores instanceof Int16Array)) return null;
  const folder = mkdtempSync(join(dir, 'recgate-neighbours-'));
  const path = join(folder, 'neighbours.bin');
  let fd = -1;
  try {
    fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    const chunk = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
    let used = 0;
    let position = 0;
    const writeAll = (buffer: Buffer, length: number): void => {
      for (let done = 0; done < length;) done += writeSync(fd, buffer, done, length - done, position + done);
      position += length;
    };
    const rows = offsets.length - 1;
    for (let r = 0; r < rows; r++) {
      const from = offsets[r]!;
      const n = offsets[r + 1]! - from;
      if (n === 0) continue;
      const rowBytes = ENTRY_BYTES * n;
      if (used + rowBytes > chunk.length) {
        writeAll(chunk, used);
        used = 0;
      }
      // A row longer than the chunk (2¹⁸ neighbours) is encoded and written on its own.
      const out = rowBytes > chunk.length ? Buffer.allocUnsafe(rowBytes) : chunk;
      const at = out === chunk ? used : 0;
      out.set(new Uint8Array(scores.buffer, scores.byteOffset + 2 * from, 2 * n), at);
      out.set(items.subarray(3 * from, 3 * (from + n)), at + 2 * n);
      if (out === chunk) used += rowBytes;
      else writeAll(out, rowBytes);
    }
    writeAll(chunk, used);
    return { offsets, fd, path };
  } catch (err) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      // already unlinked, or never made
    }
    throw err;
  } finally {
    rmdirSync(folder);
  }
}

/** Closes a spilled table's descriptor once its view is garbage collected. */
const closeWhenCollected = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/**
 * The spilled table as the `readonly NeighbourList[]` a model bundle holds,
 * as {@link neighbourListView} gives for the packed table, with the same
 * values bit for bit: element i is one `pread` of its 5·n bytes (from the
 * page cache once read: 3.7 µs on a slow 2-core host, ~6.6 µs a row of 10
 * with the decode) decoded into two small arrays. The descriptor is closed when the view is garbage collected (a
 * replaced model; the gateway runs a full GC once one is closed).
 * @throws Error naming the table's file when a read fails or comes back
 *   short (the file was truncated or the disk failed).
 */
export function diskNeighbourListView(table: DiskNeighbourTable): readonly NeighbourList[] {
  const { offsets, fd, path } = table;
  // A buffer of its own (offset 0), so its first bytes can be viewed as int16 scores.
  let scratch = new Uint8Array(ENTRY_BYTES * 64);
  const view = lazyArrayView(offsets.length - 1, (i) => {
    const from = offsets[i]!;
    const n = offsets[i + 1]! - from;
    if (n === 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const bytes = ENTRY_BYTES * n;
    if (scratch.length < bytes) scratch = new Uint8Array(bytes);
    let read: number;
    try {
      read = readSync(fd, scratch, 0, bytes, ENTRY_BYTES * from);
    } catch (err) {
      throw new Error(
        `cannot read row ${i} of the neighbour table spilled to ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (read !== bytes) {
      throw new Error(
        `cannot read row ${i} of the neighbour table spilled to ${path}: ${read} of ${bytes} bytes`,
      );
    }
    return {
      items: unpackIndices(scratch, 2 * n, n),
      scores: unpackScores(new Int16Array(scratch.buffer, 0, n), 0, n),
    };
  });
  closeWhenCollected.register(view, fd);
  return view;
}
