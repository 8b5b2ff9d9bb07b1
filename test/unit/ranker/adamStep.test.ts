import { describe, expect, it } from 'vitest';
import { adamStep } from '../../../models/ranker/adamStep.js';
import type { AdamState } from '../../../models/ranker/adamStep.js';

function state(theta: number[], decay: number[] = theta.map(() => 0)): AdamState {
  return {
    theta: Float64Array.from(theta),
    decay: Float64Array.from(decay),
    m: new Float64Array(theta.length),
    v: new Float64Array(theta.length),
    step: 0,
  };
}

describe('Ranker: Adam step', () => {
  it('moves each parameter by the learning rate against the sign of a constant gradient', () => {
    // After t steps of a constant gradient g the bias-corrected moments are m̂ = g and v̂ = g²,
    // so every step is α·g/(|g| + ε) ≈ α·sign(g) (Kingma & Ba 2015, Section 2.1); 0 stays put.
    const s = state([1, -2, 0.5]);
    const grad = Float64Array.of(3, -0.001, 0);
    adamStep(s, grad, 1, 0.1);
    expect(s.step).toBe(1);
    // Each step is shortened by α·ε/|g|: 3.3e-10 for g = 3, 1e-6 for g = −0.001.
    expect(s.theta[0]).toBeCloseTo(0.9, 8);
    expect(s.theta[1]).toBeCloseTo(-1.9, 5);
    expect(s.theta[2]).toBe(0.5);
    adamStep(s, grad, 1, 0.1);
    expect(s.theta[0]).toBeCloseTo(0.8, 8);
    expect(s.theta[1]).toBeCloseTo(-1.8, 5);
  });

  it('adds decay·θ to the scaled gradient (coupled L2)', () => {
    // g = 0.5·grad + decay·θ: parameter 0 gets 0.5·0 + 1·2 = 2 > 0, so it steps down by α.
    // Parameter 1 gets 0.5·(−4) + 0 = −2 < 0, so it steps up by α.
    const s = state([2, 2], [1, 0]);
    adamStep(s, Float64Array.of(0, -4), 0.5, 0.01);
    expect(s.theta[0]).toBeCloseTo(1.99, 9);
    expect(s.theta[1]).toBeCloseTo(2.01, 9);
  });
});
