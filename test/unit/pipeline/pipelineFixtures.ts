import type { CatalogItem, Interaction, InteractionType } from '../../../src/domain/interaction.js';
import { denseFactorRows } from '../../../src/domain/factorRows.js';
import { mipsToCosine } from '../../../src/domain/mipsToCosine.js';
import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';
import type { NeighbourList } from '../../../models/retrieval/itemNeighbours.js';

/** Unix ms of the first synthetic interaction (2024-01-01T00:00:00Z). */
export const T0 = Date.UTC(2024, 0, 1);
/** One hour in ms; synthetic interactions are an hour apart. */
export const HOUR = 3_600_000;

/** A catalog item with only the fields the pipeline reads set. */
export function catalogItem(
  id: string,
  categories: string[] = [],
  extra: Partial<CatalogItem> = {},
): CatalogItem {
  return { id, title: null, categories, attributes: {}, createdAt: null, available: true, ...extra };
}

/** Builds a catalog map from items, keyed by id, in the given order. */
export function catalogOf(items: CatalogItem[]): Map<string, CatalogItem> {
  return new Map(items.map((item) => [item.id, item]));
}

/** One interaction `hours` after {@link T0}. */
export function event(
  userId: string,
  itemId: string,
  hours: number,
  type: InteractionType = 'CLICK',
): Interaction {
  return { userId, itemId, timestamp: T0 + hours * HOUR, type, value: null };
}

/**
 * A hand-made {@link ModelBundle} over `n = factors.length / d` items `i0…i{n−1}`:
 * item vectors from `mipsToCosine(factors)`, no users, zero counts, every item
 * available and without neighbours unless overridden.
 */
export function handBundle(
  factors: Float32Array,
  d: number,
  overrides: Partial<ModelBundle> = {},
): ModelBundle {
  const n = factors.length / d;
  const itemIds = Array.from({ length: n }, (_, i) => `i${i}`);
  const { vectors, maxNorm } = mipsToCosine(factors, n, d);
  return {
    itemIds,
    itemIndex: new Map(itemIds.map((id, i) => [id, i])),
    userIds: [],
    userIndex: new Map(),
    dimension: d,
    itemVectors: vectors,
    maxItemNorm: maxNorm,
    itemFactors: denseFactorRows(factors, d),
    userVectors: new Float32Array(0),
    neighbours: itemIds.map(() => ({ items: new Int32Array(0), scores: new Float32Array(0) })),
    popularity: new Float32Array(n),
    trend: new Float32Array(n),
    trainCounts: new Float32Array(n),
    itemState: itemIds.map(() => ({ popularity: 0, trend: 0, firstSeen: null, categories: [] })),
    available: new Uint8Array(itemIds.length).fill(1),
    referenceTime: T0,
    ...overrides,
  };
}

/** A neighbour list from [item, score] pairs. */
export function neighbourList(pairs: [number, number][]): NeighbourList {
  return { items: Int32Array.from(pairs, (p) => p[0]), scores: Float32Array.from(pairs, (p) => p[1]) };
}

/**
 * A small two-genre world: 12 items `m0…m11` alternating drama/comedy (m5
 * unavailable, m0 with a creation time) and 16 users, each clicking 4 items of
 * one genre an hour apart, so items co-occur and iALS has structure to find.
 */
export function syntheticWorld(): { catalog: Map<string, CatalogItem>; interactions: Interaction[] } {
  const genres = ['drama', 'comedy'];
  const catalog = catalogOf(
    Array.from({ length: 12 }, (_, i) =>
      catalogItem(`m${i}`, [genres[i % 2]!], {
        available: i !== 5,
        createdAt: i === 0 ? T0 - 30 * 24 * HOUR : null,
      }),
    ),
  );
  const interactions: Interaction[] = [];
  let hour = 0;
  for (let u = 0; u < 16; u++) {
    for (let k = 0; k < 4; k++) interactions.push(event(`u${u}`, `m${(u % 2) + 2 * ((u + k) % 6)}`, hour++));
  }
  return { catalog, interactions };
}
