import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/services/gateway.js';
import { postGraphQL } from '../support/graphqlHttp.js';
import type { RealServer } from '../support/realServer.js';
import { startRealServer } from '../support/realServer.js';

/**
 * `Recommendation.item` on the real engine: a freshly ranked page resolves
 * its items from what the ranking already read (`Gateway.loadedItem`, no
 * `items` call), a later page (the stored list) through `items`, and both
 * give what `Query.items` gives. An item the engine cannot find shows as a
 * bare item and is logged.
 */

const ITEM_FIELDS = 'id title categories attributes createdAt popularity';

/** Counts the engine's `items` and `loadedItem` calls; `missing` ids read as unknown to both. */
function observed(
  gateway: Gateway,
  counts: { items: number; loadedItem: number },
  missing: { all: boolean; ids: Set<string> },
): Gateway {
  const gone = (id: string): boolean => missing.all || missing.ids.has(id);
  return new Proxy(gateway, {
    get(target, prop, receiver) {
      if (prop === 'items') {
        return async (ids: readonly string[], scope: Parameters<Gateway['items']>[1]) => {
          counts.items++;
          const found = await target.items(ids, scope);
          return found.map((item, k) => (gone(ids[k]!) ? null : item));
        };
      }
      if (prop === 'loadedItem') {
        return (id: string, scope: Parameters<Gateway['items']>[1]) => {
          counts.loadedItem++;
          return gone(id) ? null : target.loadedItem!(id, scope);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

const counts = { items: 0, loadedItem: 0 };
/** Ids the observed engine answers as unknown: all of them, or those in `ids`. */
const missing = { all: false, ids: new Set<string>() };
let real: RealServer;

beforeAll(async () => {
  real = await startRealServer({ wrapGateway: (g) => observed(g, counts, missing) });
}, 180_000);
afterAll(() => real?.close());

async function gql(query: string, variables: Record<string, unknown>) {
  const { body } = await postGraphQL(real.server.url, query, variables);
  expect(body.errors).toBeUndefined();
  return body.data!;
}

interface Page {
  items: { item: Record<string, unknown> & { id: string } }[];
  pageInfo: { endCursor: string | null };
}

async function page(after: string | null): Promise<Page> {
  const data = await gql(
    `query ($u: ID!, $after: String) { recommendations(userId: $u, first: 10, after: $after) {
      items { item { ${ITEM_FIELDS} } } pageInfo { endCursor } } }`,
    { u: real.exampleUserId, after },
  );
  return data['recommendations'] as Page;
}

async function itemsById(ids: string[]): Promise<unknown[]> {
  const data = await gql(`query ($ids: [ID!]!) { items(ids: $ids) { ${ITEM_FIELDS} } }`, { ids });
  return data['items'] as unknown[];
}

/**
 * Expects `got` to be the `Query.items` view of the same ids: equal, but for
 * `popularity`, a decayed count read at request time, so two requests a few
 * ms apart differ in the 8th digit.
 */
function expectSameItems(got: Record<string, unknown>[], want: unknown[]): void {
  const wanted = want as Record<string, unknown>[];
  expect(got.map(({ popularity: _p, ...rest }) => rest)).toEqual(
    wanted.map(({ popularity: _p, ...rest }) => rest),
  );
  got.forEach((item, k) => {
    const p = item['popularity'] as number;
    const q = wanted[k]!['popularity'] as number;
    expect(Math.abs(p - q)).toBeLessThanOrEqual(1e-6 * Math.max(1, q));
  });
}

/**
 * The page after `after` (null: the first), expecting 10 items, the given
 * number of engine calls while it was served, and items equal to `Query.items`.
 */
async function pageExpectingCalls(
  after: string | null,
  calls: { loadedItem: number; items: number },
): Promise<Page> {
  counts.items = 0;
  counts.loadedItem = 0;
  const got = await page(after);
  expect(got.items).toHaveLength(10);
  expect({ loadedItem: counts.loadedItem, items: counts.items }).toEqual(calls);
  expectSameItems(
    got.items.map((r) => r.item),
    await itemsById(got.items.map((r) => r.item.id)),
  );
  return got;
}

describe('Recommendation.item', () => {
  it('resolves a ranked page from the loaded rows (no items call), a later page through items, both as Query.items', async () => {
    const first = await pageExpectingCalls(null, { loadedItem: 10, items: 0 });
    // The stored list is not re-ranked, so nothing is loaded: every item goes through one batched read each.
    const second = await pageExpectingCalls(first.pageInfo.endCursor, { loadedItem: 10, items: 10 });
    const titles = [...first.items, ...second.items].map((r) => r.item['title']);
    expect(titles.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
  });

  it('similarItems resolves its items from the loaded rows too', async () => {
    const seed = (await page(null)).items[0]!.item.id;
    counts.items = 0;
    counts.loadedItem = 0;
    const data = await gql(
      `query ($id: ID!) { similarItems(itemId: $id, first: 5) { items { item { ${ITEM_FIELDS} } } } }`,
      {
        id: seed,
      },
    );
    const items = (data['similarItems'] as Page).items.map((r) => r.item);
    expect(items).toHaveLength(5);
    expect(counts.items).toBe(0);
    expectSameItems(items, await itemsById(items.map((i) => i.id)));
  });

  it('an item the engine cannot find shows as a bare item and is logged, on both paths', async () => {
    const bare = (id: string) => ({
      id,
      title: null,
      categories: [],
      attributes: {},
      createdAt: null,
      popularity: 0,
    });
    try {
      // A freshly ranked page (the loaded-rows path) while the engine finds no item at all: a
      // re-ranked list can differ between requests (exploration slots), so no single id is assumed.
      missing.all = true;
      const unknown = await page(null);
      missing.all = false;
      expect(unknown.items).toHaveLength(10);
      expect(unknown.items.map((r) => r.item)).toEqual(unknown.items.map((r) => bare(r.item.id)));
      // A second page (the stored list: the items path), once to learn its ids, then again with its
      // first item gone: the same cursor serves the same ids.
      const listed = await page(null);
      const later = await page(listed.pageInfo.endCursor);
      const goneLater = later.items[0]!.item.id;
      missing.ids.add(goneLater);
      const laterAgain = await page(listed.pageInfo.endCursor);
      expect(laterAgain.items[0]!.item).toEqual(bare(goneLater));
      expectSameItems([laterAgain.items[1]!.item], [later.items[1]!.item]);
      const warned = real.logged.filter((l) => l.message === 'recommended item not found');
      expect(warned.map((l) => l.fields['itemId'])).toEqual(
        expect.arrayContaining([...unknown.items.map((r) => r.item.id), goneLater]),
      );
    } finally {
      missing.all = false;
      missing.ids.clear();
    }
  });
});
