import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlHttp.js';
import type { RealServer } from '../support/realServer.js';
import { startRealServer } from '../support/realServer.js';

/**
 * One HTTP request can run many pipelines at once (aliases, `Item.similar`
 * under a list), each source adding a listener to the request's abort signal
 * for as long as it runs (src/pipeline/withBudget.ts removes it when the
 * source settles). Past Node's default of 10 listeners that printed
 * `MaxListenersExceededWarning` under load, a false leak warning.
 */
let real: RealServer;
beforeAll(async () => {
  real = await startRealServer();
}, 180_000);
afterAll(() => real?.close());

describe('the request abort signal', () => {
  it('takes a listener per running source without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { body } = await postGraphQL(
        real.server.url,
        `query ($u: ID!) {
          a: recommendations(userId: $u, first: 5) { items { item { id similar(first: 3) { item { id } } } } }
          b: recommendations(userId: $u, first: 5, surface: "home") { items { item { id } } }
          c: recommendations(first: 5) { items { item { id } } }
        }`,
        { u: real.exampleUserId },
      );
      expect(body.errors).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual(
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
