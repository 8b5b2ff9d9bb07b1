import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedServer } from './support/loggedServer.js';
import { startLoggedServer } from './support/loggedServer.js';

/**
 * Issue #5 §4, "Hostile-input suite": a table of hostile requests replayed
 * over HTTP against the real engine (server on port 0, private file event
 * log). Each row asserts the exact status and error code; a rejected
 * mutation must leave no trace (no new event in the event log, the target
 * user unchanged), an accepted one must be logged verbatim. Every answer is
 * JSON: the code is `errors[0].extensions.code`, else the first
 * `UserError.code` in `data`, else `ACCEPTED` for an accepted event, else `OK`.
 *
 * "The server answers each within 100 ms" is printed, not asserted (timed
 * assertions flake on a shared 2-core machine): the summary line gives the
 * max and median duration. The suite asserts that the server still answers
 * normal traffic after the whole table.
 */

let real: LoggedServer;
/** An item id of the served catalog, and the user every rejected mutation names. */
let itemId: string;
const TARGET = 'hostile-target-user';

/** One hostile request and what it must get. */
interface Row {
  readonly name: string;
  /** POST (default) or GET. */
  readonly method?: 'GET' | 'POST';
  /** Query string of a GET, without `?`. */
  readonly search?: string;
  /** Headers; a POST gets `content-type: application/json` unless it names its own (or `null`). */
  readonly headers?: Record<string, string | null>;
  /** The body, or a function building it (built outside the timing). */
  readonly body?: string | Buffer | (() => string | Buffer);
  /** Send the body chunked (no content-length). */
  readonly chunked?: boolean;
  readonly status: number;
  readonly code: string;
  /** When set, the first error's message must match it. */
  readonly message?: RegExp;
  /** `rejected`: a mutation that must change nothing; `accepted`: one new event, logged with `userId`. */
  readonly effect?: 'rejected' | { readonly acceptedUserId: string };
}

/** A `{ query, variables }` JSON body. */
const gql = (query: string, variables?: Record<string, unknown>): string =>
  JSON.stringify({ query, ...(variables && { variables }) });
const RF =
  'mutation ($i: FeedbackInput!) { recordFeedback(input: $i) { accepted eventId error { code field } } }';
const RFB =
  'mutation ($e: [FeedbackInput!]!) { recordFeedbackBatch(inputs: $e) { accepted eventId error { code field } } }';
/** A recordFeedback body with `overrides` on a valid LIKE by {@link TARGET}. */
const feedback =
  (overrides: Record<string, unknown>): (() => string) =>
  () =>
    gql(RF, { i: { userId: TARGET, itemId, type: 'LIKE', ...overrides } });
/** A recordFeedback body whose input is written literally (`fields` inside the braces). */
const literalFeedback = (fields: string): string =>
  gql(`mutation { recordFeedback(input: { ${fields} }) { accepted eventId error { code field } } }`);
const times = (n: number, make: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => make(i)).join(' ');
const nestedSimilar = (levels: number): string =>
  levels === 0 ? 'id' : `similar(first: 2) { item { ${nestedSimilar(levels - 1)} } }`;
const tenKb = 'x'.repeat(10 * 1024);
const tenMb = (): string =>
  gql(`mutation { recordFeedback(input: { userId: "${TARGET}", itemId: "i", type: LIKE }) { accepted } }`, {
    pad: 'x'.repeat(10 * 1024 * 1024),
  });
const events =
  (n: number): (() => string) =>
  () =>
    gql(RFB, { e: Array.from({ length: n }, () => ({ userId: TARGET, itemId, type: 'LIKE' })) });
const GET_MUTATION = `mutation { recordFeedback(input: { userId: "${TARGET}", itemId: "i1", type: LIKE }) { accepted } }`;

const ROWS: readonly Row[] = [
  // Malformed JSON
  { name: 'truncated JSON', body: '{"query": ', status: 400, code: 'BAD_REQUEST' },
  { name: 'not JSON at all', body: 'hello', status: 400, code: 'BAD_REQUEST' },
  { name: 'a JSON string, not an object', body: '"{ __typename }"', status: 400, code: 'BAD_REQUEST' },
  { name: 'an empty body', body: '', status: 400, code: 'BAD_REQUEST' },
  {
    name: 'NaN in the variables (not JSON)',
    body: () =>
      gql(RF).replace(/}$/, ',"variables":{"i":{"userId":"x","itemId":"y","type":"LIKE","value":NaN}}}'),
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'a mutation followed by garbage',
    body: () => `${feedback({})()} xyz`,
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'an HTTP batch of two mutations',
    body: () => `[${feedback({})()},${feedback({})()}]`,
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  { name: 'query is a number', body: '{"query": 42}', status: 400, code: 'BAD_REQUEST' },
  {
    name: 'variables as a JSON-encoded string',
    body: () => JSON.stringify({ query: RF, variables: JSON.stringify({ i: {} }) }),
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'JSON nested 100,000 levels deep',
    body: () => `{"query":"{ __typename }","variables":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a byte-order mark before the JSON (tolerated)',
    body: `\uFEFF${gql('{ __typename }')}`,
    status: 200,
    code: 'OK',
  },
  // Wrong content types
  {
    name: 'text/plain (CSRF-simple)',
    headers: { 'content-type': 'text/plain' },
    body: () => feedback({})(),
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'application/x-www-form-urlencoded',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: () => `query=${encodeURIComponent(GET_MUTATION)}`,
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'multipart/form-data',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    body: () => `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${GET_MUTATION}\r\n--x--`,
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'application/xml',
    headers: { 'content-type': 'application/xml' },
    body: '<query/>',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'application/graphql with a raw mutation',
    headers: { 'content-type': 'application/graphql' },
    body: GET_MUTATION,
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'no content type',
    headers: { 'content-type': null },
    body: () => feedback({})(),
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'JSON in UTF-16',
    headers: { 'content-type': 'application/json; charset=utf-16le' },
    body: () => Buffer.from(feedback({})(), 'utf16le'),
    status: 415,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'content-encoding gzip on a plain body',
    headers: { 'content-encoding': 'gzip' },
    body: () => feedback({})(),
    status: 400,
    code: 'BAD_REQUEST',
    message: /^The request body does not decompress as its Content-Encoding says \(.+\)/,
    effect: 'rejected',
  },
  {
    name: 'an unknown content-encoding',
    headers: { 'content-encoding': 'x-compress-9000' },
    body: '{}',
    status: 415,
    code: 'BAD_REQUEST',
  },
  // Mutations over GET
  {
    name: 'a mutation over GET',
    method: 'GET',
    search: `query=${encodeURIComponent(GET_MUTATION)}`,
    headers: { 'apollo-require-preflight': 'true' },
    status: 405,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'a mutation picked by operationName over GET',
    method: 'GET',
    search: `operationName=M&query=${encodeURIComponent(`query Q { __typename } ${GET_MUTATION.replace('mutation', 'mutation M')}`)}`,
    headers: { 'apollo-require-preflight': 'true' },
    status: 405,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  {
    name: 'a mutation over GET without a preflight header',
    method: 'GET',
    search: `query=${encodeURIComponent(GET_MUTATION)}`,
    status: 400,
    code: 'BAD_REQUEST',
    effect: 'rejected',
  },
  // Deep nesting
  {
    name: 'item { similar { item { similar … } } } 5 levels (12 deep)',
    body: gql(`{ item(id: "1") { ${nestedSimilar(5)} } }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'recommendations { items { item { similar … } } } 4 levels',
    body: gql(`{ recommendations { items { item { ${nestedSimilar(4)} } } } }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '20,000 nested selections',
    body: gql(`{ ${'a { '.repeat(20_000)}b${' }'.repeat(20_001)}`),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'a fragment cycle',
    body: gql('{ item(id: "1") { ...A } } fragment A on Item { similar { item { ...A } } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a 3000-deep list literal in a mutation input',
    body: literalFeedback(
      `userId: "${TARGET}", itemId: "i", type: LIKE, context: { device: ${'['.repeat(3000)}"x"${']'.repeat(3000)} }`,
    ),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    effect: 'rejected',
  },
  // Alias amplification
  {
    name: '500 aliases of recommendations',
    body: gql(`{ ${times(500, (i) => `r${i}: recommendations { requestId }`)} }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '16 aliases inside one field',
    body: gql(`{ modelInfo { ${times(16, (i) => `v${i}: rankerVersion`)} } }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'aliases multiplied through fragments',
    body: gql(
      `{ ...A ...A ...A } fragment A on Query { ${times(6, (i) => `m${i}: modelInfo { itemCount }`)} }`,
    ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '100 aliased recordFeedback mutations',
    body: gql(
      `mutation { ${times(100, (i) => `f${i}: recordFeedback(input: { userId: "${TARGET}", itemId: "i", type: LIKE }) { accepted }`)} }`,
    ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    effect: 'rejected',
  },
  {
    name: '11 unaliased root fields',
    body: gql(`{ ${times(11, () => 'modelInfo { itemCount }')} }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: '51 directives',
    body: gql(`{ ${times(51, (i) => `t${i}: __typename @include(if: true)`)} }`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'similar(first: 50) cubed (127,550 list items)',
    body: gql(
      `{ item(id: "1") { similar(first: 50) { item { similar(first: 50) { item { similar(first: 50) { item { id } } } } } } } }`,
    ),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  // Huge bodies and URLs
  { name: 'a 10 MB body', body: tenMb, status: 413, code: 'PAYLOAD_TOO_LARGE', effect: 'rejected' },
  {
    name: 'a 10 MB body sent chunked (no content-length)',
    body: tenMb,
    chunked: true,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    effect: 'rejected',
  },
  {
    name: 'a 100 kB GET query string',
    method: 'GET',
    search: `query=${'x'.repeat(100_000)}`,
    headers: { 'apollo-require-preflight': 'true' },
    status: 431,
    code: 'BAD_REQUEST',
  },
  // first: 2147483648 and friends
  {
    name: 'first: 2147483648 as a literal',
    body: gql('{ recommendations(first: 2147483648) { requestId } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first: 2147483648 as a variable',
    body: gql('query ($f: Int) { recommendations(first: $f) { requestId } }', { f: 2147483648 }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first: 101',
    body: gql('{ recommendations(first: 101) { requestId } }'),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first: 0',
    body: gql('{ recommendations(first: 0) { requestId } }'),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'first: -2147483648',
    body: gql('{ recommendations(first: -2147483648) { requestId } }'),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'Item.similar(first: 2147483647)',
    body: gql('{ item(id: "1") { similar(first: 2147483647) { rank } } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first: 1.5',
    body: gql('{ recommendations(first: 1.5) { requestId } }'),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'first: "20" as a string variable',
    body: gql('query ($f: Int) { recommendations(first: $f) { requestId } }', { f: '20' }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  // 10 kB ids
  {
    name: 'recordFeedback with a 10 kB userId',
    body: () => gql(RF, { i: { userId: tenKb, itemId, type: 'LIKE' } }),
    status: 200,
    code: 'INVALID_ID',
    effect: 'rejected',
  },
  {
    name: 'recordFeedbackBatch with a 10 kB itemId',
    body: () => gql(RFB, { e: [{ userId: TARGET, itemId: tenKb, type: 'LIKE' }] }),
    status: 200,
    code: 'INVALID_ID',
    effect: 'rejected',
  },
  {
    name: 'recordImpressions with a 10 kB requestId',
    body: () =>
      gql(
        'mutation ($r: ID!) { recordImpressions(input: { requestId: $r, userId: "x", itemIds: ["1"] }) { accepted error { code } } }',
        { r: tenKb },
      ),
    status: 200,
    code: 'INVALID_ID',
    effect: 'rejected',
  },
  {
    name: 'item(id) of 10 kB',
    body: gql('query ($i: ID!) { item(id: $i) { id } }', { i: tenKb }),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'recommendations(userId) of 10 kB',
    body: gql('query ($u: ID) { recommendations(userId: $u) { requestId } }', { u: tenKb }),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'sessionItemIds with a 10 kB id',
    body: gql('query ($s: [ID!]) { recommendations(sessionItemIds: $s) { requestId } }', { s: [tenKb] }),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a 10 kB x-request-id (replaced by a UUID)',
    headers: { 'x-request-id': tenKb },
    body: gql('{ __typename }'),
    status: 200,
    code: 'OK',
  },
  // Unicode and control characters
  {
    name: 'emoji, RTL override and combining marks in a userId (accepted verbatim)',
    body: () => gql(RF, { i: { userId: 'u-😀-\u202Eabc-e\u0301', itemId, type: 'CLICK' } }),
    status: 200,
    code: 'ACCEPTED',
    effect: { acceptedUserId: 'u-😀-\u202Eabc-e\u0301' },
  },
  {
    name: 'NUL, newline and ESC in a userId (accepted, still one log line)',
    body: () => gql(RF, { i: { userId: 'a\u0000b\nc\u001b[31m', itemId, type: 'CLICK' } }),
    status: 200,
    code: 'ACCEPTED',
    effect: { acceptedUserId: 'a\u0000b\nc\u001b[31m' },
  },
  {
    name: 'a lone surrogate in a userId (rejected: a UTF-8 store would map it to U+FFFD)',
    body: () => gql(RF, { i: { userId: 'lone-\uD800', itemId, type: 'CLICK' } }),
    status: 200,
    code: 'INVALID_ID',
    effect: 'rejected',
  },
  {
    name: 'a userId with a leading space',
    body: feedback({ userId: ` ${TARGET}` }),
    status: 200,
    code: 'INVALID_ID',
    effect: 'rejected',
  },
  {
    name: 'a userId of only tabs and newlines',
    body: feedback({ userId: '\t\n\t' }),
    status: 200,
    code: 'INVALID_ID',
    effect: 'rejected',
  },
  {
    name: 'a raw NUL inside a GraphQL string literal (allowed by the spec: accepted verbatim)',
    body: literalFeedback(`userId: "nul-\u0000-raw", itemId: "i", type: LIKE`),
    status: 200,
    code: 'ACCEPTED',
    effect: { acceptedUserId: 'nul-\u0000-raw' },
  },
  {
    name: 'a raw newline inside a GraphQL string literal',
    body: literalFeedback(`userId: "${TARGET}\n", itemId: "i", type: LIKE`),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    effect: 'rejected',
  },
  {
    // Refused since session 18: decoded, each bad byte became U+FFFD and different ids merged.
    name: 'invalid UTF-8 bytes in the body (refused, not decoded as U+FFFD)',
    body: () =>
      Buffer.concat([
        Buffer.from('{"query":"{ item(id: \\"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\\") { id } }"}'),
      ]),
    status: 415,
    code: 'BAD_REQUEST',
  },
  // NaN and Infinity
  {
    name: 'value: NaN as a literal',
    body: literalFeedback(`userId: "${TARGET}", itemId: "i", type: VIEW, value: NaN`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    effect: 'rejected',
  },
  {
    name: 'value: 1e999 as a literal (Infinity)',
    body: literalFeedback(`userId: "${TARGET}", itemId: "i", type: VIEW, value: 1e999`),
    status: 200,
    code: 'INVALID_VALUE',
    effect: 'rejected',
  },
  {
    name: 'value: 1e999 in JSON variables (Infinity)',
    body: () => feedback({ type: 'VIEW' })().replace('"type":"VIEW"', '"type":"VIEW","value":1e999'),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'value: -1e999 in a batch',
    body: () => events(1)().replace('"type":"LIKE"', '"type":"VIEW","value":-1e999'),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'value: "NaN" as a string',
    body: feedback({ type: 'VIEW', value: 'NaN' }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'a RATING of 1e308',
    body: feedback({ type: 'RATING', value: 1e308 }),
    status: 200,
    code: 'INVALID_VALUE',
    effect: 'rejected',
  },
  // Far-future and far-past timestamps
  {
    name: 'timestamp 9999-12-31T23:59:59Z',
    body: feedback({ timestamp: '9999-12-31T23:59:59Z' }),
    status: 200,
    code: 'FUTURE_TIMESTAMP',
    effect: 'rejected',
  },
  {
    name: 'timestamp +275760-09-13T00:00:00Z (extended year)',
    body: feedback({ timestamp: '+275760-09-13T00:00:00Z' }),
    status: 200,
    code: 'INVALID_TIMESTAMP',
    effect: 'rejected',
  },
  {
    name: 'timestamp 0001-01-01T00:00:00Z',
    body: feedback({ timestamp: '0001-01-01T00:00:00Z' }),
    status: 200,
    code: 'INVALID_TIMESTAMP',
    effect: 'rejected',
  },
  {
    name: 'timestamp 1969-12-31T23:59:59Z',
    body: feedback({ timestamp: '1969-12-31T23:59:59Z' }),
    status: 200,
    code: 'INVALID_TIMESTAMP',
    effect: 'rejected',
  },
  {
    name: 'timestamp 2026-02-30T00:00:00Z (no such day)',
    body: feedback({ timestamp: '2026-02-30T00:00:00Z' }),
    status: 200,
    code: 'INVALID_TIMESTAMP',
    effect: 'rejected',
  },
  {
    name: 'timestamp as a number of ms',
    body: feedback({ timestamp: 1e20 }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'timestamp with a 1000-digit fraction',
    body: feedback({ timestamp: `2026-01-01T00:00:00.${'9'.repeat(1000)}Z` }),
    status: 200,
    code: 'INVALID_TIMESTAMP',
    effect: 'rejected',
  },
  // Huge batches
  {
    name: '100,000 events as a literal list (3.8 MB)',
    body: () =>
      gql(
        `mutation { recordFeedbackBatch(inputs: [${times(100_000, () => `{ userId: "${TARGET}", itemId: "i", type: LIKE }`)}]) { accepted } }`,
      ),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    effect: 'rejected',
  },
  {
    name: '100,000 events as a variable (4.3 MB)',
    body: events(100_000),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    effect: 'rejected',
  },
  {
    name: '15,000 events as a variable (under 1 MiB)',
    body: events(15_000),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  { name: '1001 events', body: events(1001), status: 200, code: 'BAD_USER_INPUT', effect: 'rejected' },
  {
    name: '1000 events as a literal list (token limit)',
    body: () =>
      gql(
        `mutation { recordFeedbackBatch(inputs: [${times(1000, () => `{ userId: "${TARGET}", itemId: "i", type: LIKE }`)}]) { accepted } }`,
      ),
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
    effect: 'rejected',
  },
  // Unknown enum values
  {
    name: 'type: EXPLODE as a literal',
    body: literalFeedback(`userId: "${TARGET}", itemId: "i", type: EXPLODE`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    effect: 'rejected',
  },
  {
    name: 'type: "EXPLODE" as a variable',
    body: feedback({ type: 'EXPLODE' }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'type: "like" (wrong case)',
    body: feedback({ type: 'like' }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'type: "LIKE" as a string literal',
    body: literalFeedback(`userId: "${TARGET}", itemId: "i", type: "LIKE"`),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    effect: 'rejected',
  },
  {
    name: 'an unknown type in the 2nd event of a batch',
    body: () =>
      gql(RFB, {
        e: [
          { userId: TARGET, itemId, type: 'LIKE' },
          { userId: TARGET, itemId, type: 'SUPERLIKE' },
        ],
      }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  // Variables of the wrong type
  {
    name: 'input as a string',
    body: () => gql(RF, { i: 'userId=x' }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'input as a list',
    body: () => gql(RF, { i: [{ userId: TARGET, itemId, type: 'LIKE' }] }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'input without userId',
    body: () => gql(RF, { i: { itemId, type: 'LIKE' } }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'input with a field FeedbackInput does not have',
    body: feedback({ admin: true }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'userId as an object',
    body: feedback({ userId: { $ne: null } }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'userId as a boolean',
    body: feedback({ userId: true }),
    status: 400,
    code: 'BAD_USER_INPUT',
    effect: 'rejected',
  },
  {
    name: 'userId as an integer (ID takes integers: accepted as "42")',
    body: feedback({ userId: 42 }),
    status: 200,
    code: 'ACCEPTED',
    effect: { acceptedUserId: '42' },
  },
  {
    name: 'an undeclared variable',
    body: gql('mutation { recordFeedback(input: $i) { accepted } }', { i: {} }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    effect: 'rejected',
  },
  {
    name: 'a variable declared with the wrong type',
    body: gql('mutation ($i: String) { recordFeedback(input: $i) { accepted } }', { i: 'x' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    effect: 'rejected',
  },
  {
    name: 'a RequestContext with 80,000 unknown fields',
    body: () =>
      gql('query ($c: RequestContext) { recommendations(context: $c) { requestId } }', {
        c: Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 1])),
      }),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: '__proto__ in the variables (ignored)',
    body: '{"query":"{ __typename }","variables":{"__proto__":{"admin":true}}}',
    status: 200,
    code: 'OK',
  },
  // Automatic persisted queries: Apollo refuses these with an HTTP 400 but no code; they are
  // client errors (BAD_REQUEST), not internal ones, and must not be logged as masked errors.
  {
    name: 'a persisted query whose sha256Hash does not match the query',
    body: '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"deadbeef"}}}',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a persisted query of an unsupported version',
    body: '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":2,"sha256Hash":"deadbeef"}}}',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'persistedQuery that is not an object',
    body: '{"query":"{ __typename }","extensions":{"persistedQuery":"x"}}',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a persisted query hash the server does not hold, without the query',
    body: '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000000000000000000000000000000000000000000000000000000000000000"}}}',
    status: 200,
    code: 'PERSISTED_QUERY_NOT_FOUND',
  },
];

/** The outcome code of a JSON response body (see the file comment). */
function outcomeCode(json: unknown): string {
  const body = json as { errors?: { extensions?: { code?: string } }[]; data?: unknown };
  if (body.errors?.length) return body.errors[0]?.extensions?.code ?? 'NO_CODE';
  let userError: string | null = null;
  let accepted = false;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    const error = record['error'] as { code?: string } | null | undefined;
    if (userError === null && typeof error?.code === 'string') userError = error.code;
    if (record['accepted'] === true) accepted = true;
    Object.values(record).forEach(walk);
  };
  walk(body.data);
  return userError ?? (accepted ? 'ACCEPTED' : 'OK');
}

/** Sends a row's request and returns status, code and duration (ms, including reading the answer). */
async function send(
  row: Row,
  body: string | Buffer | undefined,
): Promise<{ status: number; code: string; message: string; ms: number }> {
  const headers: Record<string, string> = row.method === 'GET' ? {} : { 'content-type': 'application/json' };
  for (const [key, value] of Object.entries(row.headers ?? {})) {
    if (value === null) delete headers[key];
    else headers[key] = value;
  }
  const url = row.search === undefined ? real.server.url : `${real.server.url}?${row.search}`;
  let payload: RequestInit['body'];
  if (body !== undefined && row.chunked) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    payload = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024)
          controller.enqueue(bytes.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
  } else if (body !== undefined) {
    payload = typeof body === 'string' ? body : new Uint8Array(body);
  }
  const started = performance.now();
  const response = await fetch(url, {
    method: row.method ?? 'POST',
    headers,
    ...(payload !== undefined && { body: payload }),
    ...(row.chunked && { duplex: 'half' }),
  } as RequestInit);
  const text = await response.text();
  const ms = performance.now() - started;
  let code: string;
  let message = '';
  try {
    const json = JSON.parse(text) as { errors?: { message?: unknown }[] };
    code = outcomeCode(json);
    message = String(json.errors?.[0]?.message ?? '');
  } catch {
    code = `NOT_JSON: ${text.slice(0, 60)}`;
  }
  return { status: response.status, code, message, ms };
}

beforeAll(async () => {
  real = await startLoggedServer();
  const response = await fetch(real.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: gql('{ recommendations(first: 1) { items { item { id } } } }'),
  });
  const json = (await response.json()) as {
    data: { recommendations: { items: { item: { id: string } }[] } };
  };
  itemId = json.data.recommendations.items[0]!.item.id;
}, 180_000);
afterAll(() => real?.close());

describe('Hostile input: every request gets its exact status and code, and rejected mutations change nothing', () => {
  const durations: { name: string; ms: number }[] = [];

  it(`has at least 40 rows (${ROWS.length})`, () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const body = typeof row.body === 'function' ? row.body() : row.body;
    const before = real.feedbackRecords();
    const userState = async (): Promise<string> =>
      JSON.stringify(await real.gateway.user(TARGET, real.gateway.createRequestScope()));
    const userBefore = await userState();
    const { status, code, message, ms } = await send(row, body);
    durations.push({ name: row.name, ms });
    expect({ status, code }).toEqual({ status: row.status, code: row.code });
    if (row.message !== undefined) expect(message).toMatch(row.message);
    const after = real.feedbackRecords();
    if (row.effect === 'rejected') {
      expect(after).toHaveLength(before.length);
      expect(await userState()).toBe(userBefore);
    } else if (row.effect !== undefined) {
      expect(after).toHaveLength(before.length + 1);
      expect(after.at(-1)!.userId).toBe(row.effect.acceptedUserId);
    } else {
      expect(after).toHaveLength(before.length); // queries and refused requests log no feedback
    }
  });

  it('still serves normal traffic after the whole table, and logged no masked error', async () => {
    const response = await fetch(real.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: gql('query ($u: ID) { recommendations(userId: $u, first: 5) { items { rank item { id } } } }', {
        u: real.exampleUserId,
      }),
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as { data: { recommendations: { items: unknown[] } } };
    expect(json.data.recommendations.items).toHaveLength(5);
    expect(real.logged.filter((line) => line.level === 'error')).toEqual([]);

    // The 100 ms target of issue #5 §4, measured and printed (not asserted: see the file comment).
    const sorted = durations.map((d) => d.ms).sort((a, b) => a - b);
    const slowest = durations.reduce((a, b) => (b.ms > a.ms ? b : a));
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    const over = durations.filter((d) => d.ms > 100).map((d) => `${d.name} ${d.ms.toFixed(1)} ms`);
    process.stdout.write(
      `hostile input: ${durations.length} requests, max ${slowest.ms.toFixed(1)} ms (${slowest.name}), ` +
        `p50 ${p50.toFixed(1)} ms; over 100 ms: ${over.length === 0 ? 'none' : over.join('; ')}\n`,
    );
  });
});
