import type { UserStateRecord } from '../../models/registry/publishVersion.js';
import type { ModelRegistry } from '../stores/modelRegistry.js';

/**
 * The users' state at the end of training for `version` (`user-state.jsonl`,
 * one {@link UserStateRecord} per user, possibly parsed as it is iterated:
 * iterate once), to seed the feature store with.
 * Returns `[]` when the registry adapter does not provide user states (every
 * user then starts as new).
 * @throws Error naming the file and line when the file is missing or a line is malformed (the file registry: while iterating).
 */
export async function readUserStates(
  registry: ModelRegistry,
  version: string,
): Promise<Iterable<UserStateRecord>> {
  if (registry.readUserStates === undefined) return [];
  return registry.readUserStates(version);
}
