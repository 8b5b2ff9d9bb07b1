import type { Interaction } from '../../src/domain/interaction.js';

/**
 * The items each user interacted with, of any type (a disliked or dismissed item is
 * "seen" too). Applied to the training part, it is the set full ranking excludes per user
 * (evaluation.md: "the model ranks every catalog item the user has not interacted with in the
 * training part") and the `exclude` of `relevantItems`.
 * @param interactions usually `split.train`.
 * @returns userId → non-empty set of itemIds; users without interactions are absent.
 */
export function itemsByUser(interactions: readonly Interaction[]): Map<string, Set<string>> {
  const byUser = new Map<string, Set<string>>();
  for (const { userId, itemId } of interactions) {
    const items = byUser.get(userId);
    if (items === undefined) byUser.set(userId, new Set([itemId]));
    else items.add(itemId);
  }
  return byUser;
}
