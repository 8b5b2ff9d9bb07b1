// About 320 lines, over the ~300 guideline: the generator is one documented recipe whose
// steps share the same seeded stream; split up, its reproducibility would be harder to read.
import type { CatalogItem } from '../domain/interaction.js';
import { denseFactorRows } from '../domain/factorRows.js';
import { mipsToCosine } from '../domain/mipsToCosine.js';
import { createRandom } from '../domain/random.js';
import type { Random } from '../domain/random.js';
import type { ModelBundle, UserState } from '../../models/pipeline/modelBundle.js';
import type { NeighbourList } from '../../models/retrieval/itemNeighbours.js';

/** Bumped whenever the recipe below changes, so cached catalogs are regenerated. */
export const SYNTHETIC_GENERATOR_VERSION = 1;

/** Options of {@link generateSyntheticCatalog}; all but `items` are optional. */
export interface SyntheticCatalogOptions {
  /** Catalog size n, an integer ≥ 100. */
  readonly items: number;
  /** Factor dimension d; item vectors have d + 1 components (MIPS-to-cosine). @default 64 */
  readonly dimension?: number;
  /** Seed of the one Mersenne Twister stream every step draws from. @default 42 */
  readonly seed?: number;
  /** Users with trained factors and a history. @default clamp(n / 10, 1000, 20000) */
  readonly users?: number;
  /** Item-to-item neighbours kept per item. @default 10 */
  readonly neighbours?: number;
  /** The end of the synthetic history (Unix ms): ages and decays run from here. @default 2024-01-01T00:00:00Z */
  readonly referenceTime?: number;
}

/** A generated catalog: what a training run would produce, plus the latent truth used to label ranker rows. */
export interface SyntheticCatalog {
  readonly bundle: ModelBundle;
  readonly users: ReadonlyMap<string, UserState>;
  readonly catalog: ReadonlyMap<string, CatalogItem>;
  /** Topic of each item row. */
  readonly itemTopic: Int32Array;
  /** Favourite topics of each user row. */
  readonly userTopics: readonly (readonly number[])[];
  /** Interactions in all user histories. */
  readonly interactions: number;
  /** The resolved options. */
  readonly settings: Required<SyntheticCatalogOptions> & {
    readonly topics: number;
    readonly generatorVersion: number;
  };
}

const DAY_MS = 86_400_000;
const GENRES = 24;

/**
 * Generates a catalog with the shape of a trained recgate model, from a
 * documented latent-topic recipe (seeded, so the same options give the same
 * bytes):
 *
 * 1. T = max(16, round(√n)) topics, each with a centre μ_t ~ N(0, I/d) and
 *    two of 24 genres (`genre-00`…`genre-23`).
 * 2. Popularity: items take Zipf ranks (exponent 0.9) in random order;
 *    `counts` = ⌊50·√n / rank^0.9⌋ + 1, long-window decayed popularity =
 *    counts × U(0.3, 1), trend = popularity × U(0, 0.3) × LogNormal(0, 1).
 * 3. Item i: topic t uniform; factor yᵢ = sᵢ · unit(μ_t + 0.6·ε), ε ~ N(0, I/d)
 *    (cosine within a topic ≈ 0.74), norm sᵢ = 0.3 + 0.7·(count/max count)^0.25
 *    (popular items have larger iALS norms); categories: the topic's two genres,
 *    plus a random third with probability 0.3; 2 % unavailable; first seen
 *    U(0, 1095) days before the reference time. Item vectors are the
 *    MIPS-to-cosine transform (Bachrach et al. 2014) of the factors.
 * 4. User u: 1–3 favourite topics; factor xᵤ = 1.5 · unit(Σ μ_t + 0.3·ε);
 *    a history of 10 + ⌊190·U³⌋ items drawn uniformly from the favourite
 *    topics, spread over the last 365 days (recent = the latest 20; category
 *    shares and last-seen times from the history).
 * 5. Neighbours: per item, the best `neighbours` by factor cosine among 64
 *    items drawn from its topic (an approximation of co-occurrence lists).
 *
 * O(n·d·64) time for the neighbours, O(n·d) memory.
 * @throws RangeError for fewer than 100 items or a dimension < 2.
 */
export function generateSyntheticCatalog(options: SyntheticCatalogOptions): SyntheticCatalog {
  const n = options.items;
  if (!Number.isInteger(n) || n < 100)
    throw new RangeError(`items: expected an integer ≥ 100, received ${n}`);
  const d = options.dimension ?? 64;
  if (!Number.isInteger(d) || d < 2)
    throw new RangeError(`dimension: expected an integer ≥ 2, received ${d}`);
  const seed = options.seed ?? 42;
  const m = options.users ?? Math.min(20_000, Math.max(1000, Math.round(n / 10)));
  const kNeighbours = options.neighbours ?? 10;
  const referenceTime = options.referenceTime ?? Date.UTC(2024, 0, 1);
  const T = Math.max(16, Math.round(Math.sqrt(n)));
  const random = createRandom(seed);
  const scale = 1 / Math.sqrt(d);

  // 1. Topics.
  const centres = new Float64Array(T * d);
  for (let i = 0; i < centres.length; i++) centres[i] = random.normal() * scale;
  const topicGenres: [number, number][] = [];
  for (let t = 0; t < T; t++) {
    const a = random.int(0, GENRES - 1);
    topicGenres.push([a, (a + random.int(1, GENRES - 1)) % GENRES]);
  }

  // 2. Popularity.
  const rank = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInts(rank, random);
  const counts = new Float32Array(n);
  const popularity = new Float32Array(n);
  const trend = new Float32Array(n);
  const top = 50 * Math.sqrt(n);
  let maxCount = 0;
  for (let i = 0; i < n; i++) {
    counts[i] = Math.floor(top / Math.pow(rank[i]! + 1, 0.9)) + 1;
    maxCount = Math.max(maxCount, counts[i]!);
    popularity[i] = counts[i]! * (0.3 + 0.7 * random.next());
    trend[i] = popularity[i]! * 0.3 * random.next() * Math.exp(random.normal());
  }

  // 3. Items.
  const itemIds = Array.from({ length: n }, (_, i) => `i${i}`);
  const itemTopic = new Int32Array(n);
  const factors = new Float32Array(n * d);
  const catalog = new Map<string, CatalogItem>();
  const itemState: ModelBundle['itemState'][number][] = [];
  const available = new Uint8Array(n);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const t = random.int(0, T - 1);
    itemTopic[i] = t;
    for (let p = 0; p < d; p++) row[p] = centres[t * d + p]! + 0.6 * random.normal() * scale;
    const s = (0.3 + 0.7 * Math.pow(counts[i]! / maxCount, 0.25)) / norm(row);
    for (let p = 0; p < d; p++) factors[i * d + p] = row[p]! * s;
    const genres = [genreName(topicGenres[t]![0]), genreName(topicGenres[t]![1])];
    if (random.next() < 0.3) {
      const extra = genreName(random.int(0, GENRES - 1));
      if (!genres.includes(extra)) genres.push(extra);
    }
    const firstSeen = referenceTime - Math.floor(random.next() * 1095 * DAY_MS);
    const isAvailable = random.next() >= 0.02;
    available[i] = isAvailable ? 1 : 0;
    itemState.push({ popularity: popularity[i]!, trend: trend[i]!, firstSeen, categories: genres });
    catalog.set(itemIds[i]!, {
      id: itemIds[i]!,
      title: `Synthetic item ${i}`,
      categories: genres,
      attributes: { topic: t },
      createdAt: firstSeen,
      available: isAvailable,
    });
  }
  const { vectors: itemVectors, maxNorm } = mipsToCosine(factors, n, d);
  const byTopic = groupByTopic(itemTopic, T);

  // 4. Users.
  const userIds = Array.from({ length: m }, (_, u) => `u${u}`);
  const userVectors = new Float32Array(m * d);
  const users = new Map<string, UserState>();
  const userTopics: number[][] = [];
  let interactions = 0;
  for (let u = 0; u < m; u++) {
    const topics = Array.from({ length: random.int(1, 3) }, () => random.int(0, T - 1));
    userTopics.push(topics);
    row.fill(0);
    for (const t of topics) for (let p = 0; p < d; p++) row[p] = row[p]! + centres[t * d + p]!;
    for (let p = 0; p < d; p++) row[p] = row[p]! + 0.3 * random.normal() * scale;
    const s = 1.5 / norm(row);
    for (let p = 0; p < d; p++) userVectors[u * d + p] = row[p]! * s;
    const length = 10 + Math.floor(190 * Math.pow(random.next(), 3));
    interactions += length;
    const history: { item: number; at: number }[] = [];
    for (let h = 0; h < length; h++) {
      const members = byTopic[topics[random.int(0, topics.length - 1)]!]!;
      if (members.length === 0) continue;
      history.push({
        item: members[random.int(0, members.length - 1)]!,
        at: referenceTime - Math.floor(random.next() * 365 * DAY_MS),
      });
    }
    history.sort((a, b) => b.at - a.at);
    const categoryCount = new Map<string, number>();
    const categoryLastSeen = new Map<string, number>();
    for (const { item, at } of history) {
      for (const c of itemState[item]!.categories) {
        categoryCount.set(c, (categoryCount.get(c) ?? 0) + 1);
        if (!categoryLastSeen.has(c)) categoryLastSeen.set(c, at);
      }
    }
    const categoryShare = new Map([...categoryCount].map(([c, k]) => [c, k / Math.max(1, history.length)]));
    const recentItems = [...new Set(history.map((e) => e.item))].slice(0, 20);
    users.set(userIds[u]!, {
      interactionCount: history.length,
      categoryShare,
      categoryLastSeen,
      seen: new Set(history.map((e) => e.item)),
      recentItems,
    });
  }

  // 5. Neighbours.
  const neighbours = sampledNeighbours(factors, d, itemTopic, byTopic, kNeighbours, random);

  const bundle: ModelBundle = {
    itemIds,
    itemIndex: new Map(itemIds.map((id, i) => [id, i])),
    userIds,
    userIndex: new Map(userIds.map((id, u) => [id, u])),
    dimension: d,
    itemVectors,
    maxItemNorm: maxNorm,
    itemFactors: denseFactorRows(factors, d),
    userVectors,
    neighbours,
    popularity,
    trend,
    trainCounts: counts,
    itemState,
    available,
    referenceTime,
  };
  return {
    bundle,
    users,
    catalog,
    itemTopic,
    userTopics,
    interactions,
    settings: {
      items: n,
      dimension: d,
      seed,
      users: m,
      neighbours: kNeighbours,
      referenceTime,
      topics: T,
      generatorVersion: SYNTHETIC_GENERATOR_VERSION,
    },
  };
}

function genreName(g: number): string {
  return `genre-${String(g).padStart(2, '0')}`;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let p = 0; p < v.length; p++) s += v[p]! * v[p]!;
  return Math.sqrt(s) || 1;
}

/** Fisher–Yates on a typed array with the shared stream. */
function shuffleInts(a: Int32Array, random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
}

/** Item rows per topic, in row order. */
function groupByTopic(itemTopic: Int32Array, topics: number): Int32Array[] {
  const sizes = new Int32Array(topics);
  for (const t of itemTopic) sizes[t]!++;
  const groups = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(topics);
  for (let i = 0; i < itemTopic.length; i++) {
    const t = itemTopic[i]!;
    groups[t]![fill[t]!++] = i;
  }
  return groups;
}

/** Per item, the `k` best of 64 same-topic samples by factor cosine (step 5 of the recipe), best first. */
function sampledNeighbours(
  factors: Float32Array,
  d: number,
  itemTopic: Int32Array,
  byTopic: readonly Int32Array[],
  k: number,
  random: Random,
): NeighbourList[] {
  const n = itemTopic.length;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < d; p++) s += factors[i * d + p]! ** 2;
    norms[i] = Math.sqrt(s) || 1;
  }
  const out: NeighbourList[] = [];
  const cand = new Int32Array(64);
  const score = new Float64Array(64);
  for (let i = 0; i < n; i++) {
    const members = byTopic[itemTopic[i]!]!;
    let c = 0;
    for (let s = 0; s < 64 && members.length > 1; s++) {
      const j = members[random.int(0, members.length - 1)]!;
      if (j === i || cand.subarray(0, c).includes(j)) continue;
      let dot = 0;
      for (let p = 0; p < d; p++) dot += factors[i * d + p]! * factors[j * d + p]!;
      cand[c] = j;
      score[c++] = dot / (norms[i]! * norms[j]!);
    }
    const order = Array.from({ length: c }, (_, x) => x)
      .sort((a, b) => score[b]! - score[a]! || cand[a]! - cand[b]!)
      .slice(0, k);
    out.push({
      items: Int32Array.from(order, (x) => cand[x]!),
      scores: Float32Array.from(order, (x) => score[x]!),
    });
  }
  return out;
}
