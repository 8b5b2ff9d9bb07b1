import { describe, expect, it } from 'vitest';
import {
  CatalogTable,
  PACKED_TITLES_MIN_ITEMS,
  indexCatalog,
  isIndexedCatalog,
} from '../../../models/registry/catalogTable.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { PackedIdList } from '../../../src/domain/itemIdList.js';
import { collectGarbageNow } from '../../../src/services/collectStartupGarbage.js';

const item = (id: string, extra: Partial<CatalogItem> = {}): CatalogItem => ({
  id,
  title: `title ${id}`,
  categories: ['a', 'b'],
  attributes: { topic: id.length },
  createdAt: 1_700_000_000_000 + id.length,
  available: true,
  ...extra,
});

/** JSON round trip: the catalog file's lines, as the loader parses them. */
const parsed = (items: readonly CatalogItem[]): CatalogItem[] =>
  items.map((i) => JSON.parse(JSON.stringify(i)) as CatalogItem);

const known = (ids: readonly string[]) => ({ ids, index: new Map(ids.map((id, i) => [id, i])) });

describe('CatalogTable', () => {
  // A large catalog packs its titles (PACKED_TITLES_MIN_ITEMS): forced here with packTitlesFrom 0.
  for (const packTitlesFrom of [PACKED_TITLES_MIN_ITEMS, 0])
    it(`gives back every item equal to its line, keys in the same order, and reads like a map (titles packed from ${packTitlesFrom} items)`, () => {
      const items = parsed([
        item('x'),
        item('yy', { title: null, createdAt: null, available: false, categories: [] }),
        item('zzz', { attributes: { nested: { deep: [1, 2] }, flag: true } }),
        item('ü', { title: 'Amélie — 猫 🎬' }),
      ]);
      const ids = known(['x', 'yy', 'zzz', 'ü']);
      const table = CatalogTable.build(items, ids, packTitlesFrom);
      const expected = new Map(items.map((i) => [i.id, i]));
      expect(table.size).toBe(4);
      // Packed: the title characters (two bytes each: one title is not Latin-1), 5 offsets, 4 null flags.
      const units = items.reduce((sum, i) => sum + (i.title?.length ?? 0), 0);
      expect(table.packedTitleBytes).toBe(packTitlesFrom === 0 ? 2 * units + 4 * 5 + 4 : 0);
      for (const i of items) {
        expect(table.get(i.id)).toStrictEqual(i);
        expect(Object.keys(table.get(i.id)!)).toEqual(Object.keys(i));
        expect(table.has(i.id)).toBe(true);
        expect(table.categoriesOf(i.id)).toEqual(i.categories);
        expect(table.availableOf(i.id)).toBe(i.available);
      }
      expect(table.get('nope')).toBeUndefined();
      expect(table.categoriesOf('nope')).toBeUndefined();
      expect(table.availableOf('nope')).toBeUndefined();
      expect(new Map(table)).toEqual(expected);
      expect([...table.keys()]).toEqual([...expected.keys()]);
      expect([...table.values()]).toEqual([...expected.values()]);
      expect([...table.entries()]).toEqual([...expected.entries()]);
      const seen: [string, CatalogItem][] = [];
      table.forEach((v, k, m) => {
        expect(m).toBe(table);
        seen.push([k, v]);
      });
      expect(seen).toEqual([...expected.entries()]);
    });

  it("uses the model's ids and map when the catalog lists exactly the model's items in order", () => {
    const ids = known(['x', 'yy']);
    const table = CatalogTable.build(parsed([item('x'), item('yy')]), ids);
    expect(table.ids).toBe(ids.ids);
    expect(table.positionOf('yy')).toBe(1);
    expect(table.at(1)).toEqual(table.get('yy'));
    expect(isIndexedCatalog(table)).toBe(true);
    expect(isIndexedCatalog(new Map())).toBe(false);
    expect(isIndexedCatalog(Object.assign(new Map(), { ids: [], positionOf: () => undefined }))).toBe(false);
    // The id strings are the model's.
    expect(table.get('x')!.id).toBe(ids.ids[0]);
  });

  it('numbers its own keys for another order, unknown items or fewer items, and keeps the first position of a repeated id', () => {
    const lines = parsed([item('b'), item('new'), item('a'), item('b', { title: 'again' })]);
    const table = CatalogTable.build(lines, known(['a', 'b', 'c']));
    expect([...table.keys()]).toEqual(['b', 'new', 'a']);
    expect(table.positionOf('a')).toBe(2);
    expect(table.has('c')).toBe(false);
    expect(table.get('b')!.title).toBe('again');
    expect(new Map(table)).toEqual(new Map(lines.map((i) => [i.id, i])));
    const fewer = CatalogTable.build(parsed([item('a')]), known(['a', 'b']));
    expect(fewer.has('b')).toBe(false);
    expect(fewer.size).toBe(1);
  });

  it("over a packed list of the model's ids, numbers its own keys from where the order breaks, and a prefix of them", () => {
    const packed = PackedIdList.from(['a', 'b', 'c', 'd'])!;
    const model = { ids: packed, index: new Map(['a', 'b', 'c', 'd'].map((id, i) => [id, i])) };
    const lines = parsed([item('a'), item('b'), item('d'), item('a', { title: 'again' }), item('new')]);
    const table = CatalogTable.build(lines, model, 0);
    expect([...table.keys()]).toEqual(['a', 'b', 'd', 'new']);
    expect(table.positionOf('d')).toBe(2);
    expect(table.get('a')!.title).toBe('again');
    expect(new Map(table)).toEqual(new Map(lines.map((i) => [i.id, i])));
    const prefix = CatalogTable.build(parsed([item('a'), item('b')]), model, 0);
    expect([...prefix.keys()]).toEqual(['a', 'b']);
    expect(prefix.has('c')).toBe(false);
    expect(prefix.at(1)).toEqual(parsed([item('b')])[0]);
    const whole = CatalogTable.build(parsed(['a', 'b', 'c', 'd'].map((id) => item(id))), model, 0);
    expect(whole.ids).toBe(packed);
    expect(whole.get('c')).toEqual(parsed([item('c')])[0]);
  });

  it('holds neither the ids nor the packed titles of items read in the model order as heap strings while it reads them', () => {
    // Issue #6: at 1M items the id and title strings held to the end of the parse (~80 MB) set V8's heap
    // limit and the start-up peak. Here 300,000 items: the heap in use just before the last item is read,
    // after a full GC, against the heap before the first (the old builder held ~24 MB more).
    const n = 300_000;
    const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
    const model = { ids: PackedIdList.from(ids)!, index: new Map(ids.map((id, i) => [id, i])) };
    ids.length = 0;
    let before = 0;
    let during = 0;
    function* lines(): Generator<CatalogItem> {
      collectGarbageNow();
      before = process.memoryUsage().heapUsed;
      for (let i = 0; i < n; i++) {
        if (i === n - 1) {
          collectGarbageNow();
          during = process.memoryUsage().heapUsed;
        }
        // A new id and title string per line, as JSON.parse makes them.
        yield JSON.parse(
          `{"id":"item-${i}","title":"Title of item number ${i}","categories":["a"],"attributes":{},"createdAt":${i},"available":true}`,
        ) as CatalogItem;
      }
    }
    const table = CatalogTable.build(lines(), model, 1000);
    expect(table.size).toBe(n);
    expect(table.get('item-123456')!.title).toBe('Title of item number 123456');
    expect((during - before) / 2 ** 20).toBeLessThan(6);
  });

  it('keeps a line of another shape as parsed', () => {
    const odd = [
      { ...item('k1'), extra: 1 },
      { available: true, id: 'k2', title: 't', categories: [], attributes: {}, createdAt: null }, // another key order
      { ...item('k3'), createdAt: '2024' }, // another type
      { id: 'k4', title: 't' }, // missing keys: categories is added as undefined, as the loader did
    ] as unknown as CatalogItem[];
    const table = CatalogTable.build(parsed(odd), known([]));
    const read = (id: string) => table.get(id) as unknown as Record<string, unknown>;
    expect(read('k1')).toStrictEqual(parsed(odd)[0]);
    expect(Object.keys(read('k2'))).toEqual(Object.keys(parsed(odd)[1]!));
    expect(read('k3')['createdAt']).toBe('2024');
    expect(Object.keys(read('k4'))).toEqual(['id', 'title', 'categories']);
    expect(table.categoriesOf('k4')).toBeUndefined();
  });

  it('shares equal category lists and equal flat attributes, but never conflates −0 and 0', () => {
    const table = CatalogTable.build(
      parsed([
        item('p', { attributes: { topic: 1, tag: 's' } }),
        item('q', { attributes: { topic: 1, tag: 's' } }),
        item('r', { attributes: { tag: 's', topic: 1 } }),
      ]),
      known([]),
    );
    expect(table.get('p')!.categories).toBe(table.get('q')!.categories);
    expect(table.get('p')!.attributes).toBe(table.get('q')!.attributes);
    expect(Object.keys(table.get('r')!.attributes)).toEqual(['tag', 'topic']);
    const zeros = CatalogTable.build(
      [item('z0', { attributes: { v: 0 } }), item('z1', { attributes: { v: -0 } })],
      known([]),
    );
    expect(Object.is(zeros.get('z1')!.attributes['v'], -0)).toBe(true);
    expect(Object.is(zeros.get('z0')!.attributes['v'], 0)).toBe(true);
  });

  it('keeps category lists apart that a separator inside a name would make one key', () => {
    const table = CatalogTable.build(
      [
        item('a', { categories: ['x\u0000', 'y'] }),
        item('b', { categories: ['x', '\u0000y'] }),
        item('c', { categories: ['x\u0000y'] }),
        item('d', { categories: ['x', '\u0000y'] }),
      ],
      known([]),
    );
    expect(table.get('a')!.categories).toEqual(['x\u0000', 'y']);
    expect(table.get('b')!.categories).toEqual(['x', '\u0000y']);
    expect(table.get('c')!.categories).toEqual(['x\u0000y']);
    expect(table.categoriesOf('b')).toEqual(['x', '\u0000y']);
    expect(table.get('d')!.categories).toBe(table.get('b')!.categories); // equal lists still shared
  });

  it('grows past its initial columns', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `i${i}`);
    const table = CatalogTable.build(
      ids.map((id, i) => item(id, { available: i % 3 !== 0, createdAt: i })),
      known(ids),
    );
    expect(table.get('i2999')).toEqual(item('i2999', { available: true, createdAt: 2999 }));
    expect(table.get('i2700')!.available).toBe(false);
  });
});

describe('indexCatalog', () => {
  it('indexes a copy of a map, in its order', () => {
    const source = new Map([
      ['b', item('b')],
      ['a', item('a')],
    ]);
    const indexed = indexCatalog(source);
    source.delete('a');
    expect(indexed.ids).toEqual(['b', 'a']);
    expect(indexed.positionOf('a')).toBe(1);
    expect(indexed.positionOf('c')).toBeUndefined();
    expect(indexed.size).toBe(2);
    expect(indexed.get('a')).toEqual(item('a'));
    expect(indexed.at(0)).toEqual(item('b'));
    expect(indexed.at(1)).toBe(indexed.get('a'));
    expect([...indexed]).toEqual([
      ['b', item('b')],
      ['a', item('a')],
    ]);
    expect(isIndexedCatalog(indexed)).toBe(true);
  });
});
