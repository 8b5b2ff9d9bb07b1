import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlHttp.js';
import { startRealServer } from '../support/realServer.js';
import type { RealServer } from '../support/realServer.js';

/**
 * The README's impression example, as a newcomer runs it (newcomer report,
 * session 23: the README named impression demotion but never showed
 * `recordImpressions`): the `mutation Shown` block sent with a real list's
 * `requestId`, user and top items in place of the example's, after which those
 * items score lower in the user's next list.
 */
let real: RealServer;

beforeAll(async () => {
  real = await startRealServer();
}, 180_000);
afterAll(() => real?.close());

interface ListItem {
  readonly score: number;
  readonly sources: readonly string[];
  readonly item: { readonly id: string };
}

async function list(): Promise<{ requestId: string; items: ListItem[] }> {
  const res = await postGraphQL(
    real.server.url,
    `{ recommendations(userId: ${JSON.stringify(real.exampleUserId)}, first: 50) { requestId items { score sources item { id } } } }`,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!['recommendations'] as { requestId: string; items: ListItem[] };
}

describe("README's impression example", () => {
  it('records the items shown, and they score lower in the next list', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((q) => q.includes('mutation Shown'));
    expect(block).toBeDefined();
    const before = await list();
    // The top two ranked items. An item an exploration slot placed there (the slots follow the
    // random request id: ~1 list in 10 has one in the top two) ranks low without its slot, and
    // the next list's slots, from another request id, may leave it out of the 50.
    const shown = before.items.filter((i) => !i.sources.includes('EXPLORATION')).slice(0, 2);
    expect(shown).toHaveLength(2);
    const mutation = block!
      .replace('<requestId of the list>', before.requestId)
      .replace('"2850"', JSON.stringify(real.exampleUserId))
      .replace('"1535108"', JSON.stringify(shown[0]!.item.id))
      .replace('"1457767"', JSON.stringify(shown[1]!.item.id));
    expect(mutation).not.toBe(block);
    const res = await postGraphQL(real.server.url, mutation);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!['recordImpressions']).toEqual({ accepted: true, error: null });
    const after = await list();
    for (const s of shown) {
      const again = after.items.find((i) => i.item.id === s.item.id);
      expect(again).toBeDefined(); // one impression (× 0.85) does not push a top item out of 50
      expect(again!.score).toBeLessThan(s.score);
    }
  });
});
