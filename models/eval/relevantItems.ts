import type { Interaction } from '../../src/domain/interaction.js';

/**
 * Options of {@link relevantItems}.
 * - `positiveThreshold`: a `RATING` counts only when `value >= positiveThreshold` (on the
 *   dataset's own scale; evaluation.md: 4 of 5, 7 of 10 for `temporal`); `null` = every test
 *   interaction counts, ratings of any value included (the `random` splits).
 * - `exclude`: per user, items never to count as relevant, e.g. the user's training items,
 *   which full ranking can never recommend. @default no exclusion
 */
export interface RelevantItemsOptions {
  readonly positiveThreshold: number | null;
  readonly exclude?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The relevant (positive) test items of each user: the ground truth of the ranking metrics.
 * Rules per test interaction: `DISLIKE` and `DISMISS` never count; a `RATING` counts when
 * `positiveThreshold` is `null` or its `value` is non-null and `>= positiveThreshold`; every
 * other type (VIEW, CLICK, LIKE, ADD_TO_CART, PURCHASE, SHARE) counts whatever its value.
 * @param test the test part of a split.
 * @returns userId → non-empty set of itemIds; users with no relevant item are absent.
 * @throws RangeError when `positiveThreshold` is neither `null` nor a finite number.
 */
export function relevantItems(
  test: readonly Interaction[],
  options: RelevantItemsOptions,
): Map<string, Set<string>> {
  const { positiveThreshold: threshold, exclude } = options;
  if (threshold !== null && !Number.isFinite(threshold)) {
    throw new RangeError(`positiveThreshold must be a finite number or null, got ${threshold}`);
  }
  const relevant = new Map<string, Set<string>>();
  for (const { userId, itemId, type, value } of test) {
    if (type === 'DISLIKE' || type === 'DISMISS') continue;
    if (threshold !== null && type === 'RATING' && (value === null || value < threshold)) continue;
    if (exclude?.get(userId)?.has(itemId) === true) continue;
    const items = relevant.get(userId);
    if (items === undefined) relevant.set(userId, new Set([itemId]));
    else items.add(itemId);
  }
  return relevant;
}
