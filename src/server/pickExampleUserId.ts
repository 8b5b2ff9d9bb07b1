import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCurrentVersion } from '../../models/registry/registryPaths.js';

/**
 * A user of the served registry version for GraphiQL's and the CLI's example
 * query: the one with the most interactions in `user-state.jsonl` (see
 * docs/registry.md), so the example shows personalised results. `undefined`
 * when there is no current version or no user state.
 */
export function pickExampleUserId(registryDir: string, modelName: string): string | undefined {
  const version = readCurrentVersion(registryDir, modelName);
  if (version === null) return undefined;
  const file = join(registryDir, modelName, version, 'user-state.jsonl');
  if (!existsSync(file)) return undefined;
  let best: { userId: string; count: number } | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { userId?: unknown; interactionCount?: unknown };
    if (typeof record.userId !== 'string' || typeof record.interactionCount !== 'number') continue;
    if (best === undefined || record.interactionCount > best.count) {
      best = { userId: record.userId, count: record.interactionCount };
    }
  }
  return best?.userId;
}
