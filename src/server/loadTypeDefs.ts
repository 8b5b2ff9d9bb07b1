import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths/packageRoot.js';

/** The package's `schema/` folder (from the package root, so the same from `src/` and `dist/src/`). */
export const SCHEMA_DIR = join(PACKAGE_ROOT, 'schema');

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
