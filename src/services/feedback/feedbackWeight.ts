import type { InteractionType, RatingScale } from '../../domain/interaction.js';

/**
 * Positive weight of each feedback type: how much one event adds to the item's
 * popularity/trend counters and to the user's fold-in (iALS preference
 * strength w, confidence 1 + α·w). 0 = not a positive signal. RATING is
 * scaled by {@link feedbackWeight}.
 */
export const FEEDBACK_TYPE_WEIGHTS: Readonly<Record<Exclude<InteractionType, 'RATING'>, number>> = {
  VIEW: 0.5,
  CLICK: 1,
  LIKE: 2,
  ADD_TO_CART: 2,
  PURCHASE: 3,
  SHARE: 2,
  DISLIKE: 0,
  DISMISS: 0,
};

/** Rating scale assumed when the served model was trained on implicit data: the API's 0..10, positive from 7. */
export const DEFAULT_FEEDBACK_RATING_SCALE: RatingScale = { min: 0, max: 10, positiveThreshold: 7 };

/**
 * The positive weight of one event (≥ 0).
 * - RATING with a value: 0 below the scale's `positiveThreshold`, else
 *   1 + (value − threshold) / (max − threshold), clamped to 1..2 (1 at the
 *   threshold, 2 at the top of the scale). A RATING without a value (a seeded
 *   training positive) weighs 1.
 * - Other types: {@link FEEDBACK_TYPE_WEIGHTS}.
 * @param scale the served model's rating scale (`manifest.training.ratingScale`),
 *   or null for implicit data ({@link DEFAULT_FEEDBACK_RATING_SCALE}).
 */
export function feedbackWeight(
  type: InteractionType,
  value: number | null,
  scale: RatingScale | null,
): number {
  if (type !== 'RATING') return FEEDBACK_TYPE_WEIGHTS[type];
  if (value === null) return 1;
  const { max, positiveThreshold } = scale ?? DEFAULT_FEEDBACK_RATING_SCALE;
  if (!(value >= positiveThreshold)) return 0;
  const span = max - positiveThreshold;
  return span > 0 ? Math.min(2, 1 + (value - positiveThreshold) / span) : 1;
}
