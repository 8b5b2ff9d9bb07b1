import type { ItemUpsert } from '../../services/gateway.js';
import { LIMITS } from '../limits.js';
import { attributesProblem } from './attributesProblem.js';
import { badUserInput } from './badUserInput.js';
import { hasLoneSurrogate } from './idProblem.js';
import { optionalDateTime } from './parseDateTime.js';
import { requireId } from './requireId.js';
import { requireShortString } from './requireShortString.js';

/** Longest item title accepted, in UTF-16 code units. */
const MAX_TITLE_LENGTH = 4096;

/** The GraphQL `ItemInput` as graphql-js hands it over. */
export interface ItemArgument {
  readonly id: string;
  readonly title?: string | null;
  readonly categories?: readonly string[] | null;
  readonly attributes?: unknown;
  readonly createdAt?: string | null;
  readonly available?: boolean | null;
}

/**
 * Checks one `ItemInput` and converts it for the engine: a valid id, a title
 * of at most 4096 characters, at most 1000 short categories (title and
 * categories well-formed Unicode), `attributes` a
 * JSON object nested at most 10 levels deep and at most 64 KiB as JSON,
 * `createdAt` RFC 3339 (to Unix ms).
 * @param path the input's path for messages, e.g. `items[2]`.
 * @throws PublicError BAD_USER_INPUT naming the field, e.g. `items[2].attributes`.
 */
export function toItemUpsert(input: ItemArgument, path: string): ItemUpsert {
  const { title, categories, attributes } = input;
  if (title !== null && title !== undefined && title.length > MAX_TITLE_LENGTH) {
    throw badUserInput(`${path}.title`, `be at most ${MAX_TITLE_LENGTH} characters`, title);
  }
  if (title !== null && title !== undefined && hasLoneSurrogate(title)) {
    throw badUserInput(`${path}.title`, 'be well-formed Unicode (no lone UTF-16 surrogate)', title);
  }
  if (categories && categories.length > LIMITS.maxBatch) {
    throw badUserInput(`${path}.categories`, `hold at most ${LIMITS.maxBatch} categories`, categories);
  }
  categories?.forEach((c, i) => requireShortString(c, `${path}.categories[${i}]`));
  const isObject = typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes);
  if (attributes !== null && attributes !== undefined && !isObject) {
    throw badUserInput(`${path}.attributes`, 'be a JSON object', attributes);
  }
  if (isObject) {
    const problem = attributesProblem(attributes as Record<string, unknown>);
    if (problem !== null) throw badUserInput(`${path}.attributes`, problem, attributes);
  }
  return {
    id: requireId(input.id, `${path}.id`),
    title: title ?? null,
    categories: categories ?? null,
    attributes: isObject ? (attributes as Record<string, unknown>) : null,
    createdAt: optionalDateTime(input.createdAt, `${path}.createdAt`),
    available: input.available ?? null,
  };
}
