import type { CatalogItem } from '../../src/domain/interaction.js';

const TITLE_YEAR = /\((\d{4})\)\s*$/;

/**
 * Builds the {@link CatalogItem} of a movie from a MovieLens-style record.
 * - `title`: kept as written (including the `(1995)` suffix); empty → `null`.
 * - `genres`: trimmed, empty entries dropped, first occurrence kept.
 * - `attributes`: `extra` plus `year` (number) when the title ends with
 *   `(YYYY)`.
 * - `createdAt`: always `null` — these formats do not say when a movie
 *   entered the catalog, and none is invented.
 */
export function movieCatalogItem(
  id: string,
  title: string,
  genres: readonly string[],
  extra: Readonly<Record<string, unknown>> = {},
): CatalogItem {
  const cleanTitle = title.trim();
  const year = TITLE_YEAR.exec(cleanTitle)?.[1];
  const categories = [...new Set(genres.map((g) => g.trim()).filter((g) => g !== ''))];
  return {
    id,
    title: cleanTitle === '' ? null : cleanTitle,
    categories,
    attributes: year === undefined ? { ...extra } : { year: Number(year), ...extra },
    createdAt: null,
    available: true,
  };
}
