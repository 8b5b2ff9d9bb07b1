/**
 * Shared domain types for interactions and catalog items. Both the offline
 * side (`models/`) and the online engine (`src/`) use them; nothing here
 * knows about files, Redis or GraphQL.
 */

/** Feedback event types, the same names as the GraphQL `FeedbackType` enum. */
export const INTERACTION_TYPES = [
  'VIEW',
  'CLICK',
  'LIKE',
  'DISLIKE',
  'ADD_TO_CART',
  'PURCHASE',
  'RATING',
  'SHARE',
  'DISMISS',
] as const;

/** One of {@link INTERACTION_TYPES}. */
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/** Type guard for {@link InteractionType}. */
export function isInteractionType(value: string): value is InteractionType {
  return (INTERACTION_TYPES as readonly string[]).includes(value);
}

/**
 * One user–item event.
 * - `userId`, `itemId`: opaque non-empty strings (ids such as MovieTweetings'
 *   zero-padded `0110912` stay strings).
 * - `timestamp`: Unix time in **milliseconds** (UTC).
 * - `value`: the rating for `RATING` (on the dataset's own scale), dwell
 *   seconds for `VIEW`, otherwise `null`.
 */
export interface Interaction {
  readonly userId: string;
  readonly itemId: string;
  readonly timestamp: number;
  readonly type: InteractionType;
  readonly value: number | null;
}

/**
 * A catalog item.
 * - `categories`: free-form labels (genres), possibly empty.
 * - `attributes`: JSON-serialisable extra fields.
 * - `createdAt`: Unix ms when the item entered the catalog, or `null` if unknown.
 * - `available`: `false` hides the item from every list.
 */
export interface CatalogItem {
  readonly id: string;
  readonly title: string | null;
  readonly categories: readonly string[];
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly createdAt: number | null;
  readonly available: boolean;
}

/**
 * Rating scale of a dataset with explicit ratings. `positiveThreshold` is the
 * smallest rating counted as a positive under the `temporal` split
 * (evaluation.md: 4 of 5, 7 of 10).
 */
export interface RatingScale {
  readonly min: number;
  readonly max: number;
  readonly positiveThreshold: number;
}
