import { describe, expect, it } from 'vitest';
import { CatalogTable } from '../../../models/registry/catalogTable.js';
import type { CatalogItem } from '../../../src/domain/interaction.js';
import { payloadReader } from '../../../src/stores/vectorIndex.js';

const item = (id: string, extra: Partial<CatalogItem> = {}): CatalogItem => ({
  id,
  title: `title ${id}`,
  categories: ['drama'],
  attributes: {},
  createdAt: null,
  available: true,
  ...extra,
});

describe('payloadReader', () => {
  const items = [
    item('a'),
    item('b', { categories: [], available: false }),
    item('c', { categories: ['comedy', 'drama'], title: null }),
    // Not of the table's column shape (an extra key): kept as parsed, read back as is.
    { ...item('d', { categories: ['kids'], available: false }), extra: 1 } as CatalogItem,
    // Kept as parsed without a categories key: still a known item (not "no payload").
    { id: 'e', title: 't', attributes: {}, createdAt: null, available: false } as unknown as CatalogItem,
  ];
  const ids = items.map((i) => i.id);

  it('reads the categories and availability of a catalog table without building the items, as get would', () => {
    const table = CatalogTable.build(items, { ids, index: new Map(ids.map((id, k) => [id, k])) }, 0);
    const read = payloadReader(table);
    for (const id of [...ids, 'missing']) {
      const whole = table.get(id);
      expect(read(id)).toEqual(
        whole === undefined ? undefined : { categories: whole.categories, available: whole.available },
      );
    }
  });

  it('uses get for any other map, and reads nothing without payloads', () => {
    const map = new Map(items.map((i) => [i.id, { categories: i.categories, available: i.available }]));
    const read = payloadReader(map);
    for (const id of [...ids, 'missing']) expect(read(id)).toBe(map.get(id));
    expect(payloadReader(undefined)('a')).toBeUndefined();
  });
});
