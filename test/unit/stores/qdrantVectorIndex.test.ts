/**
 * The Qdrant adapter's translation layer, checked without a Qdrant server:
 * the REAL official client (@qdrant/js-client-rest 1.18.0) talks to an
 * in-test HTTP server on port 0 that records every request and answers with
 * bodies written from Qdrant's REST API reference (test/fixtures/qdrant/,
 * README there). What this proves and what it cannot is in docs/qdrant.md;
 * the behaviour against a real Qdrant is test/unit/stores/qdrantLive.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeQdrant } from '../../support/fakeQdrant.js';
import type { Reply } from '../../support/fakeQdrant.js';
import { ITEM_ID_NAMESPACE, itemPointId, uuidV5 } from '../../../src/stores/qdrant/pointIds.js';
import { collectionName } from '../../../src/stores/qdrant/qdrantCollection.js';
import {
  VectorIndexConfigError,
  VectorIndexUnavailableError,
} from '../../../src/stores/qdrant/qdrantErrors.js';
import { toQdrantFilter } from '../../../src/stores/qdrant/qdrantFilter.js';
import { QdrantVectorIndex } from '../../../src/stores/qdrant/qdrantVectorIndex.js';
import type { QdrantVectorIndexOptions } from '../../../src/stores/qdrant/qdrantVectorIndex.js';
import { vectorEntries } from '../../../src/stores/qdrant/vectorEntries.js';
import type { VectorEntry, VectorFilter, VectorPayload } from '../../../src/stores/vectorIndex.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/qdrant/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

/** UUID v5 point ids of items a…e, computed independently with Python's uuid module (see fixtures README). */
const UUID = {
  a: '8780999e-d37d-5fbd-bcf9-eac1923c07a3',
  b: '565bccd6-e71f-5324-83c5-021962e27ffc',
  c: 'c983deea-9cb6-55f4-bef1-44090f02b3f0',
  d: '90c6841a-53ae-5a67-9c24-e40c3c06ddb2',
  e: '2de30f52-17e6-56b3-b4b4-bb8b60d7959e',
} as const;

const C = '/collections/recgate_v1';
const ok = (name: string): Reply => ({ status: 200, body: fixture(name) });

/** The collection-info fixture with another vector size or completion flag. */
function info(changes: { size?: number; complete?: boolean; modelVersion?: string } = {}): Reply {
  const body = fixture('collection-info') as {
    result: { config: { params: { vectors: { size: number } }; metadata: Record<string, unknown> } };
  };
  if (changes.size !== undefined) body.result.config.params.vectors.size = changes.size;
  if (changes.complete !== undefined) body.result.config.metadata['recgate_complete'] = changes.complete;
  if (changes.modelVersion !== undefined)
    body.result.config.metadata['recgate_model_version'] = changes.modelVersion;
  return { status: 200, body };
}

let servers: FakeQdrant[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  vi.restoreAllMocks();
});
async function fake(): Promise<FakeQdrant> {
  const s = await FakeQdrant.start();
  servers.push(s);
  return s;
}
function open(s: FakeQdrant, extra: Partial<QdrantVectorIndexOptions> = {}): Promise<QdrantVectorIndex> {
  return QdrantVectorIndex.open({
    url: s.url,
    collection: 'recgate',
    modelVersion: 'v1',
    dimension: 3,
    ...extra,
  });
}
/** A server whose collection exists and is complete: opening sends one GET. */
async function ready(): Promise<FakeQdrant> {
  return (await fake()).on('GET', C, info());
}

describe('Qdrant point ids (UUID v5)', () => {
  it('matches RFC 9562 Appendix A.4: uuid5(DNS, "www.example.com") = 2ed6657d-e927-568b-95e1-2665a8aea6a2', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('uses the namespace uuid5(URL, "urn:recgate:item-id") and gives Python’s ids', () => {
    // python3 -c 'import uuid; ns = uuid.uuid5(uuid.NAMESPACE_URL, "urn:recgate:item-id"); print(ns, uuid.uuid5(ns, "item-0"))'
    expect(uuidV5('urn:recgate:item-id', '6ba7b811-9dad-11d1-80b4-00c04fd430c8')).toBe(ITEM_ID_NAMESPACE);
    expect(itemPointId('item-0')).toBe('2b4563b4-8276-5d07-ab47-154370b6e804');
    expect(itemPointId('é/x')).toBe('3cd94f1f-f27e-5d1b-a479-05d043bfdd63');
    expect(itemPointId('a')).toBe(UUID.a);
  });
});

describe('Qdrant collection naming', () => {
  it('appends the model version, so a new model never shares a collection', () => {
    expect(collectionName('recgate', 'v20240501-120000')).toBe('recgate_v20240501-120000');
    expect(collectionName('recgate', 'v20240501-120000-2')).not.toBe(
      collectionName('recgate', 'v20240501-120000'),
    );
  });

  it('replaces unsafe characters and adds a hash of the raw name so sanitised names cannot collide', () => {
    // python3 -c 'import hashlib; print(hashlib.sha1(b"recgate_1.0/x").hexdigest()[:8])' → e6d303f7
    expect(collectionName('recgate', '1.0/x')).toBe('recgate_1_0_x_e6d303f7');
    expect(collectionName('recgate', '1_0_x')).toBe('recgate_1_0_x');
  });
});

describe('Qdrant filter translation', () => {
  const limit = { maxPushDownIds: 3 };
  const anyCond = { key: 'categories', match: { any: ['Comedy', 'Drama'] } };
  const noneCond = { key: 'categories', match: { any: ['Horror'] } };
  const availCond = { key: 'available', match: { value: false } };
  const idsCond = { has_id: [UUID.a, UUID.b] };

  it('sends nothing for no filter, an empty filter, or only empty lists and availableOnly false', () => {
    for (const f of [
      undefined,
      {},
      { excludeIds: [], categoriesAny: [], categoriesNone: [], availableOnly: false },
    ]) {
      expect(toQdrantFilter(f, limit)).toEqual({ filter: undefined, postExcludeIds: null });
    }
  });

  it('maps categoriesAny to must/any, categoriesNone to must_not/any, availableOnly to must_not value false', () => {
    expect(toQdrantFilter({ categoriesAny: ['Comedy', 'Drama', 'Comedy'] }, limit).filter).toEqual({
      must: [anyCond],
    });
    expect(toQdrantFilter({ categoriesNone: ['Horror'] }, limit).filter).toEqual({ must_not: [noneCond] });
    expect(toQdrantFilter({ availableOnly: true }, limit).filter).toEqual({ must_not: [availCond] });
  });

  it('maps up to maxPushDownIds distinct excluded ids to must_not has_id with their UUIDs', () => {
    expect(toQdrantFilter({ excludeIds: ['a', 'b', 'a'] }, limit)).toEqual({
      filter: { must_not: [idsCond] },
      postExcludeIds: null,
    });
  });

  it('keeps a longer id list out of the request and returns it for post-filtering', () => {
    const plan = toQdrantFilter({ excludeIds: ['a', 'b', 'c', 'd'], availableOnly: true }, limit);
    expect(plan.filter).toEqual({ must_not: [availCond] });
    expect([...plan.postExcludeIds!]).toEqual(['a', 'b', 'c', 'd']);
  });

  it('covers every combination (given / empty / missing list), never sending [] or should', () => {
    const parts = {
      excludeIds: { given: ['a', 'b'], cond: idsCond },
      categoriesAny: { given: ['Comedy', 'Drama'], cond: anyCond },
      categoriesNone: { given: ['Horror'], cond: noneCond },
    } as const;
    const states = ['given', 'empty', 'missing'] as const;
    let cases = 0;
    for (const ex of states)
      for (const an of states)
        for (const no of states)
          for (const avail of [true, false, undefined]) {
            const f: Record<string, unknown> = {};
            const pick = (key: keyof typeof parts, state: (typeof states)[number]): void => {
              if (state === 'given') f[key] = parts[key].given;
              if (state === 'empty') f[key] = [];
            };
            pick('excludeIds', ex);
            pick('categoriesAny', an);
            pick('categoriesNone', no);
            if (avail !== undefined) f['availableOnly'] = avail;
            const must = an === 'given' ? [anyCond] : [];
            const mustNot = [
              ...(ex === 'given' ? [idsCond] : []),
              ...(no === 'given' ? [noneCond] : []),
              ...(avail === true ? [availCond] : []),
            ];
            const expected =
              must.length + mustNot.length === 0
                ? undefined
                : {
                    ...(must.length > 0 ? { must } : {}),
                    ...(mustNot.length > 0 ? { must_not: mustNot } : {}),
                  };
            const { filter } = toQdrantFilter(f as VectorFilter, limit);
            expect(filter).toEqual(expected);
            const json = JSON.stringify(filter ?? {});
            expect(json).not.toContain('[]');
            expect(json).not.toContain('should');
            cases++;
          }
    expect(cases).toBe(81);
  });

  it('sends the translated filter in the query body through the real client, unchanged', async () => {
    const s = (await ready()).on('POST', `${C}/points/query`, ok('query-points'));
    const index = await open(s);
    const filter: VectorFilter = {
      excludeIds: ['a', 'b'],
      categoriesAny: ['Comedy', 'Drama'],
      categoriesNone: ['Horror'],
      availableOnly: true,
    };
    const hits = await index.search(Float32Array.from([1, 0.5, 0]), 2, { filter });
    expect(s.calls(1)).toEqual([
      {
        method: 'POST',
        url: `${C}/points/query`,
        body: {
          query: [1, 0.5, 0],
          limit: 2,
          filter: { must: [anyCond], must_not: [idsCond, noneCond, availCond] },
          with_payload: ['item_id'],
          with_vector: false,
        },
      },
    ]);
    // The fake answers the recorded body whatever the filter: only the mapping back to ids is checked here.
    expect(hits).toEqual([
      { itemId: 'a', score: 0.98058 },
      { itemId: 'c', score: 0.83205 },
    ]);
  });
});

describe('QdrantVectorIndex bootstrap', () => {
  const catalogItem = (id: string, categories: string[], available: boolean): VectorPayload =>
    ({
      id,
      title: `Title ${id}`,
      categories,
      attributes: { year: 1999 },
      createdAt: null,
      available,
    }) as VectorPayload;
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const vectors = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0, 0.25, 0, 0.75]);
  const payloads = new Map<string, VectorPayload>([
    ['a', catalogItem('a', ['Comedy'], true)],
    ['b', catalogItem('b', [], false)],
    ['d', { categories: ['Drama', 'Comedy'] }],
    ['e', { available: true }],
  ]);

  it('creates a missing collection, its payload indexes, uploads in batches with progress, then marks it complete', async () => {
    const s = (await fake())
      .on('GET', C, { status: 404, body: fixture('not-found') })
      .on('PUT', C, ok('bool-result'))
      .on('PUT', `${C}/index?wait=true`, ok('update-completed'))
      .on('PUT', `${C}/points?wait=true`, ok('update-completed'))
      .on('PATCH', C, ok('bool-result'));
    const progress: unknown[] = [];
    const index = await open(s, {
      items: vectorEntries(ids, vectors, 3, payloads),
      itemCount: 5,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(index.collection).toBe('recgate_v1');
    const point = (id: keyof typeof UUID, vector: number[], payload: Record<string, unknown>): unknown => ({
      id: UUID[id],
      vector,
      payload: { item_id: id, ...payload },
    });
    expect(s.calls()).toEqual([
      { method: 'GET', url: C, body: undefined },
      {
        method: 'PUT',
        url: C,
        body: {
          vectors: { size: 3, distance: 'Cosine' },
          metadata: { recgate_model_version: 'v1', recgate_dimension: 3, recgate_complete: false },
        },
      },
      {
        method: 'PUT',
        url: `${C}/index?wait=true`,
        body: { field_name: 'item_id', field_schema: 'keyword' },
      },
      {
        method: 'PUT',
        url: `${C}/index?wait=true`,
        body: { field_name: 'categories', field_schema: 'keyword' },
      },
      { method: 'PUT', url: `${C}/index?wait=true`, body: { field_name: 'available', field_schema: 'bool' } },
      {
        method: 'PUT',
        url: `${C}/points?wait=true`,
        body: {
          points: [
            point('a', [1, 0, 0], { categories: ['Comedy'], available: true }),
            point('b', [0, 1, 0], { categories: [], available: false }),
          ],
        },
      },
      {
        method: 'PUT',
        url: `${C}/points?wait=true`,
        body: {
          points: [point('c', [0, 0, 1], {}), point('d', [0.5, 0.5, 0], { categories: ['Drama', 'Comedy'] })],
        },
      },
      {
        method: 'PUT',
        url: `${C}/points?wait=true`,
        body: { points: [point('e', [0.25, 0, 0.75], { available: true })] },
      },
      { method: 'PATCH', url: C, body: { metadata: { recgate_complete: true, recgate_points: 5 } } },
    ]);
    expect(progress).toEqual([
      { collection: 'recgate_v1', uploaded: 2, total: 5 },
      { collection: 'recgate_v1', uploaded: 4, total: 5 },
      { collection: 'recgate_v1', uploaded: 5, total: 5 },
    ]);
  });

  it('re-opening a complete collection uploads nothing and does not even read the items', async () => {
    const s = await ready();
    let read = false;
    const items: Iterable<VectorEntry> = {
      [Symbol.iterator]: () => {
        read = true;
        return [][Symbol.iterator]();
      },
    };
    await open(s, { items });
    expect(s.calls()).toEqual([{ method: 'GET', url: C, body: undefined }]);
    expect(read).toBe(false);
  });

  it('redoes an interrupted upload (recgate_complete false) from the start', async () => {
    const s = (await fake())
      .on('GET', C, info({ complete: false }))
      .on('PUT', `${C}/index?wait=true`, ok('update-completed'))
      .on('PUT', `${C}/points?wait=true`, ok('update-completed'))
      .on('PATCH', C, ok('bool-result'));
    await open(s, { items: vectorEntries(ids, vectors, 3, payloads), batchSize: 256 });
    const calls = s.calls().map((c) => `${c.method} ${c.url}`);
    expect(calls).toEqual([
      `GET ${C}`,
      `PUT ${C}/index?wait=true`,
      `PUT ${C}/index?wait=true`,
      `PUT ${C}/index?wait=true`,
      `PUT ${C}/points?wait=true`,
      `PATCH ${C}`,
    ]);
    expect((s.requests[4]!.body as { points: unknown[] }).points.length).toBe(5);
  });

  it('accepts losing the creation race to another replica (409) and carries on', async () => {
    let gets = 0;
    const s = (await fake())
      .on('GET', C, () =>
        gets++ === 0 ? { status: 404, body: fixture('not-found') } : info({ complete: true }),
      )
      .on('PUT', C, { status: 409, body: fixture('already-exists') });
    await open(s, { items: vectorEntries(ids, vectors, 3) });
    expect(s.calls().map((c) => `${c.method} ${c.url}`)).toEqual([`GET ${C}`, `PUT ${C}`, `GET ${C}`]);
  });

  it('refuses a collection of another dimension with a clear start-up error', async () => {
    const s = (await fake()).on('GET', C, info({ size: 4 }));
    const err = await open(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VectorIndexConfigError);
    expect((err as Error).message).toMatch(/`recgate_v1`.* holds 4-dimensional vectors but model v1 has 3/);
  });

  it('refuses a collection made for another model version', async () => {
    const s = (await fake()).on('GET', C, info({ modelVersion: 'v0' }));
    await expect(open(s)).rejects.toThrow(/created for model v0, not v1/);
  });

  it('a missing collection without items to bootstrap is a clear start-up error (404)', async () => {
    const s = (await fake()).on('GET', C, { status: 404, body: fixture('not-found') });
    const err = await open(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VectorIndexConfigError);
    expect((err as VectorIndexConfigError).status).toBe(404);
    expect((err as Error).message).toMatch(
      /has no collection `recgate_v1` \(model v1\) and no items were given/,
    );
  });

  it('an incomplete collection without items is a clear start-up error', async () => {
    const s = (await fake()).on('GET', C, info({ complete: false }));
    await expect(open(s)).rejects.toThrow(/is incomplete .* no items were given to finish it/);
  });

  it('rejects item vectors of the wrong length before uploading them', async () => {
    const s = (await fake())
      .on('GET', C, info({ complete: false }))
      .on('PUT', `${C}/index?wait=true`, ok('update-completed'));
    await expect(open(s, { items: [{ itemId: 'x', vector: Float32Array.from([1, 2]) }] })).rejects.toThrow(
      RangeError,
    );
    expect(s.calls().some((c) => c.url.startsWith(`${C}/points`))).toBe(false);
  });

  it('sends the API key as the api-key header', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // the client warns about a key over plain http
    const s = await ready();
    await open(s, { apiKey: 'secret-key' });
    expect(s.requests[0]!.headers['api-key']).toBe('secret-key');
  });
});

describe('QdrantVectorIndex search, vectors and upserts', () => {
  it('applies an excludeIds list above maxPushDownIds after the search, over-fetching k + its size', async () => {
    const s = (await ready()).on('POST', `${C}/points/query`, ok('query-points'));
    const index = await open(s, { maxPushDownIds: 2 });
    const hits = await index.search(Float32Array.from([1, 0, 0]), 2, {
      filter: { excludeIds: ['a', 'c', 'zzz'], categoriesAny: ['Comedy'] },
    });
    expect(s.calls(1)).toEqual([
      {
        method: 'POST',
        url: `${C}/points/query`,
        body: {
          query: [1, 0, 0],
          limit: 5,
          filter: { must: [{ key: 'categories', match: { any: ['Comedy'] } }] },
          with_payload: ['item_id'],
          with_vector: false,
        },
      },
    ]);
    expect(hits).toEqual([
      { itemId: 'b', score: 0.5547 },
      { itemId: 'd', score: 0.19612 },
    ]);
  });

  it('pages on (offset, doubling limit) while the in-process predicates leave k unfilled', async () => {
    const all = (fixture('query-points') as { result: { points: unknown[] } }).result.points;
    const s = (await ready()).on('POST', `${C}/points/query`, (r) => {
      const { offset = 0, limit } = r.body as { offset?: number; limit: number };
      return {
        status: 200,
        body: { result: { points: all.slice(offset, offset + limit) }, status: 'ok', time: 0.0004 },
      };
    });
    const index = await open(s);
    const hits = await index.search(Float32Array.from([1, 0, 0]), 2, {
      exclude: (id) => id === 'a' || id === 'c',
    });
    expect(hits.map((h) => h.itemId)).toEqual(['b', 'd']);
    expect(s.calls(1).map((c) => c.body)).toEqual([
      { query: [1, 0, 0], limit: 2, with_payload: ['item_id'], with_vector: false },
      { query: [1, 0, 0], limit: 4, offset: 2, with_payload: ['item_id'], with_vector: false },
    ]);
  });

  it('stops paging at maxFetch points and at a short page, returning what it found', async () => {
    const s = (await ready()).on('POST', `${C}/points/query`, ok('query-points'));
    const index = await open(s, { maxFetch: 4 });
    const hits = await index.search(Float32Array.from([1, 0, 0]), 3, { allow: (id) => id === 'd' });
    expect(hits.map((h) => h.itemId)).toEqual(['d']);
    expect(s.calls(1).map((c) => (c.body as { limit: number }).limit)).toEqual([3]);
  });

  it('asks nothing for k = 0 or a zero query, and rejects a query of the wrong dimension', async () => {
    const s = await ready();
    const index = await open(s);
    expect(await index.search(Float32Array.from([1, 0, 0]), 0)).toEqual([]);
    expect(await index.search(new Float32Array(3), 5)).toEqual([]);
    await expect(index.search(Float32Array.from([1, 0]), 5)).rejects.toThrow(RangeError);
    expect(s.calls(1)).toEqual([]);
  });

  it('reads a vector by its UUID with with_vector, null when the point is unknown', async () => {
    let empty = false;
    const s = (await ready()).on('POST', `${C}/points`, () =>
      empty ? { status: 200, body: { result: [], status: 'ok', time: 0.0001 } } : ok('retrieve-points'),
    );
    const index = await open(s);
    expect(Array.from((await index.vectorOf('a'))!)).toEqual([
      expect.closeTo(0.6, 6),
      expect.closeTo(0.8, 6),
      0,
    ]);
    empty = true;
    expect(await index.vectorOf('nope')).toBeNull();
    expect(s.calls(1)).toEqual([
      { method: 'POST', url: `${C}/points`, body: { ids: [UUID.a], with_payload: false, with_vector: true } },
      {
        method: 'POST',
        url: `${C}/points`,
        body: { ids: [itemPointId('nope')], with_payload: false, with_vector: true },
      },
    ]);
  });

  it('upserts in batches of batchSize with wait=true, and checks every vector before sending any', async () => {
    const s = (await ready()).on('PUT', `${C}/points?wait=true`, ok('update-completed'));
    const index = await open(s, { batchSize: 2 });
    const v = (x: number): Float32Array => Float32Array.from([x, 0, 0]);
    await index.upsert([
      { itemId: 'a', vector: v(1) },
      { itemId: 'b', vector: v(2), payload: { categories: ['Drama'] } },
      { itemId: 'c', vector: Float32Array.from([Number.NaN, 1, 1]) },
    ]);
    expect(s.calls(1).map((c) => (c.body as { points: unknown[] }).points)).toEqual([
      [
        { id: UUID.a, vector: [1, 0, 0], payload: { item_id: 'a' } },
        { id: UUID.b, vector: [2, 0, 0], payload: { item_id: 'b', categories: ['Drama'] } },
      ],
      [{ id: UUID.c, vector: [0, 0, 0], payload: { item_id: 'c' } }],
    ]);
    await expect(
      index.upsert([
        { itemId: 'd', vector: v(1) },
        { itemId: 'e', vector: new Float32Array(2) },
      ]),
    ).rejects.toThrow(RangeError);
    expect(s.requests.length).toBe(3);
  });
});

describe('QdrantVectorIndex error mapping', () => {
  const query = Float32Array.from([1, 0, 0]);

  it('a server that never answers gives VectorIndexUnavailableError (timeout) once timeoutMs has passed', async () => {
    const s = (await ready()).on('POST', `${C}/points/query`, 'hang');
    const index = await open(s, { timeoutMs: 100 });
    const err = await index.search(query, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VectorIndexUnavailableError);
    expect((err as VectorIndexUnavailableError).category).toBe('timeout');
  });

  it('HTTP 500 gives VectorIndexUnavailableError (unavailable) with Qdrant’s message', async () => {
    const s = (await ready()).on('POST', `${C}/points/query`, {
      status: 500,
      body: fixture('internal-error'),
    });
    const index = await open(s);
    const err = await index.search(query, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VectorIndexUnavailableError);
    expect(err).toMatchObject({ category: 'unavailable', status: 500 });
    expect((err as Error).message).toMatch(/HTTP 500: Service internal error/);
  });

  it('HTTP 404 on the request path (collection deleted) gives VectorIndexConfigError', async () => {
    const s = (await ready()).on('POST', `${C}/points`, { status: 404, body: fixture('not-found') });
    const index = await open(s);
    const err = await index.vectorOf('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VectorIndexConfigError);
    expect((err as Error).message).toMatch(
      /404 Not Found: Not found: Collection `recgate_v1` doesn't exist!/,
    );
  });

  it('another 4xx gives VectorIndexConfigError with Qdrant’s sentence', async () => {
    const s = (await ready()).on('POST', `${C}/points/query`, { status: 400, body: fixture('bad-request') });
    const index = await open(s);
    await expect(index.search(query, 3)).rejects.toThrow(VectorIndexConfigError);
    await expect(index.search(query, 3)).rejects.toThrow(/HTTP 400: Format error in JSON body/);
  });

  it('HTTP 500 during start-up gives VectorIndexUnavailableError', async () => {
    const s = (await fake()).on('GET', C, { status: 500, body: fixture('internal-error') });
    await expect(open(s)).rejects.toThrow(VectorIndexUnavailableError);
  });

  it('a refused connection gives VectorIndexUnavailableError naming the URL', async () => {
    const s = await FakeQdrant.start();
    const url = s.url;
    await s.close();
    const err = await QdrantVectorIndex.open({
      url,
      collection: 'recgate',
      modelVersion: 'v1',
      dimension: 3,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VectorIndexUnavailableError);
    expect((err as Error).message).toContain(url);
  });

  it('a URL without a protocol is a start-up configuration error', async () => {
    await expect(
      QdrantVectorIndex.open({
        url: '127.0.0.1:6333',
        collection: 'recgate',
        modelVersion: 'v1',
        dimension: 3,
      }),
    ).rejects.toThrow(VectorIndexConfigError);
  });

  it('rejects out-of-range options before any request', async () => {
    const s = await ready();
    await expect(open(s, { batchSize: 0 })).rejects.toThrow(/batchSize: expected a positive integer/);
    await expect(open(s, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs: expected a positive number of ms/);
    expect(s.requests.length).toBe(0);
  });
});
