import type { FeatureSpec } from './manifest.js';

const DAY_MS = 86_400_000;

/**
 * The ranker's input features, in input-tensor column order. The offline
 * trainer and the gateway both build rows with {@link writeFeatureRow}, so a
 * model never sees features computed two different ways (training/serving skew).
 */
export const RANKER_FEATURES: readonly FeatureSpec[] = [
  {
    name: 'retrieval_score',
    dtype: 'float32',
    default: 0,
    description:
      'user·item dot product over (‖user‖·max item norm), -1..1 (the cosine of the MIPS-to-cosine index); 0 without a user vector',
  },
  {
    name: 'embedding_cosine',
    dtype: 'float32',
    default: 0,
    description:
      'cosine between the user and item factors (the retrieval score without the item norm), -1..1',
  },
  {
    name: 'item_to_item_score',
    dtype: 'float32',
    default: 0,
    description: "log(1 + sum of co-occurrence cosines from the user's recent items to this item)",
  },
  {
    name: 'popularity',
    dtype: 'float32',
    default: 0,
    description: 'log(1 + decayed interaction count, long half-life)',
  },
  {
    name: 'trend',
    dtype: 'float32',
    default: 0,
    description: 'log(1 + decayed interaction count, short half-life)',
  },
  {
    name: 'trend_ratio',
    dtype: 'float32',
    default: 0,
    description: 'trend minus popularity (log ratio of short- to long-window counts): rising items are high',
  },
  {
    name: 'item_age_days',
    dtype: 'float32',
    default: Math.log1p(365),
    description: 'log(1 + days since the item was created or first seen)',
  },
  {
    name: 'user_activity',
    dtype: 'float32',
    default: 0,
    description: "log(1 + the user's number of interactions)",
  },
  {
    name: 'category_affinity',
    dtype: 'float32',
    default: 0,
    description: "largest share of the user's interactions in any of the item's categories, 0..1",
  },
  {
    name: 'days_since_category',
    dtype: 'float32',
    default: Math.log1p(3650),
    description: "log(1 + days since the user last interacted with any of the item's categories)",
  },
];

/** Number of ranker features (columns of the input tensor). */
export const RANKER_FEATURE_COUNT = RANKER_FEATURES.length;

/**
 * What the feature row needs to know about the user.
 * - `interactionCount`: all of the user's interactions so far.
 * - `categoryShare`: category → share of the user's interactions (0..1).
 * - `categoryLastSeen`: category → Unix ms of the user's latest interaction in it.
 * An unknown user has count 0 and empty maps.
 */
export interface UserFeatureState {
  readonly interactionCount: number;
  readonly categoryShare: ReadonlyMap<string, number>;
  readonly categoryLastSeen: ReadonlyMap<string, number>;
}

/**
 * What the feature row needs to know about the item.
 * - `popularity` / `trend`: decayed counts (long / short half-life), ≥ 0.
 * - `firstSeen`: Unix ms of creation or first interaction, `null` if unknown.
 */
export interface ItemFeatureState {
  readonly popularity: number;
  readonly trend: number;
  readonly firstSeen: number | null;
  readonly categories: readonly string[];
}

/**
 * Candidate-specific scores from candidate generation.
 * - `retrieval`: the index's cosine (dot product / (‖x‖·M)), or `null` without a user vector.
 * - `cosine`: the plain cosine of user and item factors, or `null`.
 * - `itemToItem`: sum of neighbour similarities from recent items (≥ 0).
 */
export interface CandidateScores {
  readonly retrieval: number | null;
  readonly cosine: number | null;
  readonly itemToItem: number;
}

// The RANKER_FEATURES defaults, by column (read once, not per row).
const DEFAULT_0 = RANKER_FEATURES[0]!.default;
const DEFAULT_1 = RANKER_FEATURES[1]!.default;
const DEFAULT_2 = RANKER_FEATURES[2]!.default;
const DEFAULT_3 = RANKER_FEATURES[3]!.default;
const DEFAULT_4 = RANKER_FEATURES[4]!.default;
const DEFAULT_5 = RANKER_FEATURES[5]!.default;
const DEFAULT_6 = RANKER_FEATURES[6]!.default;
const DEFAULT_7 = RANKER_FEATURES[7]!.default;
const DEFAULT_8 = RANKER_FEATURES[8]!.default;
const DEFAULT_9 = RANKER_FEATURES[9]!.default;

/**
 * Writes one feature row (RANKER_FEATURE_COUNT floats) into `out` at `offset`,
 * in {@link RANKER_FEATURES} order. Non-finite inputs fall back to the
 * feature's default, so the row is always finite.
 * @param now Unix ms the ages are measured from (request time, or the training reference time).
 */
export function writeFeatureRow(
  out: Float32Array,
  offset: number,
  user: UserFeatureState,
  item: ItemFeatureState,
  scores: CandidateScores,
  now: number,
): void {
  const popularity = log1pOfNonNegative(item.popularity);
  const trend = log1pOfNonNegative(item.trend);
  let affinity = 0;
  let lastSeen = -Infinity;
  const categories = item.categories;
  if (categories.length > 0) {
    const share = user.categoryShare;
    const seenAt = user.categoryLastSeen;
    for (let k = 0; k < categories.length; k++) {
      const c = categories[k]!;
      const s = share.get(c);
      if (s !== undefined && s > affinity) affinity = s;
      const seen = seenAt.get(c);
      if (seen !== undefined && seen > lastSeen) lastSeen = seen;
    }
  }
  // Written column by column (no per-row array), defaults hoisted (DEFAULT_*): this runs for every
  // candidate of every request.
  out[offset] = finiteOr(scores.retrieval ?? DEFAULT_0, DEFAULT_0);
  out[offset + 1] = finiteOr(scores.cosine ?? DEFAULT_1, DEFAULT_1);
  out[offset + 2] = finiteOr(log1pOfNonNegative(scores.itemToItem), DEFAULT_2);
  out[offset + 3] = finiteOr(popularity, DEFAULT_3);
  out[offset + 4] = finiteOr(trend, DEFAULT_4);
  out[offset + 5] = finiteOr(trend - popularity, DEFAULT_5);
  out[offset + 6] =
    item.firstSeen === null
      ? DEFAULT_6
      : finiteOr(Math.log1p(Math.max(0, now - item.firstSeen) / DAY_MS), DEFAULT_6);
  out[offset + 7] = finiteOr(userActivity(user.interactionCount), DEFAULT_7);
  out[offset + 8] = finiteOr(affinity, DEFAULT_8);
  out[offset + 9] =
    lastSeen === -Infinity
      ? DEFAULT_9
      : finiteOr(Math.log1p(Math.max(0, now - lastSeen) / DAY_MS), DEFAULT_9);
}

/**
 * log(1 + max(0, x)), with 0 for x ≤ 0 returned without the call: bit for bit
 * `Math.log1p(Math.max(0, x))` (log1p(+0) is +0, and max(0, −0) is +0), NaN
 * still NaN. Most candidates have no item-to-item score and many no recent
 * trend, so this skips hundreds of log1p calls per request.
 */
function log1pOfNonNegative(x: number): number {
  const m = Math.max(0, x);
  return m === 0 ? 0 : Math.log1p(m);
}

/** The last interaction count {@link userActivity} saw, and its feature value. */
let lastInteractionCount = 0;
let lastUserActivity = 0;

/**
 * The `user_activity` feature, log(1 + max(0, count)), remembered for the
 * last count: every row of a request has the same user, so the log is
 * computed once per request instead of once per candidate. Bit for bit the
 * direct formula (a remembered value is that formula's result for the same count).
 */
function userActivity(count: number): number {
  if (count !== lastInteractionCount) {
    lastInteractionCount = count;
    lastUserActivity = log1pOfNonNegative(count);
  }
  return lastUserActivity;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
