import { describe, expect, it } from 'vitest';
import { CatalogTable } from '../../../models/registry/catalogTable.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { ExactVectorIndex } from '../../../src/stores/embedded/exactVectorIndex.js';
import { IvfVectorIndex } from '../../../src/stores/ann/ivfVectorIndex.js';
import type { VectorFilter, VectorIndex } from '../../../src/stores/vectorIndex.js';

const reg = (id: string, categories: string[], available: boolean): CatalogItem => ({
  id,
  title: `t ${id}`,
  categories,
  attributes: {},
  createdAt: null,
  available,
});
// Lines as a catalog file may hold them (JSON.parse, no validation).
const lines: CatalogItem[] = [
  reg('r1', ['drama'], true),
  reg('r2', ['comedy'], false),
  reg('r3', [], false),
  {
    id: 'noAvail',
    title: 't',
    categories: ['drama'],
    attributes: {},
    createdAt: null,
  } as unknown as CatalogItem,
  {
    id: 'availNo',
    title: 't',
    categories: ['drama'],
    attributes: {},
    createdAt: null,
    available: 'no',
  } as unknown as CatalogItem,
  {
    id: 'catStr',
    title: 't',
    categories: 'drama',
    attributes: {},
    createdAt: null,
    available: true,
  } as unknown as CatalogItem,
  // No categories key at all, and not available: the item must not pass availableOnly.
  {
    id: 'noCatUnavail',
    title: 't',
    attributes: {},
    createdAt: null,
    available: false,
  } as unknown as CatalogItem,
  { id: 'noCatAvail', title: 't', available: true } as unknown as CatalogItem,
  { ...reg('extra', ['drama'], false), extra: 1 } as CatalogItem,
];
const ids = lines.map((l) => l.id);
const dim = 4;
const vectors = new Float32Array(ids.length * dim).map((_, i) => 1 + ((i * 7919) % 13) / 10);

const filters: VectorFilter[] = [
  { availableOnly: true },
  { categoriesAny: ['drama'] },
  { categoriesNone: ['drama'] },
  { categoriesAny: ['drama', 'comedy'], availableOnly: true },
  { categoriesNone: ['comedy'], availableOnly: true },
];

async function hits(index: VectorIndex, filter: VectorFilter): Promise<string[]> {
  const q = new Float32Array(dim).fill(1);
  return (await index.search(q, ids.length, { filter })).map((h) => h.itemId).sort();
}

/**
 * The index builds read payloads through `payloadReader` (the catalog table's
 * `categoriesOf`/`availableOf` instead of whole items): the filtered hits must
 * be those of a Map of the same items, for every shape a catalog line can
 * have (attack report, session 24: an item without `categories` was taken for
 * an unknown id, so an unavailable one passed `availableOnly`).
 */
describe('payloadReader: index builds over a CatalogTable vs a Map of the same items', () => {
  const table = CatalogTable.build(
    lines.map((l) => JSON.parse(JSON.stringify(l))),
    { ids, index: new Map(ids.map((id, k) => [id, k])) },
    0,
  );
  const map = new Map(lines.map((l) => [l.id, l]));
  const builds: [string, (p: ReadonlyMap<string, CatalogItem>) => VectorIndex][] = [
    ['exact', (p) => ExactVectorIndex.fromVectors(ids, vectors, dim, { payloads: p })],
    [
      'ivf',
      (p) => IvfVectorIndex.fromVectors(ids, vectors, dim, { payloads: p, ivf: { lists: 2, probes: 2 } }),
    ],
  ];
  for (const [name, build] of builds)
    for (const filter of filters)
      it(`${name} ${JSON.stringify(filter)}`, async () => {
        expect(await hits(build(table), filter)).toEqual(await hits(build(map), filter));
      });
});
