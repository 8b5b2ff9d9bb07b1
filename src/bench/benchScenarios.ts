import { createRandom } from '../domain/random.js';

/** One benchmark scenario: a name and the POST bodies its requests cycle through. */
export interface BenchScenario {
  /** `recommendations`, `similarItems`, `feedbackBatch`, `feedbackThenRead` or `typename`. */
  readonly name: ScenarioName;
  /** What one request does, for the report. */
  readonly description: string;
  /** JSON bodies for POST /graphql; request i sends `bodies[i % bodies.length]`. */
  readonly bodies: readonly string[];
  /** Work units per request (feedback events for `feedbackBatch`, else 1). */
  readonly unitsPerRequest: number;
  /** Fixed offered rates (requests/s) at which latency is measured open-loop. */
  readonly rates: readonly number[];
}

/** The scenarios of issue #6. */
export type ScenarioName =
  'recommendations' | 'similarItems' | 'feedbackBatch' | 'feedbackThenRead' | 'typename';

/** Every scenario name, in report order. */
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'recommendations',
  'similarItems',
  'feedbackBatch',
  'feedbackThenRead',
  'typename',
];

const RECOMMENDATIONS = `query Bench($userId: ID!) {
  recommendations(userId: $userId, first: 20) {
    requestId modelVersion degraded
    items { rank score sources reasons item { id title categories } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const SIMILAR = `query Bench($itemId: ID!) {
  similarItems(itemId: $itemId, first: 10) { requestId items { rank score item { id title categories } } }
}`;
const FEEDBACK = `mutation Bench($inputs: [FeedbackInput!]!) {
  recordFeedbackBatch(inputs: $inputs) { accepted eventId error { code } }
}`;
const FEEDBACK_TYPES = ['CLICK', 'CLICK', 'CLICK', 'VIEW', 'LIKE', 'ADD_TO_CART'] as const;

/**
 * Builds the scenarios over known ids: `variants` bodies each (seeded by
 * `seed`), so requests spread over many users and items as real traffic does.
 * - `recommendations`: `recommendations(userId, first: 20)` with the fields a
 *   client shows (rank, score, sources, reasons, item id/title/categories, paging).
 * - `similarItems`: `similarItems(itemId, first: 10)`.
 * - `feedbackBatch`: `recordFeedbackBatch` of 100 events (CLICK, VIEW with a
 *   dwell time, LIKE, ADD_TO_CART) by known users on known items.
 * - `feedbackThenRead` (for `bench:probe`; `npm run bench` does not run it):
 *   requests alternate between a `recordFeedbackBatch` of 5 events by one
 *   user and that user's `recommendations(first: 20)`, so every read follows
 *   feedback of its user. On one connection it measures feedback and the
 *   read of the changed user together: where the fold-in is solved (at the
 *   write, or lazily at the read) does not hide its cost.
 * - `typename`: `{ __typename }`, the floor: HTTP, Apollo and nothing else.
 * @throws RangeError when `userIds` or `itemIds` is empty.
 */
export function benchScenarios(
  userIds: readonly string[],
  itemIds: readonly string[],
  options: { readonly variants?: number; readonly seed?: number } = {},
): BenchScenario[] {
  if (userIds.length === 0 || itemIds.length === 0)
    throw new RangeError('benchScenarios: need known users and items');
  const random = createRandom(options.seed ?? 7);
  const variants = options.variants ?? 256;
  const user = (): string => userIds[random.int(0, userIds.length - 1)]!;
  const item = (): string => itemIds[random.int(0, itemIds.length - 1)]!;
  const body = (query: string, variables?: object): string =>
    JSON.stringify({ query, ...(variables ? { variables } : {}) });
  return [
    {
      name: 'recommendations',
      description: 'recommendations(userId, first: 20), RECGATE_CANDIDATES candidates',
      bodies: Array.from({ length: variants }, () => body(RECOMMENDATIONS, { userId: user() })),
      unitsPerRequest: 1,
      rates: [100, 200],
    },
    {
      name: 'similarItems',
      description: 'similarItems(itemId, first: 10)',
      bodies: Array.from({ length: variants }, () => body(SIMILAR, { itemId: item() })),
      unitsPerRequest: 1,
      rates: [100, 200],
    },
    {
      name: 'feedbackBatch',
      description: 'recordFeedbackBatch of 100 events',
      bodies: Array.from({ length: Math.min(variants, 64) }, () =>
        body(FEEDBACK, {
          inputs: Array.from({ length: 100 }, () => {
            const type = FEEDBACK_TYPES[random.int(0, FEEDBACK_TYPES.length - 1)]!;
            return { userId: user(), itemId: item(), type, ...(type === 'VIEW' ? { value: 30 } : {}) };
          }),
        }),
      ),
      unitsPerRequest: 100,
      rates: [50, 100],
    },
    {
      name: 'feedbackThenRead',
      description:
        'recordFeedbackBatch of 5 events by a user, then recommendations(userId, first: 20) for that user',
      bodies: Array.from({ length: Math.min(variants, 128) }, () => {
        const u = user();
        return [
          body(FEEDBACK, {
            inputs: Array.from({ length: 5 }, () => {
              const type = FEEDBACK_TYPES[random.int(0, FEEDBACK_TYPES.length - 1)]!;
              return { userId: u, itemId: item(), type, ...(type === 'VIEW' ? { value: 30 } : {}) };
            }),
          }),
          body(RECOMMENDATIONS, { userId: u }),
        ];
      }).flat(),
      unitsPerRequest: 1,
      rates: [100, 200],
    },
    {
      name: 'typename',
      description: '{ __typename }',
      bodies: [body('{ __typename }')],
      unitsPerRequest: 1,
      rates: [500, 1000],
    },
  ];
}
