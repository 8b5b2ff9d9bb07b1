import { createHash } from 'node:crypto';
import type { InteractionType } from '../../domain/interaction.js';
import type { RankedList } from '../../pipeline/rankedList.js';
import type { ExperimentAssignment, ItemFilterInput, Promotion } from '../../services/serviceTypes.js';
import type { StoredRankedList } from '../../stores/featureStore.js';
import { activePromotions } from '../activePromotions.js';
import type { ListEntry } from '../listEntries.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { reasonsFor } from '../reasons.js';
import { isNewItem } from '../rerankers/explorationSlotsReranker.js';
import type { ReasonContext } from '../reasons.js';

/** Who a stored list was ranked for and how (`entries[0]`). */
export interface StoredListHeader {
  readonly kind: 'header';
  readonly userId: string | null;
  readonly surface: string;
  readonly modelVersion: string;
  readonly experiments: readonly ExperimentAssignment[];
  readonly degraded: readonly string[];
  readonly seedItemId: string | null;
  /** Recent item → interaction type (for the reasons' verbs). */
  readonly recentTypes: Readonly<Record<string, InteractionType>>;
  /** Promotions that placed items of the list, by id. */
  readonly promotions: Readonly<Record<string, Promotion>>;
  /**
   * {@link storedListArguments} of the request's `filter` and
   * `sessionItemIds` (the key itself, or its SHA-256 digest when long);
   * absent in lists stored before it was recorded (then not checked).
   */
  readonly listArguments?: string;
}

/**
 * The arguments that shape a list besides user and surface, as one string:
 * the filter's three id lists (order and repeats do not matter; omitted and
 * empty are the same) and `sessionItemIds` (in order). A later page's request
 * is compared with the stored list's by this key.
 */
export function listArgumentsKey(filter: ItemFilterInput | null, sessionItemIds: readonly string[]): string {
  const set = (xs: readonly string[] | null | undefined): string[] =>
    xs === null || xs === undefined ? [] : [...new Set(xs)].sort();
  return JSON.stringify([
    set(filter?.categoriesAny),
    set(filter?.categoriesNone),
    set(filter?.excludeItemIds),
    sessionItemIds,
  ]);
}

/** The key of a request with no filter and no session items: a later page that repeats neither. */
export const NO_LIST_ARGUMENTS = listArgumentsKey(null, []);

/** Keys longer than this are stored as their digest (`sha256:` and 64 hex digits). */
export const LIST_ARGUMENTS_KEPT_CHARS = 256;
const DIGEST_PREFIX = 'sha256:';

/**
 * A {@link listArgumentsKey} as a stored list keeps it: the key itself up to
 * {@link LIST_ARGUMENTS_KEPT_CHARS} characters, else `sha256:` and the hex
 * SHA-256 of its UTF-8 bytes (FIPS 180-4, node:crypto). A request's filter
 * may hold thousands of long ids: kept whole, one list could take ~0.5 MB and
 * a client could flush the paging cache's byte budget with a few hundred
 * requests (attack report, session 22). A key is a JSON array (it starts with
 * `[`), so the two forms never collide.
 */
export function storedListArguments(key: string): string {
  if (key.length <= LIST_ARGUMENTS_KEPT_CHARS) return key;
  return DIGEST_PREFIX + createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a request's {@link listArgumentsKey} matches a stored list's `listArguments` (either form, see {@link storedListArguments}). */
export function sameListArguments(stored: string, key: string): boolean {
  return stored.startsWith(DIGEST_PREFIX) ? storedListArguments(key) === stored : stored === key;
}

/**
 * The list itself, column by column (`entries[1]`): a handful of arrays and
 * strings instead of an object per item, so keeping hundreds of lists for
 * 10 minutes costs the garbage collector little. Position p (0-based):
 * `ids[p]`, `scores[p]`, `sources[p]` (comma-separated kinds), `via[p]`
 * (U+001F-separated, parallel to the kinds, '' for none), `isNew[p]` ('1'/'0'),
 * `promotionIds[p]` (sparse), feature row p of `features` (base64 float32, `width` columns).
 * A position whose `via` names an item id holding U+001F, which the joined
 * form cannot carry, has its entries in `viaLists[p]` instead (sparse, and
 * absent from a list that has none) and '' in `via[p]`.
 */
export interface StoredListColumns {
  readonly kind: 'columns';
  readonly ids: readonly string[];
  readonly scores: readonly number[];
  readonly sources: readonly string[];
  readonly via: readonly string[];
  readonly isNew: string;
  readonly promotionIds: Readonly<Record<number, string>>;
  readonly width: number;
  readonly features: string;
  /** Position → its `via` entries as they are, for positions whose entries hold U+001F (see above); usually absent. */
  readonly viaLists?: Readonly<Record<number, readonly (string | null)[]>>;
}

const SEP = '\u001f';

/**
 * The final list of a query, its first `positions` positions (default all;
 * the paging selector passes `pagingMaxPositions`), in the stored shape
 * (JSON-safe: also fits Redis; the memory store keeps it in the column form
 * of storedListCodec.ts, about 21 KB for 500 positions and 10 ranker features
 * at 1M items, ~9 KB for 200). One pass over those positions filling the columns: no object per
 * position (a one-kind `sources` is stored as that kind's string, a one-entry
 * `via` as that entry or '', feature
 * rows are copied value by value, `isNew` is written as bytes).
 */
export async function toStoredList(
  q: RecommendationQuery,
  list: RankedList,
  positions: number = list.order.length,
): Promise<StoredRankedList> {
  const order = list.order;
  const n = Math.max(0, Math.min(order.length, positions));
  const w = list.features.width;
  const data = list.features.data;
  const candidates = list.candidates;
  const matrix = new Float32Array(n * w);
  const ids = new Array<string>(n);
  const scores = new Array<number>(n);
  const sources = new Array<string>(n);
  const via = new Array<string>(n);
  const isNewBytes = Buffer.alloc(n, 0x30); // '0' per position
  const promotionIds: Record<number, string> = {};
  // No prototype: a promotion id such as `__proto__` is an own key like any other (attack report, session 30).
  const promotions = Object.create(null) as Record<string, Promotion>;
  const activeList = await activePromotions(q);
  const active = activeList.length === 0 ? null : new Map(activeList.map((p) => [p.id, p]));
  const rows = q.rows;
  const reference = rows === null ? 0 : q.model.bundle.referenceTime;
  const pairs = new Map<string, Map<string, string>>();
  let viaLists: Record<number, (string | null)[]> | null = null;
  for (let p = 0; p < n; p++) {
    const idx = order[p]!;
    const c = candidates[idx]!;
    ids[p] = c.itemId;
    scores[p] = list.scores[idx]!;
    const kinds = c.sources;
    sources[p] = kinds.length === 1 ? kinds[0]! : joinKinds(kinds, pairs);
    const joinedVia = joinVia(c.via);
    if (joinedVia === null) {
      (viaLists ??= {})[p] = c.via.slice();
      via[p] = '';
    } else {
      via[p] = joinedVia;
    }
    if (rows !== null && isNewItem(rows.modelRows[idx]!, rows.createdAt[idx]!, reference))
      isNewBytes[p] = 0x31; // '1'
    if (c.promotionId !== null) {
      promotionIds[p] = c.promotionId;
      const promo = active?.get(c.promotionId);
      if (promo) promotions[promo.id] = promo;
    }
    // Row idx of the features → row p of the stored matrix (a short matrix leaves zeros, as TypedArray.set did).
    const from = idx * w;
    const to = p * w;
    const end = Math.min(w, data.length - from);
    for (let f = 0; f < end; f++) matrix[to + f] = data[from + f]!;
  }
  const isNew = isNewBytes.toString('latin1');
  const header: StoredListHeader = {
    kind: 'header',
    userId: q.userId,
    surface: q.surface,
    modelVersion: q.scoredWith,
    experiments: q.experiments,
    degraded: q.run.degraded.slice(),
    seedItemId: q.seedItemId,
    recentTypes: Object.fromEntries(q.recent.map((r) => [r.itemId, r.type])),
    promotions,
    listArguments: storedListArguments(listArgumentsKey(q.filter, q.sessionItemIds)),
  };
  const columns: StoredListColumns = {
    kind: 'columns',
    ids,
    scores,
    sources,
    via,
    isNew,
    promotionIds,
    width: w,
    features: Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength).toString('base64'),
    ...(viaLists === null ? {} : { viaLists }),
  };
  return { requestId: q.requestId, entries: [header, columns] };
}

/**
 * `kinds.join(',')`, with two-kind joins shared through `pairs` (first kind →
 * second kind → joined): lists repeat a handful of source pairs, so most
 * positions get an existing string instead of a new one.
 */
function joinKinds(kinds: readonly string[], pairs: Map<string, Map<string, string>>): string {
  if (kinds.length !== 2) return kinds.join(',');
  const a = kinds[0]!;
  const b = kinds[1]!;
  let byB = pairs.get(a);
  if (byB === undefined) pairs.set(a, (byB = new Map()));
  let joined = byB.get(b);
  if (joined === undefined) byB.set(b, (joined = `${a},${b}`));
  return joined;
}

/**
 * `via` as stored: '' when every entry is null, else the entries ('' for null)
 * joined by U+001F; null when an entry holds U+001F itself (the join would
 * not split back: the caller keeps that position's entries in `viaLists`). A
 * one-entry `via` (most positions) is its entry as is; a longer one is
 * concatenated in one loop (no mapped copy, no join).
 */
function joinVia(via: readonly (string | null)[]): string | null {
  const n = via.length;
  if (n === 1) {
    const v = via[0] ?? null;
    return v === null ? '' : v.includes(SEP) ? null : v;
  }
  let joined = '';
  let any = false;
  for (let k = 0; k < n; k++) {
    const v = via[k] ?? null;
    if (v !== null) {
      if (v.includes(SEP)) return null;
      any = true;
    }
    joined = k === 0 ? (v ?? '') : joined + SEP + (v ?? '');
  }
  return any ? joined : '';
}

/** Position p's `via` entries as stored: `viaLists[p]` when the list has one for p, else `via[p]` split on U+001F ('' → null; none for ''). */
function storedVia(columns: StoredListColumns, p: number): (string | null)[] {
  const listed = columns.viaLists;
  if (listed !== undefined && Object.hasOwn(listed, p)) return listed[p]!.slice();
  const text = columns.via[p] ?? '';
  return text === '' ? [] : text.split(SEP).map((v) => (v === '' ? null : v));
}

/** A stored list read back, or null when it is not in the shape {@link toStoredList} writes. */
export function fromStoredList(
  list: StoredRankedList,
): { header: StoredListHeader; columns: StoredListColumns } | null {
  const [header, columns] = list.entries as [StoredListHeader | undefined, StoredListColumns | undefined];
  if (header?.kind !== 'header' || columns?.kind !== 'columns') return null;
  return { header, columns };
}

/** The ids that positions start..end-1 name in their reasons (for one title read). */
export function storedViaIds(columns: StoredListColumns, start: number, end: number): string[] {
  const out: string[] = [];
  for (let p = start; p < end; p++)
    for (const v of storedVia(columns, p)) if (v !== null && v !== '') out.push(v);
  return out;
}

/**
 * Feature rows start..end-1 of a stored matrix (`StoredListColumns.features`,
 * base64 of float32 rows of `w` values), row-major; only the rows complete in
 * the matrix (none when w ≤ 0, fewer when it is short). Decodes only the
 * base64 groups that hold those rows, not the whole list: a page needs 20
 * rows of hundreds. Expects canonical base64, as `Buffer.toString('base64')`
 * writes it (every writer of the format does).
 */
export function storedFeatureRows(features: string, w: number, start: number, end: number): Float32Array {
  if (!(w > 0)) return new Float32Array(0);
  const rowBytes = w * 4;
  const complete = Math.floor(Buffer.byteLength(features, 'base64') / rowBytes);
  const count = Math.max(0, Math.min(end, complete) - start);
  if (count === 0) return new Float32Array(0);
  const b0 = start * rowBytes; // first byte wanted
  const c0 = Math.floor(b0 / 3) * 4; // its base64 group (3 bytes per 4 characters)
  const c1 = Math.min(features.length, Math.ceil((b0 + count * rowBytes) / 3) * 4);
  const bytes = Buffer.from(features.slice(c0, c1), 'base64');
  const skip = b0 - (c0 / 4) * 3;
  const out = new Float32Array(count * w); // a fresh buffer: aligned, platform byte order as written
  new Uint8Array(out.buffer).set(bytes.subarray(skip, skip + count * rowBytes));
  return out;
}

/** Positions start..end-1 of a stored list as served entries (reasons rebuilt with `titleOf`). */
export function storedEntries(
  stored: { header: StoredListHeader; columns: StoredListColumns },
  start: number,
  end: number,
  titleOf: (itemId: string) => string,
): ListEntry[] {
  const { header, columns } = stored;
  const ctx: ReasonContext = {
    seedItemId: header.seedItemId,
    typeOf: (id) => (Object.hasOwn(header.recentTypes, id) ? header.recentTypes[id] : undefined),
    titleOf,
  };
  const w = columns.width;
  const rows = storedFeatureRows(columns.features, w, start, end);
  const rowCount = w > 0 ? rows.length / w : 0;
  const out: ListEntry[] = [];
  for (let p = start; p < end; p++) {
    const sources = columns.sources[p]!.split(',');
    const via = storedVia(columns, p);
    const promotionId = columns.promotionIds[p];
    out.push({
      itemId: columns.ids[p]!,
      score: columns.scores[p]!,
      sources,
      reasons: reasonsFor(sources, via, columns.isNew[p] === '1', ctx),
      promotion:
        promotionId === undefined || !Object.hasOwn(header.promotions, promotionId)
          ? null
          : (header.promotions[promotionId] ?? null),
      features: p - start < rowCount ? Array.from(rows.subarray((p - start) * w, (p - start + 1) * w)) : null,
    });
  }
  return out;
}
