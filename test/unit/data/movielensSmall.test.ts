import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../models/data/loadDataset.js';
import { summarizeDataset } from '../../../models/data/summarizeDataset.js';
import { sharedDataDir } from './dataPaths.js';

// MovieLens may not be redistributed, so it is never copied into the repo: this
// suite reads the shared copy at ../shared/data and is skipped where it is absent.
const dir = path.join(sharedDataDir, 'movielens/ml-latest-small');
const present = existsSync(path.join(dir, 'ratings.csv'));

describe.skipIf(!present)(
  `Data: ml-latest-small from ../shared/data (${present ? 'present' : 'skipped: ../shared/data not present'})`,
  () => {
    it('loads 100,836 ratings by 610 users on 9,724 movies, with no bad row', async () => {
      const ds = await loadDataset(dir, 'movielens');
      expect(ds.name).toBe('ml-latest-small');
      expect(ds.report.rowsRead).toBe(100_836);
      expect(ds.report.rowsKept).toBe(100_836);
      expect(ds.report.itemRowsRead).toBe(9_742);
      expect(ds.report.itemRowsBad).toBe(0);
      expect(ds.report.warnings).toEqual([]);
      const s = summarizeDataset(ds);
      expect(s.users).toBe(610);
      expect(s.items).toBe(9_724);
      expect(s.catalogItems).toBe(9_742);
      expect(s.timeRange).toEqual({ from: '1996-03-29T18:36:55.000Z', to: '2018-09-24T14:27:30.000Z' });
      expect(s.perUser.min).toBe(20);
      expect(ds.items.get('1')?.attributes).toEqual({ year: 1995, tags: ['pixar', 'fun'] });
      expect(ds.items.get('11')?.title).toBe('American President, The (1995)');
    });
  },
);
