import { describe, expect, it } from 'vitest';
import {
  autoDimension,
  DEFAULT_TRAIN_CONFIG,
  resolveDimension,
} from '../../../models/pipeline/trainConfig.js';

describe('Train config: automatic iALS dimension', () => {
  it('uses 128 factors up to 3,000 items, 64 up to 6,000 and 32 above', () => {
    expect(autoDimension(1682)).toBe(128); // MovieLens 100K
    expect(autoDimension(3000)).toBe(128);
    expect(autoDimension(3001)).toBe(64);
    expect(autoDimension(6000)).toBe(64);
    expect(autoDimension(6001)).toBe(32);
    expect(autoDimension(9742)).toBe(32); // ml-latest-small
    expect(autoDimension(10506)).toBe(32); // the bundled MovieTweetings
  });

  it('resolves only the automatic (0) default and keeps an explicit dimension', () => {
    expect(DEFAULT_TRAIN_CONFIG.dimension).toBe(0);
    expect(resolveDimension(DEFAULT_TRAIN_CONFIG, 1682).dimension).toBe(128);
    expect(resolveDimension({ ...DEFAULT_TRAIN_CONFIG, dimension: 16 }, 1682).dimension).toBe(16);
  });
});
