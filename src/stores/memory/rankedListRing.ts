import { deserialize, serialize } from 'node:v8';
import type { StoredRankedList } from '../featureStore.js';

/** A list ready to be written: its exact encoded length, and the writer of those bytes. */
export interface PreparedList {
  /** Bytes {@link write} writes. */
  readonly byteLength: number;
  /** Writes the encoding at `target[offset]` (an offset that is a multiple of 8), exactly `byteLength` bytes. */
  write(target: Buffer, offset: number): void;
}

/**
 * How {@link RankedListRing} turns a list into bytes and back. `decode` gets
 * exactly the bytes `prepare(list).write` wrote, starting at a multiple of 8
 * in the ring's buffer (so a codec may view them as a Float64Array), and
 * returns a list equal to `list` as JSON sees it (a `StoredRankedList` is
 * JSON-safe: it is what the Redis store keeps).
 */
export interface RankedListCodec {
  /** @throws for a list it cannot encode; the ring then changes nothing. */
  prepare(list: StoredRankedList): PreparedList;
  decode(bytes: Buffer): StoredRankedList;
}

/**
 * The default {@link RankedListCodec}: `v8.serialize` (Node's HTML structured
 * clone: plain objects, arrays, strings, numbers, null, Dates) and
 * `v8.deserialize`. Takes any list; costs a temporary Buffer per put (about
 * 0.2 ms for a 500-position list in the bench server; see
 * `storedListCodec` for the cheaper one the gateway uses).
 */
export const STRUCTURED_CLONE_CODEC: RankedListCodec = {
  prepare(list) {
    const bytes = serialize(list);
    return { byteLength: bytes.length, write: (target, offset) => void bytes.copy(target, offset) };
  },
  decode: (bytes) => deserialize(bytes) as StoredRankedList,
};

/** Where one kept list's bytes are in the ring, and when it expires (Unix ms). */
interface RingEntry {
  readonly offset: number;
  readonly length: number;
  readonly expiresAt: number;
}

/** A list too large for the ring, kept as the object itself until the next put. */
interface OversizedEntry {
  readonly requestId: string;
  readonly list: StoredRankedList;
  readonly length: number;
  readonly expiresAt: number;
}

/** {@link RankedListRing}'s default segment size: 8 MiB. */
export const DEFAULT_RING_SEGMENT_BYTES = 8 * 2 ** 20;

/**
 * The memory store's paging cache: ranked lists kept for `after` paging as
 * bytes in a ring of `capacity` bytes outside V8's heap, instead of as live
 * objects.
 *
 * Why (issue #6): kept as objects, each list (~500 ids, scores, sources and
 * via strings, a feature matrix) survived two scavenges into the old
 * generation and was marked by every major GC while it lived, and the lists
 * dropped from the cache stayed in the old generation until the next major
 * GC: the heap grew far past the budget. `npm run bench:probe` at 10k items
 * (10,000 calls, 4 connections, five alternated pairs against the code
 * before) measured 700–727 MB of heap in use after the calls with the lists
 * as objects and 52–156 MB with this ring, a peak RSS of 861–885 against
 * 415–448 MB, and the same CPU per call within the pairs' noise (means 3.92
 * and 3.84 ms); at 1M items (6,000 calls, two pairs) a peak of 942–960
 * against 882–893 MB. Here the heap holds one small entry per list.
 *
 * The ring is cut into segments of `segmentBytes` (8 MiB by default), each a
 * `Buffer` allocated when the head first enters it: a few allocations over
 * the ring's first fill and none after, so none of the major GCs V8 starts
 * when external memory grows by much at once (one 128-MiB allocation at the
 * first list cost a request ~1–15 ms and could start a full GC).
 *
 * - `put` writes the list's bytes (its {@link RankedListCodec}'s encoding;
 *   by default {@link STRUCTURED_CLONE_CODEC}) at the ring's head, rounded up
 *   to a multiple of 8, and drops every older list whose bytes the write
 *   overlaps: the ring's order is the order of puts, so the lists dropped are
 *   the oldest ones. A list never spans two segments: one that does not fit
 *   before the end of the head's segment starts at the next segment (at
 *   offset 0 after the last), and the lists in the skipped gap are dropped too.
 *   When the kept lists leave room before the oldest of them (none kept, or
 *   fewer than the ring holds because of `maxLists` or expiry) the head goes
 *   back to offset 0 first, so the ring's committed pages follow the bytes
 *   the kept lists need, not the capacity.
 * - `get` decodes a fresh copy: callers may change it.
 * - Besides the bytes, at most `maxLists` lists are kept (the oldest goes).
 * - A list whose bytes exceed a segment is kept as the object itself, alone
 *   (every other list dropped), until the next put drops it: the newest list
 *   is always kept, as the store promised before the ring.
 * - Expiry is by `expiresAt` (Unix ms) against the `now` passed in: an
 *   expired list reads as null and is dropped; `sweep` drops all expired ones.
 *
 * Pages of the ring are committed by the OS as the head first passes over
 * them ({@link highWater}), so its RSS grows under load up to `capacity`,
 * or to what the kept lists need when `maxLists` or expiry keeps fewer.
 */
export class RankedListRing {
  /** The ring's size in bytes: the byte budget. */
  readonly capacity: number;
  /** Bytes per segment (the last one may be shorter); the largest list kept in the ring. */
  readonly segmentBytes: number;
  private readonly maxLists: number;
  /** Segment k holds ring offsets [k·segmentBytes, (k+1)·segmentBytes); allocated on first use, or all at once by {@link reserve}. */
  private readonly segments: (Buffer | undefined)[];
  /** Kept lists by request id, in the order of their puts (Maps keep insertion order). */
  private readonly entries = new Map<string, RingEntry>();
  private oversized: OversizedEntry | null = null;
  /** Where the next list's bytes start. */
  private head = 0;
  /**
   * Where the last list put starts (kept after it is dropped: a value at or past the oldest
   * kept list's offset still means the kept lists do not wrap around the ring's end).
   */
  private newestOffset = 0;
  /** See {@link highWater}. */
  private furthest = 0;
  /** Sum of the kept lists' byte lengths. */
  private bytes = 0;
  private readonly codec: RankedListCodec;

  /**
   * @param capacity bytes of the ring, an integer ≥ 1.
   * @param maxLists most lists kept, an integer ≥ 1.
   * @param codec how lists become bytes. @default STRUCTURED_CLONE_CODEC
   * @param segmentBytes bytes per segment, an integer ≥ 8 (cut to `capacity`).
   *   @default DEFAULT_RING_SEGMENT_BYTES (8 MiB)
   * @throws RangeError for a capacity or maxLists that is not an integer ≥ 1,
   *   or a segment size that is not an integer ≥ 8.
   */
  constructor(
    capacity: number,
    maxLists: number,
    codec: RankedListCodec = STRUCTURED_CLONE_CODEC,
    segmentBytes = DEFAULT_RING_SEGMENT_BYTES,
  ) {
    if (!(Number.isSafeInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`ring capacity must be an integer ≥ 1, got ${capacity}`);
    }
    if (!(Number.isInteger(maxLists) && maxLists >= 1)) {
      throw new RangeError(`maxLists must be an integer ≥ 1, got ${maxLists}`);
    }
    if (!(Number.isInteger(segmentBytes) && segmentBytes >= 8)) {
      throw new RangeError(`segmentBytes must be an integer ≥ 8, got ${segmentBytes}`);
    }
    this.capacity = capacity;
    this.segmentBytes = Math.min(capacity, segmentBytes);
    this.segments = new Array<Buffer | undefined>(Math.ceil(capacity / this.segmentBytes));
    this.maxLists = maxLists;
    this.codec = codec;
  }

  /**
   * Allocates every segment now, as views of zero-filled buffers of up to
   * {@link RESERVE_PIECE_BYTES} (whole segments each), instead of each as the
   * head first enters it. The OS still commits the pages only as they are
   * written, so the RSS is the same; what moves is V8's accounting: each
   * lazily allocated segment is external memory, and at 1M items a ring
   * allocated under load had V8 run a major GC (100–300 ms of delayed
   * requests) every 5–7 s at 60 req/s, none in 90 s when reserved (issue #6,
   * BENCHMARKS.md, the session of 2026-12-02 16:38). Reserved at start-up,
   * the allocation's GC happens before the first request.
   *
   * Best effort and bounded: at most `maxBytes` are reserved (a huge ring's
   * reservation took seconds of start-up, V8 collecting at each piece: 23 s
   * for 1 TiB beside a 1M-id heap in a scratch script), and when a piece
   * cannot be allocated the segments from there on stay unallocated; those
   * are allocated as the head enters them, as without a reservation.
   * Segments already allocated are kept. Idempotent.
   * @param maxBytes most bytes this call allocates. @default RESERVE_MAX_BYTES (4 GiB)
   * @returns the bytes reserved by this call.
   */
  reserve(maxBytes = RESERVE_MAX_BYTES): number {
    const seg = this.segmentBytes;
    const perPiece = Math.max(1, Math.floor(RESERVE_PIECE_BYTES / seg));
    let reserved = 0;
    for (let k = 0; k < this.segments.length && reserved + seg <= maxBytes;) {
      if (this.segments[k] !== undefined) {
        k++;
        continue;
      }
      // A run of up to perPiece unallocated segments in one buffer.
      let end = k;
      while (
        end < this.segments.length &&
        end - k < perPiece &&
        this.segments[end] === undefined &&
        reserved + (end + 1 - k) * seg <= maxBytes
      )
        end++;
      const start = k * seg;
      const bytes = Math.min(this.capacity, end * seg) - start;
      let piece: Buffer;
      try {
        piece = Buffer.alloc(bytes);
      } catch {
        return reserved;
      }
      for (; k < end; k++)
        this.segments[k] = piece.subarray(k * seg - start, Math.min(bytes, (k + 1) * seg - start));
      reserved += bytes;
    }
    return reserved;
  }

  /** The end of the furthest byte ever written: the part of the ring whose pages are committed (≤ capacity). */
  get highWater(): number {
    return this.furthest;
  }

  /** How many lists are kept and the sum of their encoded bytes. */
  usage(): { readonly lists: number; readonly bytes: number } {
    return { lists: this.entries.size + (this.oversized === null ? 0 : 1), bytes: this.bytes };
  }

  /**
   * Keeps `list` under `list.requestId` until `expiresAt` (Unix ms),
   * replacing a list of the same id, dropping the oldest lists its bytes or
   * the list count need.
   * @throws the codec's error for a list it cannot encode (the default's: a
   *   value outside the structured-clone types, such as a function); nothing
   *   is changed then. A RangeError when a segment cannot be allocated (the
   *   next put tries again).
   */
  put(list: StoredRankedList, expiresAt: number): void {
    const encoded = this.codec.prepare(list);
    this.delete(list.requestId);
    this.dropOversized();
    const length = encoded.byteLength;
    const seg = this.segmentBytes;
    if (length > seg) {
      this.entries.clear();
      this.bytes = length;
      this.oversized = { requestId: list.requestId, list, length, expiresAt };
      return;
    }
    while (this.entries.size >= this.maxLists) this.dropOldestWhile(() => true, 1);
    // Back to offset 0 when the lists kept (fewer than the ring holds: the list count or expiry
    // bound them) leave room before the oldest, so the head cycles over the bytes those lists need
    // and the ring's RSS follows them instead of the capacity (attack report, session 30).
    const oldest = this.entries.values().next().value;
    if (oldest === undefined || (this.newestOffset >= oldest.offset && length <= oldest.offset))
      this.head = 0;
    let from = this.head;
    let offset = alignUp(from);
    for (;;) {
      const segmentEnd = Math.min(this.capacity, (Math.floor(offset / seg) + 1) * seg);
      if (offset + length <= segmentEnd) break;
      // The gap [from, segmentEnd) holds the oldest lists: drop them, and try the next segment
      // (the last one may be too short; segment 0 never is).
      const gapStart = from;
      this.dropOldestWhile((e) => e.offset >= gapStart && e.offset < segmentEnd);
      from = offset = segmentEnd >= this.capacity ? 0 : segmentEnd;
    }
    const end = offset + length;
    this.dropOldestWhile((e) => e.offset < end && e.offset + e.length > offset);
    const k = Math.floor(offset / seg);
    const buffer = (this.segments[k] ??= allocateSegment(Math.min(seg, this.capacity - k * seg)));
    encoded.write(buffer, offset - k * seg);
    this.entries.set(list.requestId, { offset, length, expiresAt });
    this.bytes += length;
    this.head = end;
    this.newestOffset = offset;
    if (end > this.furthest) this.furthest = end;
  }

  /** The list kept under `requestId`, decoded afresh; null when none is kept or it expired by `now` (Unix ms; then it is dropped). */
  get(requestId: string, now: number): StoredRankedList | null {
    const o = this.oversized;
    if (o !== null && o.requestId === requestId) {
      if (o.expiresAt <= now) {
        this.dropOversized();
        return null;
      }
      return o.list;
    }
    const e = this.entries.get(requestId);
    if (e === undefined) return null;
    if (e.expiresAt <= now) {
      this.delete(requestId);
      return null;
    }
    const k = Math.floor(e.offset / this.segmentBytes);
    const start = e.offset - k * this.segmentBytes;
    return this.codec.decode(this.segments[k]!.subarray(start, start + e.length));
  }

  /** Drops the list kept under `requestId`, if any. */
  delete(requestId: string): void {
    if (this.oversized?.requestId === requestId) this.dropOversized();
    const e = this.entries.get(requestId);
    if (e === undefined) return;
    this.entries.delete(requestId);
    this.bytes -= e.length;
  }

  /** Drops every list expired by `now` (Unix ms). */
  sweep(now: number): void {
    if (this.oversized !== null && this.oversized.expiresAt <= now) this.dropOversized();
    for (const [id, e] of this.entries) if (e.expiresAt <= now) this.delete(id);
  }

  private dropOversized(): void {
    if (this.oversized === null) return;
    this.bytes -= this.oversized.length;
    this.oversized = null;
  }

  /** Drops the oldest lists while `test` holds for the oldest one (at most `limit` of them). */
  private dropOldestWhile(test: (e: RingEntry) => boolean, limit = Infinity): void {
    let dropped = 0;
    for (const [id, e] of this.entries) {
      if (dropped >= limit || !test(e)) return;
      this.entries.delete(id);
      this.bytes -= e.length;
      dropped++;
    }
  }
}

/**
 * Most bytes {@link RankedListRing.reserve} allocates in one buffer: 1 GiB (a
 * Buffer of Node 20 holds at most 4 GiB, and a smaller piece that fails
 * leaves less of the ring unreserved).
 */
export const RESERVE_PIECE_BYTES = 2 ** 30;

/** Most bytes {@link RankedListRing.reserve} allocates by default: 4 GiB (`RECGATE_PAGING_MAX_MB` 4096). */
export const RESERVE_MAX_BYTES = 2 ** 32;

/**
 * A segment's buffer, zero-filled (the OS commits its pages as they are written).
 * @throws RangeError naming the size and `RECGATE_PAGING_MAX_MB` when it cannot be allocated.
 */
function allocateSegment(bytes: number): Buffer {
  try {
    return Buffer.alloc(bytes);
  } catch (err) {
    throw new RangeError(
      `the paging cache could not allocate ${bytes} bytes of its ring (RECGATE_PAGING_MAX_MB): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** `n` rounded up to a multiple of 8 (list offsets in the ring; see {@link RankedListCodec}). */
function alignUp(n: number): number {
  return Math.ceil(n / 8) * 8;
}
