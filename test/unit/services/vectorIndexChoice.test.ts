import { describe, expect, it } from 'vitest';
import { GATEWAY_DEFAULTS } from '../../../src/config.js';
import type { IndexChoiceSettings } from '../../../src/services/vectorIndexChoice.js';
import { servedVectorPrecision, servesIvf } from '../../../src/services/vectorIndexChoice.js';

const defaults: IndexChoiceSettings = {
  vectorIndex: GATEWAY_DEFAULTS.vectorIndex,
  annMinItems: GATEWAY_DEFAULTS.annMinItems,
  ivfStorage: GATEWAY_DEFAULTS.ivfStorage,
};

describe('servesIvf: which in-process index serves a model', () => {
  it('is IVF-Flat past annMinItems with embedded and qdrant, always with ivf, never with exact or ann', () => {
    const at = (vectorIndex: IndexChoiceSettings['vectorIndex'], n: number): boolean =>
      servesIvf({ ...defaults, vectorIndex, annMinItems: 1000 }, n);
    expect([at('embedded', 1000), at('embedded', 1001)]).toEqual([false, true]);
    expect([at('qdrant', 1000), at('qdrant', 1001)]).toEqual([false, true]);
    expect([at('ivf', 0), at('ivf', 1_000_000)]).toEqual([true, true]);
    expect([at('exact', 1_000_000), at('ann', 1_000_000)]).toEqual([false, false]);
  });
});

describe('servedVectorPrecision: RECGATE_VECTOR_PRECISION for one loaded model', () => {
  it('with the defaults keeps float32 up to 200,000 items and halves past it (IVF-Flat, storage none)', () => {
    expect(servedVectorPrecision('auto', 10_506, defaults)).toBe('float32');
    expect(servedVectorPrecision('auto', 200_000, defaults)).toBe('float32');
    expect(servedVectorPrecision('auto', 200_001, defaults)).toBe('float16');
    expect(servedVectorPrecision('auto', 1_000_000, defaults)).toBe('float16');
  });

  it('auto keeps float32 wherever the index would copy the halves: exact, HNSW, IVF storage float32 or int8', () => {
    const n = 1_000_000;
    expect(servedVectorPrecision('auto', n, { ...defaults, vectorIndex: 'exact' })).toBe('float32');
    expect(servedVectorPrecision('auto', n, { ...defaults, vectorIndex: 'ann' })).toBe('float32');
    expect(servedVectorPrecision('auto', n, { ...defaults, ivfStorage: 'float32' })).toBe('float32');
    expect(servedVectorPrecision('auto', n, { ...defaults, vectorIndex: 'ivf', ivfStorage: 'int8' })).toBe(
      'float32',
    );
    expect(servedVectorPrecision('auto', 50, { ...defaults, vectorIndex: 'ivf' })).toBe('float16');
    expect(servedVectorPrecision('auto', n, { ...defaults, vectorIndex: 'qdrant' })).toBe('float16');
  });

  it('takes float32 and float16 as given, whatever the index', () => {
    for (const vectorIndex of ['embedded', 'exact', 'ann', 'ivf', 'qdrant'] as const) {
      for (const n of [10, 1_000_000]) {
        expect(servedVectorPrecision('float32', n, { ...defaults, vectorIndex })).toBe('float32');
        expect(servedVectorPrecision('float16', n, { ...defaults, vectorIndex })).toBe('float16');
      }
    }
  });
});
