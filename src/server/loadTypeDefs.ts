import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `schema/` folder (this file is `src/server/loadTypeDefs.ts`). */
export const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../schema');

/**
 * Reads every `*.graphql` file of `schema/` (one per domain), sorted by name,
 * as SDL strings for Apollo Server. `type Query` and `type Mutation` are
 * declared once and extended by the other files, so the order does not matter.
 */
export function loadTypeDefs(dir: string = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
