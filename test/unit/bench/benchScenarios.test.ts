import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { benchScenarios, SCENARIO_NAMES } from '../../../src/bench/benchScenarios.js';

describe('Bench scenarios', () => {
  const scenarios = benchScenarios(['u1', 'u2', 'u3'], ['i1', 'i2'], { variants: 8 });

  it('are the four of issue #6 and feedbackThenRead, in report order, each a parseable GraphQL document', () => {
    expect(scenarios.map((s) => s.name)).toEqual(SCENARIO_NAMES);
    for (const s of scenarios)
      for (const body of s.bodies) expect(() => parse(JSON.parse(body).query)).not.toThrow();
  });

  it('ask recommendations for first: 20 and similar items for first: 10 of known ids', () => {
    const rec = JSON.parse(scenarios[0]!.bodies[0]!);
    expect(rec.query).toContain('first: 20');
    expect(['u1', 'u2', 'u3']).toContain(rec.variables.userId);
    const sim = JSON.parse(scenarios[1]!.bodies[0]!);
    expect(sim.query).toContain('first: 10');
    expect(['i1', 'i2']).toContain(sim.variables.itemId);
  });

  it('send 100 feedback events per batch and count them as units', () => {
    const fb = scenarios[2]!;
    expect(fb.unitsPerRequest).toBe(100);
    const inputs = JSON.parse(fb.bodies[0]!).variables.inputs as { type: string; value?: number }[];
    expect(inputs.length).toBe(100);
    for (const e of inputs) if (e.type === 'VIEW') expect(e.value).toBe(30);
  });

  it('alternate a 5-event feedback batch of one user with that user’s recommendations (feedbackThenRead)', () => {
    const mixed = scenarios.find((s) => s.name === 'feedbackThenRead')!;
    expect(mixed.bodies.length % 2).toBe(0);
    for (let k = 0; k < mixed.bodies.length; k += 2) {
      const feedback = JSON.parse(mixed.bodies[k]!);
      const read = JSON.parse(mixed.bodies[k + 1]!);
      const inputs = feedback.variables.inputs as { userId: string }[];
      expect(inputs).toHaveLength(5);
      expect(new Set(inputs.map((e) => e.userId))).toEqual(new Set([read.variables.userId]));
      expect(feedback.query).toContain('recordFeedbackBatch');
      expect(read.query).toContain('recommendations(userId: $userId, first: 20)');
    }
  });

  it('end with the { __typename } floor', () => {
    expect(JSON.parse(scenarios.at(-1)!.bodies[0]!)).toEqual({ query: '{ __typename }' });
  });

  it('refuse to be built without known users or items', () => {
    expect(() => benchScenarios([], ['i1'])).toThrow(RangeError);
  });
});
