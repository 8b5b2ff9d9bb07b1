import type { CatalogItem } from '../../src/domain/interaction.js';

/** A catalog item with no categories or attributes, available, with no creation time. */
export function plainItem(id: string, title: string | null = null): CatalogItem {
  return { id, title, categories: [], attributes: {}, createdAt: null, available: true };
}
