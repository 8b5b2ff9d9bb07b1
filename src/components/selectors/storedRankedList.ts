import type { InteractionType } from '../../domain/interaction.js';
import type { RankedList } from '../../pipeline/rankedList.js';
import type { ExperimentAssignment, Promotion } from '../../services/serviceTypes.js';
import type { StoredRankedList } from '../../stores/featureStore.js';
import { activePromotions } from '../activePromotions.js';
import type { ListEntry } from '../listEntries.js';
import { isNewAt } from '../listEntries.js';
import type { RecommendationQuery } from '../recommendationQuery.js';
import { reasonsFor } from '../reasons.js';
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
}

/**
 * The list itself, column by column (`entries[1]`): a handful of arrays and
 * strings instead of an object per item, so keeping hundreds of lists for
 * 10 minutes costs the garbage collector little. Position p (0-based):
 * `ids[p]`, `scores[p]`, `sources[p]` (comma-separated kinds), `via[p]`
 * (U+001F-separated, parallel to the kinds, '' for none), `isNew[p]` ('1'/'0'),
 * `promotionIds[p]` (sparse), feature row p of `features` (base64 float32, `width` columns).
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
}

const SEP = '\u001f';

/** The whole final list of a query in the stored shape (JSON-safe: also fits Redis). */
export async function toStoredList(q: RecommendationQuery, list: RankedList): Promise<StoredRankedList> {
  const order = list.order;
  const n = order.length;
  const w = list.features.width;
  const matrix = new Float32Array(n * w);
  const ids = new Array<string>(n);
  const scores = new Array<number>(n);
  const sources = new Array<string>(n);
  const via = new Array<string>(n);
  let isNew = '';
  const promotionIds: Record<number, string> = {};
  const promotions: Record<string, Promotion> = {};
  const active = new Map((await activePromotions(q)).map((p) => [p.id, p]));
  for (let p = 0; p < n; p++) {
    const idx = order[p]!;
    const c = list.candidates[idx]!;
    ids[p] = c.itemId;
    scores[p] = list.scores[idx]!;
    sources[p] = c.sources.join(',');
    via[p] = c.via.some((v) => v !== null) ? c.via.map((v) => v ?? '').join(SEP) : '';
    isNew += isNewAt(q, idx) ? '1' : '0';
    if (c.promotionId !== null) {
      promotionIds[p] = c.promotionId;
      const promo = active.get(c.promotionId);
      if (promo) promotions[promo.id] = promo;
    }
    if (w > 0) matrix.set(list.features.data.subarray(idx * w, (idx + 1) * w), p * w);
  }
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
  };
  return { requestId: q.requestId, entries: [header, columns] };
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
    for (const v of (columns.via[p] ?? '').split(SEP)) if (v !== '') out.push(v);
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
    typeOf: (id) => header.recentTypes[id],
    titleOf,
  };
  const w = columns.width;
  const bytes = Buffer.from(columns.features, 'base64');
  const matrix = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  const out: ListEntry[] = [];
  for (let p = start; p < end; p++) {
    const sources = columns.sources[p]!.split(',');
    const viaText = columns.via[p] ?? '';
    const via = viaText === '' ? [] : viaText.split(SEP).map((v) => (v === '' ? null : v));
    const promotionId = columns.promotionIds[p];
    out.push({
      itemId: columns.ids[p]!,
      score: columns.scores[p]!,
      sources,
      reasons: reasonsFor(sources, via, columns.isNew[p] === '1', ctx),
      promotion: promotionId === undefined ? null : (header.promotions[promotionId] ?? null),
      features:
        w > 0 && matrix.length >= (p + 1) * w ? Array.from(matrix.subarray(p * w, (p + 1) * w)) : null,
    });
  }
  return out;
}
