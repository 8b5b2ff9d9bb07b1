import { describe, expect, it } from 'vitest';
import { DEFAULT_SURFACE_PARAMS } from '../../../src/pipeline/surfaceParams.js';
import { resolveSurfaceParams } from '../../../src/experiments/resolveSurfaceParams.js';

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

describe('resolveSurfaceParams', () => {
  const base = deepFreeze(structuredClone(DEFAULT_SURFACE_PARAMS));

  it('returns the base parameters when there are no assignments or overrides', () => {
    expect(resolveSurfaceParams(base, [])).toEqual(DEFAULT_SURFACE_PARAMS);
    expect(resolveSurfaceParams(base, [{ params: {} }])).toEqual(DEFAULT_SURFACE_PARAMS);
  });

  it('replaces scalars and merges the per-source records key by key, leaving base untouched', () => {
    const out = resolveSurfaceParams(base, [
      {
        params: {
          mmrLambda: 0.6,
          explorationShare: 0.1,
          rankerVersion: 'v2',
          sources: { trending: false },
          candidatesPerSource: { popular: 100 },
        },
      },
    ]);
    expect(out).toEqual({
      ...DEFAULT_SURFACE_PARAMS,
      mmrLambda: 0.6,
      explorationShare: 0.1,
      rankerVersion: 'v2',
      sources: { ...DEFAULT_SURFACE_PARAMS.sources, trending: false },
      candidatesPerSource: { ...DEFAULT_SURFACE_PARAMS.candidatesPerSource, popular: 100 },
    });
    expect(base).toEqual(DEFAULT_SURFACE_PARAMS);
  });

  it('applies assignments in order: the later experiment wins on a shared key', () => {
    const out = resolveSurfaceParams(base, [
      { params: { mmrLambda: 0.6, sources: { trending: false, session: false } } },
      { params: { mmrLambda: 0.7, sources: { session: true }, categoryCap: 0 } },
    ]);
    expect(out.mmrLambda).toBe(0.7);
    expect(out.categoryCap).toBe(0);
    expect(out.sources).toEqual({ ...DEFAULT_SURFACE_PARAMS.sources, trending: false, session: true });
  });

  it('lets rankerVersion be reset to null (the current version) and keeps it when absent', () => {
    const pinned = resolveSurfaceParams(base, [{ params: { rankerVersion: 'v1' } }]);
    expect(resolveSurfaceParams(pinned, [{ params: { rankerVersion: null } }]).rankerVersion).toBeNull();
    expect(resolveSurfaceParams(pinned, [{ params: { mmrLambda: 0.5 } }]).rankerVersion).toBe('v1');
  });
});
