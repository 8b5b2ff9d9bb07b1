import { describe, expect, it } from 'vitest';
import { assignExperiments } from '../../../src/experiments/assignExperiments.js';
import { experimentBucket } from '../../../src/experiments/experimentBucket.js';
import { parseExperimentConfig } from '../../../src/experiments/experimentConfig.js';
import type { ExperimentSet } from '../../../src/experiments/experimentConfig.js';

/** One experiment "mmr-lambda": control λ 0.8 vs lambda-06 λ 0.6. */
function mmrSet(
  trafficPercent: number,
  weights: [number, number] = [1, 1],
  surfaces?: string[],
): ExperimentSet {
  return {
    source: 'test',
    experiments: parseExperimentConfig(
      {
        experiments: [
          {
            id: 'mmr-lambda',
            trafficPercent,
            ...(surfaces ? { surfaces } : {}),
            variants: [
              { id: 'control', weight: weights[0], params: { mmrLambda: 0.8 } },
              { id: 'lambda-06', weight: weights[1], params: { mmrLambda: 0.6 } },
            ],
          },
        ],
      },
      'test',
    ),
  };
}

function variantOf(set: ExperimentSet, userId: string): string {
  const [a] = assignExperiments(set, { userId });
  if (a === undefined) throw new Error('no assignment');
  return a.variant;
}

describe('assignExperiments', () => {
  // Hand-worked: MurmurHash3("mmr-lambda:u1") = 2984719170 → bucket 9170;
  // seed 1 → 983605868 → position 5868. For u2: bucket 823, position 2389
  // (see experimentBucket.test.ts).
  it('enrols a unit iff bucket < trafficPercent × 100 and reports the seed-0 bucket', () => {
    expect(assignExperiments(mmrSet(100), { userId: 'u1' })).toEqual([
      { experiment: 'mmr-lambda', variant: 'lambda-06', bucket: 9170, params: { mmrLambda: 0.6 } },
    ]);
    expect(variantOf(mmrSet(91.71), 'u1')).toBe('lambda-06'); // 9170 < 9171
    expect(variantOf(mmrSet(91.7), 'u1')).toBe('outside'); // 9170 ≥ 9170
    expect(variantOf(mmrSet(8.24), 'u2')).toBe('control'); // 823 < 824
    expect(variantOf(mmrSet(8.23), 'u2')).toBe('outside');
  });

  it('chooses the variant from the seed-1 position: first i with position × W < Cᵢ × 10 000', () => {
    // 1:1 — u1: 5868·2 = 11736 ≥ 10000, < 20000 → second; u2: 2389·2 = 4778 < 10000 → first.
    expect(variantOf(mmrSet(100), 'u1')).toBe('lambda-06');
    expect(variantOf(mmrSet(100), 'u2')).toBe('control');
    // 3:1 — u1: 5868·4 = 23472 < 30000 → control.
    expect(variantOf(mmrSet(100, [3, 1]), 'u1')).toBe('control');
    // 1:3 — u2: 2389·4 = 9556 < 10000 → control; u1: 23472 ≥ 10000 → lambda-06.
    expect(variantOf(mmrSet(100, [1, 3]), 'u2')).toBe('control');
    expect(variantOf(mmrSet(100, [1, 3]), 'u1')).toBe('lambda-06');
  });

  it('gives units outside the traffic share the control params under the variant id "outside"', () => {
    expect(assignExperiments(mmrSet(50), { userId: 'u1' })).toEqual([
      { experiment: 'mmr-lambda', variant: 'outside', bucket: 9170, params: { mmrLambda: 0.8 } },
    ]);
    for (let i = 0; i < 500; i++) expect(variantOf(mmrSet(0), `user-${i}`)).toBe('outside');
  });

  it('is deterministic: the same unit gets the same assignment on every call', () => {
    const set = mmrSet(30);
    for (let i = 0; i < 1000; i++) {
      expect(assignExperiments(set, { userId: `user-${i}` })).toEqual(
        assignExperiments(set, { userId: `user-${i}` }),
      );
    }
  });

  it('splits 100 000 users 50/50 within ±1 % at 100 % traffic', () => {
    const set = mmrSet(100);
    let treatment = 0;
    for (let i = 0; i < 100_000; i++) if (variantOf(set, `user-${i}`) === 'lambda-06') treatment += 1;
    expect(Math.abs(treatment / 100_000 - 0.5)).toBeLessThan(0.01);
  });

  it('enrols 10 % ± 0.5 % of 100 000 users at 10 % traffic, split 50/50 ± 2 %', () => {
    const set = mmrSet(10);
    let enrolled = 0;
    let treatment = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = variantOf(set, `user-${i}`);
      if (v !== 'outside') enrolled += 1;
      if (v === 'lambda-06') treatment += 1;
    }
    expect(Math.abs(enrolled / 100_000 - 0.1)).toBeLessThan(0.005);
    expect(Math.abs(treatment / enrolled - 0.5)).toBeLessThan(0.02);
  });

  it('keeps every enrolled unit in its variant when traffic ramps from 10 % to 50 %', () => {
    const small = mmrSet(10);
    const large = mmrSet(50);
    for (let i = 0; i < 20_000; i++) {
      const before = variantOf(small, `user-${i}`);
      if (before !== 'outside') expect(variantOf(large, `user-${i}`)).toBe(before);
    }
  });

  it('assigns independently across experiments (each cell of two 50/50 splits holds 25 % ± 1 %)', () => {
    const two: ExperimentSet = {
      source: 'test',
      experiments: parseExperimentConfig(
        {
          experiments: ['a', 'b'].map((id) => ({
            id,
            trafficPercent: 100,
            variants: [
              { id: 'control', weight: 1 },
              { id: 'treatment', weight: 1 },
            ],
          })),
        },
        'test',
      ),
    };
    const cells = new Map<string, number>();
    for (let i = 0; i < 40_000; i++) {
      const key = assignExperiments(two, { userId: `user-${i}` })
        .map((a) => a.variant)
        .join('/');
      cells.set(key, (cells.get(key) ?? 0) + 1);
    }
    expect(cells.size).toBe(4);
    for (const n of cells.values()) expect(Math.abs(n / 40_000 - 0.25)).toBeLessThan(0.01);
  });

  it('skips experiments limited to other surfaces; a null surface lists every experiment', () => {
    const set = mmrSet(100, [1, 1], ['home']);
    expect(assignExperiments(set, { userId: 'u1', surface: 'home' })).toHaveLength(1);
    expect(assignExperiments(set, { userId: 'u1', surface: 'similar' })).toEqual([]);
    expect(assignExperiments(set, { userId: 'u1', surface: null })).toHaveLength(1);
    expect(assignExperiments(mmrSet(100), { userId: 'u1', surface: 'similar' })).toHaveLength(1);
  });

  it('uses the user, else the session, else the request id as the unit', () => {
    const set = mmrSet(100);
    const asUser = (id: string) => assignExperiments(set, { userId: id });
    expect(assignExperiments(set, { userId: null, sessionId: 's-1', requestId: 'r-1' })).toEqual(
      asUser('s-1'),
    );
    expect(assignExperiments(set, { userId: null, sessionId: null, requestId: 'r-1' })).toEqual(
      asUser('r-1'),
    );
    expect(assignExperiments(set, { userId: 'u1', sessionId: 's-1', requestId: 'r-1' })).toEqual(
      asUser('u1'),
    );
    expect(assignExperiments(set, { userId: '', requestId: 'r-1' })[0]?.bucket).toBe(
      experimentBucket('mmr-lambda', 'r-1'),
    );
    expect(() => assignExperiments(set, { userId: null })).toThrow(RangeError);
  });

  it('returns no assignments when there are no experiments', () => {
    expect(assignExperiments({ source: null, experiments: [] }, { userId: 'u1' })).toEqual([]);
  });
});
