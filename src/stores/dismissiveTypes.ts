import type { InteractionType } from '../domain/interaction.js';

/**
 * Interaction types that mean "not for me": they put the item in the user's
 * `dismissed` set and add no affinity, count or popularity. The same two
 * types are negative in training (`NEGATIVE_TYPES` in
 * models/pipeline/buildUserStates.ts); `src/` keeps its own copy because the
 * gateway depends on `models/` only through the registry format.
 */
export const DISMISSIVE_TYPES: ReadonlySet<InteractionType> = new Set<InteractionType>([
  'DISMISS',
  'DISLIKE',
]);
