import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { auc } from '../../../models/ranker/auc.js';
import { predictMlp } from '../../../models/ranker/mlpRanker.js';
import { trainMlpRanker } from '../../../models/ranker/trainMlpRanker.js';
import type { TrainMlpRankerEpoch } from '../../../models/ranker/trainMlpRanker.js';

const F = 5;
/** x0 + 0.5·x1 ~ N(0, 1.25); above 1.84 ≈ 1.645·√1.25 is the top ~5 %, like click data. */
const THRESHOLD = 1.84;

/**
 * Separable synthetic ranking data: features on different scales and offsets
 * (so standardisation matters), label = [x0 + 0.5·x1 > threshold] on the
 * underlying unit-variance values, columns 2–4 pure noise.
 */
function synthetic(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const random = createRandom(seed);
  const x = new Float32Array(n * F);
  const y = new Float32Array(n);
  const scale = [1, 10, 0.01, 5, 100];
  const offset = [0, -50, 3, 0, 1000];
  for (let i = 0; i < n; i++) {
    const u0 = random.normal();
    const u1 = random.normal();
    y[i] = u0 + 0.5 * u1 > THRESHOLD ? 1 : 0;
    const u = [u0, u1, random.normal(), random.normal(), random.normal()];
    for (let f = 0; f < F; f++)
      x[i * F + f] = (offset[f] as number) + (scale[f] as number) * (u[f] as number);
  }
  return { x, y };
}

describe('Ranker: training', () => {
  const train = synthetic(6000, 1);
  const test = synthetic(3000, 2);

  it.each([
    ['an MLP', 16],
    ['logistic regression', 0],
  ])('%s learns a separable problem: loss falls, held-out AUC ≥ 0.95', (_name, hidden) => {
    const epochs: TrainMlpRankerEpoch[] = [];
    const model = trainMlpRanker(train.x, train.y, 6000, F, {
      hidden,
      epochs: 15,
      // 285 Adam steps only: a larger step than the default (tuned for ~100k rows) converges in time.
      learningRate: 0.01,
      seed: 3,
      validationShare: 0.2,
      onEpoch: (e) => epochs.push(e),
    });
    expect(model.kind).toBe(hidden === 0 ? 'logistic' : 'mlp');
    expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const first = epochs[0];
    const last = epochs[14];
    if (first === undefined || last === undefined || last.validationLoss === undefined) throw new Error();
    // Initial loss ≈ the base-rate entropy (≈ 0.2 nats at 5 % positives).
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    expect(last.validationLoss).toBeLessThan(first.validationLoss ?? 0);
    expect(last.validationLoss).toBeLessThan(0.1);
    expect(last.seconds).toBeGreaterThanOrEqual(first.seconds);
    expect(auc(predictMlp(model, test.x, 3000), test.y)).toBeGreaterThanOrEqual(0.95);
  });

  it('stores the training standardisation, with std 1 for a constant column', () => {
    const x = Float32Array.from(train.x);
    for (let i = 0; i < 6000; i++) x[i * F + 3] = 7;
    const model = trainMlpRanker(x, train.y, 6000, F, { hidden: 4, epochs: 1 });
    expect(model.mean[3]).toBe(7);
    expect(model.std[3]).toBe(1);
    expect(model.mean[4]).toBeCloseTo(1000, -1);
    expect(model.std[4]).toBeCloseTo(100, -1);
  });

  it('starts the output bias at the log-odds of the (weighted) positive rate', () => {
    // With one epoch of a tiny learning rate the model is near its initialisation: mean score ≈ base rate.
    const model = trainMlpRanker(train.x, train.y, 6000, F, { hidden: 0, epochs: 1, learningRate: 1e-6 });
    const rate = train.y.reduce((a, b) => a + b, 0) / 6000;
    expect(model.b2).toBeCloseTo(Math.log(rate / (1 - rate)), 2);
    const balanced = trainMlpRanker(train.x, train.y, 6000, F, {
      hidden: 0,
      epochs: 1,
      learningRate: 1e-6,
      positiveWeight: 'balanced',
    });
    expect(balanced.b2).toBeCloseTo(0, 2);
  });

  it('is deterministic: the same seed gives identical weights, another seed different ones', () => {
    const options = { hidden: 8, epochs: 2, validationShare: 0.1 };
    const a = trainMlpRanker(train.x, train.y, 6000, F, { ...options, seed: 5 });
    const b = trainMlpRanker(train.x, train.y, 6000, F, { ...options, seed: 5 });
    const c = trainMlpRanker(train.x, train.y, 6000, F, { ...options, seed: 6 });
    expect(b).toEqual(a);
    expect(c.w1).not.toEqual(a.w1);
  });

  describe('rejects bad input with a RangeError that says what was expected', () => {
    const x = Float32Array.of(0, 1, 2, 3, 4, 5);
    const y = Float32Array.of(0, 1, 0);
    it.each([
      ['no rows', new Float32Array(0), new Float32Array(0), 0, 2, {}, /n must be an integer ≥ 1/],
      ['x length', x, y, 3, 3, {}, /x must hold n×nFeatures = 3×3 = 9 values, got 6/],
      ['y length', x, Float32Array.of(0, 1), 3, 2, {}, /y must hold n = 3 labels, got 2/],
      [
        'NaN feature',
        Float32Array.of(0, 1, 2, Number.NaN, 4, 5),
        y,
        3,
        2,
        {},
        /finite, got NaN at row 1, column 1/,
      ],
      ['label 0.5', x, Float32Array.of(0, 1, 0.5), 3, 2, {}, /labels must be 0 or 1, got 0.5 at row 2/],
      ['no positives', x, Float32Array.of(0, 0, 0), 3, 2, {}, /no positive rows/],
      ['no negatives', x, Float32Array.of(1, 1, 1), 3, 2, {}, /no negative rows/],
      ['hidden', x, y, 3, 2, { hidden: -1 }, /hidden must be an integer ≥ 0, got -1/],
      ['epochs', x, y, 3, 2, { epochs: 0 }, /epochs must be an integer ≥ 1, got 0/],
      ['learningRate', x, y, 3, 2, { learningRate: 0 }, /learningRate must be finite and > 0/],
      ['validationShare', x, y, 3, 2, { validationShare: 1 }, /validationShare must be in \[0, 1\)/],
      ['positiveWeight', x, y, 3, 2, { positiveWeight: -2 }, /positiveWeight must be 'balanced' or/],
    ] as const)('%s', (_case, xs, ys, n, nFeatures, options, message) => {
      expect(() => trainMlpRanker(xs, ys, n, nFeatures, options)).toThrow(RangeError);
      expect(() => trainMlpRanker(xs, ys, n, nFeatures, options)).toThrow(message);
    });
  });
});
