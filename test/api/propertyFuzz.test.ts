import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedServer } from './support/loggedServer.js';
import { startLoggedServer } from './support/loggedServer.js';

/**
 * Issue #5 §4, "Fuzzing": fast-check generates random valid and invalid
 * `recordFeedback`, `recordFeedbackBatch` and `recommendations` inputs, sent
 * over HTTP (as variables, and for feedback also as GraphQL literals) to the
 * real engine on port 0. Properties: no answer is a 5xx, every answer is JSON
 * and none carries a masked INTERNAL_SERVER_ERROR; afterwards the feedback
 * records of the event log are exactly the events the server said it
 * accepted (every accepted event is logged, nothing else is). Fixed seed,
 * so a failure replays; fast-check prints the shrunk counterexample.
 */
const SEED = 20_261_129;
const FEEDBACK_RUNS = 200;
const RECOMMENDATION_RUNS = 100;

let real: LoggedServer;
/** Item ids of the served catalog, so valid events name known items. */
let knownItems: string[] = [];
/** Every event id the server reported accepted. */
const accepted = new Set<string>();

/** A number JSON cannot spell; serialised as the raw text `NaN`, `1e999` or `-1e999`. */
class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON with {@link RawNumber}s spliced in as raw text (`NaN` makes the body invalid JSON, on purpose). */
function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawNumber) {
      raws.push(v.text);
      return `@@raw${raws.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@raw(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

/** A GraphQL literal for a JS value: enum-like strings for `type`, the rest as JSON-ish literals. */
function toLiteral(value: unknown, asEnum = false): string {
  if (value instanceof RawNumber) return value.text;
  if (value === null) return 'null';
  if (typeof value === 'string')
    return asEnum && /^[A-Za-z_]\w*$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : String(value); // NaN, Infinity: names
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => toLiteral(v)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{ ${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${toLiteral(v, k === 'type')}`)
      .join(', ')} }`;
  }
  return 'null';
}

// ---- Arbitraries ----------------------------------------------------------------------------

const validId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:-]{1,24}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
);
const wildId = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    ' lead',
    'trail ',
    '\t\n',
    'lone-\uD800',
    'nul-\u0000',
    'x'.repeat(257),
    'é'.repeat(256),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const knownItem = fc
  .integer({ min: 0, max: 49 })
  .map((i) => knownItems[i % Math.max(1, knownItems.length)] ?? 'i1');
const TYPES = [
  'VIEW',
  'CLICK',
  'LIKE',
  'DISLIKE',
  'ADD_TO_CART',
  'PURCHASE',
  'RATING',
  'SHARE',
  'DISMISS',
] as const;
const feedbackType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('like', 'EXPLODE', '', 'RATING ', 42, null) },
);
const value = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -2, max: 12 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(new RawNumber('1e999'), new RawNumber('-1e999'), new RawNumber('NaN'), '5', 1e308, -0),
);
const isoNear = fc
  .integer({ min: -30 * 86_400_000, max: 4 * 60_000 })
  .map((offset) => new Date(Date.now() + offset).toISOString());
const timestamp = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  isoNear,
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '0001-01-01T00:00:00Z',
    'yesterday',
    '',
    '2026-11-29',
  ),
  fc.integer(),
);
const requestContext = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.record(
    {
      device: fc.oneof(fc.constantFrom('ios', 'web', ''), fc.string({ maxLength: 300 })),
      locale: fc.constantFrom('en-US', 'fr', ''),
      country: fc.constantFrom('US', 'FR', 'x'.repeat(300)),
      timestamp,
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 4 }), { minKeys: 1, maxKeys: 3 }),
  fc.string({ maxLength: 5 }),
);
const validEvent = fc.record({
  userId: validId,
  itemId: fc.oneof(knownItem, validId),
  type: fc.constantFrom(...TYPES),
  value: fc.integer({ min: 0, max: 10 }),
  timestamp: fc.oneof(fc.constant(undefined), isoNear),
});
const wildEvent = fc.record(
  {
    userId: fc.oneof(validId, wildId),
    itemId: fc.oneof(knownItem, wildId),
    type: feedbackType,
    value,
    requestId: fc.oneof(fc.constant(undefined), validId, wildId),
    timestamp,
    context: requestContext,
    extra: fc.constant('unknown field'),
  },
  { requiredKeys: ['userId', 'itemId', 'type'] },
);
const feedbackEvent = fc.oneof({ weight: 3, arbitrary: validEvent }, { weight: 2, arbitrary: wildEvent });

/** One feedback request: which operation, how it is sent, and its input(s). */
const feedbackRequest = fc.oneof(
  fc.record({
    op: fc.constant('single' as const),
    literal: fc.boolean(),
    inputs: feedbackEvent.map((e) => [e]),
  }),
  fc.record({
    op: fc.constant('batch' as const),
    literal: fc.boolean(),
    inputs: fc.array(feedbackEvent, { minLength: 0, maxLength: 6 }),
  }),
);

const validRecommendationArgs = fc.record(
  {
    u: fc.oneof(validId, fc.constantFrom('2850', 'fuzz-new-user')),
    s: fc.array(knownItem, { maxLength: 3 }),
    surface: fc.constant('home'),
    first: fc.integer({ min: 1, max: 100 }),
    filter: fc.record(
      {
        categoriesAny: fc.array(fc.constantFrom('Drama', 'Comedy', 'Action'), { minLength: 1, maxLength: 2 }),
        excludeItemIds: fc.array(knownItem, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    c: fc.record({ device: fc.constantFrom('ios', 'web'), timestamp: isoNear }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const wildRecommendationArgs = fc.record(
  {
    u: fc.oneof(validId, wildId),
    s: fc.oneof(fc.array(fc.oneof(knownItem, validId), { maxLength: 4 }), fc.array(wildId, { maxLength: 3 })),
    surface: fc.oneof(
      fc.constantFrom('home', 'similar', '', 'x'.repeat(300), null),
      fc.string({ maxLength: 10 }),
    ),
    first: fc.oneof(
      fc.integer({ min: -3, max: 105 }),
      fc.constantFrom(2_147_483_648, -2_147_483_649, 1.5, '20', null, new RawNumber('1e999')),
    ),
    after: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', 'x'.repeat(5000), null)),
    filter: fc.oneof(
      fc.constant(null),
      fc.record(
        {
          categoriesAny: fc.array(fc.constantFrom('Drama', 'Comedy', '', ' x'), { maxLength: 3 }),
          categoriesNone: fc.array(fc.constantFrom('Horror', 'Action'), { maxLength: 2 }),
          excludeItemIds: fc.array(fc.oneof(knownItem, wildId), { maxLength: 4 }),
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.integer(), { minKeys: 1, maxKeys: 2 }),
    ),
    c: requestContext,
  },
  { requiredKeys: [] },
);
const recommendationArgs = fc.oneof(
  { weight: 2, arbitrary: validRecommendationArgs },
  { weight: 3, arbitrary: wildRecommendationArgs },
);

// ---- HTTP ----------------------------------------------------------------------------------

const RESULT = 'accepted eventId error { code field message }';

/** POSTs a body, asserting the answer is not 5xx, is JSON, and has no masked internal error. */
async function post(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(real.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  expect(response.status, `5xx for ${body.slice(0, 500)}: ${text.slice(0, 500)}`).toBeLessThan(500);
  const json = JSON.parse(text) as Record<string, unknown>;
  const errors = (json['errors'] ?? []) as { extensions?: { code?: string } }[];
  for (const error of errors) {
    expect(error.extensions?.code, `masked error for ${body.slice(0, 500)}: ${text.slice(0, 500)}`).not.toBe(
      'INTERNAL_SERVER_ERROR',
    );
  }
  return { status: response.status, json };
}

/** Collects the event ids a feedback answer reports accepted, checking one result per input. */
function collectAccepted(json: Record<string, unknown>, op: 'single' | 'batch', inputs: number): void {
  const data = json['data'] as Record<string, unknown> | null | undefined;
  if (!data) return;
  const results = (op === 'single' ? [data['recordFeedback']] : data['recordFeedbackBatch']) as
    { accepted: boolean; eventId: string | null }[] | null;
  if (results === null) return;
  expect(results).toHaveLength(op === 'single' ? 1 : inputs);
  for (const result of results) {
    if (result.accepted) {
      expect(typeof result.eventId).toBe('string');
      accepted.add(result.eventId!);
    } else {
      expect(result.eventId).toBeNull();
    }
  }
}

beforeAll(async () => {
  real = await startLoggedServer();
  const { json } = await post(
    JSON.stringify({ query: '{ recommendations(first: 50) { items { item { id } } } }' }),
  );
  const items = (json['data'] as { recommendations: { items: { item: { id: string } }[] } }).recommendations
    .items;
  knownItems = items.map((r) => r.item.id);
}, 180_000);
afterAll(() => real?.close());

describe('Property: random feedback and recommendations inputs never get a 5xx, and accepted events are logged', () => {
  it(`recordFeedback / recordFeedbackBatch: ${FEEDBACK_RUNS} random requests`, async () => {
    let acceptedRuns = 0;
    await fc.assert(
      fc.asyncProperty(feedbackRequest, async ({ op, literal, inputs }) => {
        const field = op === 'single' ? 'recordFeedback(input: ' : 'recordFeedbackBatch(inputs: ';
        const body = literal
          ? JSON.stringify({
              query: `mutation { ${field}${op === 'single' ? toLiteral(inputs[0]) : toLiteral(inputs)}) { ${RESULT} } }`,
            })
          : toJsonText({
              query:
                op === 'single'
                  ? `mutation ($i: FeedbackInput!) { recordFeedback(input: $i) { ${RESULT} } }`
                  : `mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { ${RESULT} } }`,
              variables: op === 'single' ? { i: inputs[0] } : { e: inputs },
            });
        const before = accepted.size;
        const { json } = await post(body);
        collectAccepted(json, op, inputs.length);
        if (accepted.size > before) acceptedRuns += 1;
      }),
      { seed: SEED, numRuns: FEEDBACK_RUNS },
    );
    // The generators must reach the happy path too, not only rejections.
    expect(acceptedRuns).toBeGreaterThan(FEEDBACK_RUNS / 10);
  });

  it(`recommendations: ${RECOMMENDATION_RUNS} random argument sets`, async () => {
    let served = 0;
    await fc.assert(
      fc.asyncProperty(recommendationArgs, async (args) => {
        const query = `query ($u: ID, $s: [ID!], $surface: String, $first: Int, $after: String, $filter: ItemFilter, $c: RequestContext) {
          recommendations(userId: $u, sessionItemIds: $s, surface: $surface, first: $first, after: $after, filter: $filter, context: $c) {
            requestId items { rank score item { id } } pageInfo { hasNextPage endCursor } } }`;
        const { json } = await post(toJsonText({ query, variables: args }));
        const list = (
          json['data'] as { recommendations?: { items: { rank: number; score: number }[] } } | null
        )?.recommendations;
        if (!list) return;
        served += 1;
        const first = typeof args.first === 'number' ? args.first : 20;
        expect(list.items.length).toBeLessThanOrEqual(first);
        for (const item of list.items) expect(Number.isFinite(item.score)).toBe(true);
      }),
      { seed: SEED, numRuns: RECOMMENDATION_RUNS },
    );
    expect(served).toBeGreaterThan(RECOMMENDATION_RUNS / 10);
  });

  it('logged exactly the accepted events: every accepted event id is in the event log, and nothing else', () => {
    expect(accepted.size).toBeGreaterThan(0);
    const logged = real.feedbackRecords().map((record) => record.eventId);
    expect(new Set(logged).size).toBe(logged.length);
    expect([...accepted].filter((id) => !logged.includes(id))).toEqual([]);
    expect(logged.filter((id) => !accepted.has(id))).toEqual([]);
  });
});
