import type { UserStateRecord } from '../../models/registry/publishVersion.js';
import { yieldToEventLoop } from '../pipeline/yieldToEventLoop.js';
import type { ModelRegistry } from '../stores/modelRegistry.js';

/** Records {@link checkUserStates} reads per event-loop turn. */
export const CHECK_CHUNK_RECORDS = 500;

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

/**
 * Reads every user state record of `version` once, keeping none, so that a
 * malformed line fails before anything is written (the file registry parses
 * records only as they are iterated). Yields to the event loop after every
 * {@link CHECK_CHUNK_RECORDS} records, so a gateway that checks a model's
 * file before re-seeding Redis keeps answering meanwhile (docs/redis.md).
 * @returns the number of records.
 * @throws Error as {@link readUserStates} and its iteration do.
 */
export async function checkUserStates(registry: ModelRegistry, version: string): Promise<number> {
  let n = 0;
  for (const _record of await readUserStates(registry, version)) {
    if (++n % CHECK_CHUNK_RECORDS === 0) await yieldToEventLoop();
  }
  return n;
}
