/**
 * Limits on the shape of a GraphQL document, checked before anything runs:
 * the token count while parsing, the others while validating. A document over
 * a limit is refused at once with a message naming the limit and the value
 * found (docs/api.md, "Limits"). Every limit is a positive integer.
 */
export interface QueryLimits {
  /**
   * Deepest field nesting of an operation, counted in fields (fragments are
   * flattened; introspection's `__schema` is not counted). Env `RECGATE_MAX_DEPTH`.
   * @default 8
   */
  readonly maxDepth: number;
  /** Most aliases in an operation, fragments included (`__typename` aliases are free). Env `RECGATE_MAX_ALIASES`. @default 15 */
  readonly maxAliases: number;
  /** Most directives (`@include`, `@skip`, …) in an operation, fragments included. Env `RECGATE_MAX_DIRECTIVES`. @default 50 */
  readonly maxDirectives: number;
  /**
   * Most root fields (top-level selections) in an operation, counted through
   * fragment spreads and inline fragments, every occurrence counted
   * (`__typename` is free); see rootFieldsRule.ts. Env `RECGATE_MAX_ROOT_FIELDS`.
   * @default 10
   */
  readonly maxRootFields: number;
  /**
   * Most lexical tokens in a document (names, punctuation, values; commas and
   * comments are free). Variables are JSON, not tokens: a 1000-event
   * `recordFeedbackBatch` sent as a variable costs a few dozen tokens, but as
   * a literal list about 11 tokens per event, so literal batches stop at
   * roughly 450 events. Env `RECGATE_MAX_TOKENS`. @default 5000
   */
  readonly maxTokens: number;
  /**
   * Most list entries an operation may ask for, estimated by multiplying the
   * `first` arguments (or the length of `items(ids)`) down the nesting; see
   * listCostRule.ts. Env `RECGATE_MAX_LIST_ITEMS`. @default 2000
   */
  readonly maxListItems: number;
}

/** The defaults of {@link QueryLimits}. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxDirectives: 50,
  maxRootFields: 10,
  maxTokens: 5000,
  maxListItems: 2000,
};

/** The environment variable of each limit, read by `serveConfigFrom`. */
export const QUERY_LIMIT_ENV: { readonly [K in keyof QueryLimits]: string } = {
  maxDepth: 'RECGATE_MAX_DEPTH',
  maxAliases: 'RECGATE_MAX_ALIASES',
  maxDirectives: 'RECGATE_MAX_DIRECTIVES',
  maxRootFields: 'RECGATE_MAX_ROOT_FIELDS',
  maxTokens: 'RECGATE_MAX_TOKENS',
  maxListItems: 'RECGATE_MAX_LIST_ITEMS',
};

/**
 * The defaults overridden by `overrides` (undefined entries keep the default).
 * @throws RangeError naming the limit when a value is not a positive integer.
 */
export function resolveQueryLimits(overrides: Partial<QueryLimits> = {}): QueryLimits {
  const limits = { ...DEFAULT_QUERY_LIMITS };
  for (const key of Object.keys(DEFAULT_QUERY_LIMITS) as (keyof QueryLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${key}: expected a positive integer, received ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
