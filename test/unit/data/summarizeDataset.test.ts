import { describe, expect, it } from 'vitest';
import type { CatalogItem, Interaction } from '../../../src/domain/interaction.js';
import type { Dataset, ValidationReport } from '../../../models/data/dataset.js';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { formatDatasetSummary, summarizeDataset } from '../../../models/data/summarizeDataset.js';
import { fixture } from './dataPaths.js';

const emptyReport = (): ValidationReport => ({
  rowsRead: 0,
  rowsKept: 0,
  bad: { missingId: 0, badTimestamp: 0, valueOutOfRange: 0, duplicate: 0, malformed: 0 },
  examples: { missingId: [], badTimestamp: [], valueOutOfRange: [], duplicate: [], malformed: [] },
  itemRowsRead: 0,
  itemRowsBad: 0,
  warnings: [],
});

function dataset(interactions: Interaction[], items: string[]): Dataset {
  const catalog = new Map<string, CatalogItem>(
    items.map((id) => [id, { id, title: null, categories: [], attributes: {}, createdAt: null, available: true }]),
  );
  return {
    name: 'toy',
    format: 'generic',
    interactions,
    items: catalog,
    ratingScale: null,
    report: { ...emptyReport(), rowsRead: interactions.length, rowsKept: interactions.length },
  };
}

const click = (userId: string, itemId: string, timestamp: number): Interaction => ({
  userId,
  itemId,
  timestamp,
  type: 'CLICK',
  value: null,
});

describe('Data: summarizeDataset', () => {
  it('counts users, items, density, time range and per-user / per-item distributions', () => {
    // u1: 4 interactions, u2: 1, u3: 1, u4: 2 → sorted counts 1, 1, 2, 4
    const ds = dataset(
      [
        click('u1', 'a', Date.UTC(2020, 0, 1)),
        click('u1', 'b', Date.UTC(2020, 0, 2)),
        click('u1', 'c', Date.UTC(2020, 0, 3)),
        click('u1', 'a', Date.UTC(2020, 0, 4)),
        click('u2', 'a', Date.UTC(2020, 0, 5)),
        click('u3', 'b', Date.UTC(2020, 0, 6)),
        click('u4', 'a', Date.UTC(2020, 0, 7)),
        click('u4', 'c', Date.UTC(2020, 0, 8)),
      ],
      ['a', 'b', 'c', 'd'],
    );
    const s = summarizeDataset(ds);
    expect(s).toMatchObject({ users: 4, items: 3, catalogItems: 4, interactions: 8, types: { CLICK: 8 } });
    expect(s.density).toBeCloseTo(8 / 12, 12);
    expect(s.timeRange).toEqual({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-08T00:00:00.000Z' });
    // Linear interpolation between order statistics (numpy's default).
    expect(s.perUser).toEqual({ min: 1, p25: 1, median: 1.5, p75: 2.5, p90: 3.4000000000000004, max: 4, mean: 2 });
    // a: 4, b: 2, c: 2
    expect(s.perItem.min).toBe(2);
    expect(s.perItem.median).toBe(2);
    expect(s.perItem.max).toBe(4);
    expect(s.perItem.mean).toBeCloseTo(8 / 3, 12);
  });

  it('handles an empty dataset', () => {
    const s = summarizeDataset(dataset([], []));
    expect(s.users).toBe(0);
    expect(s.density).toBe(0);
    expect(s.timeRange).toBeNull();
    expect(s.perUser).toEqual({ min: 0, p25: 0, median: 0, p75: 0, p90: 0, max: 0, mean: 0 });
  });

  it('formats a readable block with the validation report and example lines', async () => {
    const ds = await loadDataset(fixture('ml-latest-format'), 'movielens', { maxBadShare: 1, now: Date.UTC(2024, 0, 1) });
    const text = formatDatasetSummary(summarizeDataset(ds), ds.report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Dataset ml-latest-format (movielens)');
    expect(lines).toContain('  interactions  7 (RATING 7)');
    expect(lines).toContain('  users         3');
    expect(lines).toContain('  items         4 interacted, 9 in catalog');
    expect(lines).toContain('  rating scale  0.5..5, positive ≥ 4');
    expect(lines).toContain(
      'Validation: read 21 rows, kept 7; skipped 14 bad rows: 2 missing id, 3 bad timestamp, ' +
        '3 value out of range, 1 duplicate, 5 malformed',
    );
    expect(lines).toContain('  ratings.csv:4: missing user id');
    expect(lines).toContain('  ratings.csv:22: unterminated quoted field');
    expect(lines).toContain('Item rows: read 10, skipped 2');
    expect(lines).toContain('Warnings (4):');
    expect(text.endsWith('\n')).toBe(false);
  });

  it('says "no bad rows" and groups thousands', () => {
    const many = Array.from({ length: 1234 }, (_, i) => click(`u${i % 2}`, `i${i}`, Date.UTC(2020, 0, 1) + i));
    const ds = dataset(many, []);
    const text = formatDatasetSummary(summarizeDataset(ds), ds.report);
    expect(text).toContain('  interactions  1,234 (CLICK 1,234)');
    expect(text).toContain('Validation: read 1,234 rows, kept 1,234; no bad rows');
    expect(text).toContain('  rating scale  none (implicit feedback)');
  });
});
