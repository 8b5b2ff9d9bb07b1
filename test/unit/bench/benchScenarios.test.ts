import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { benchScenarios, SCENARIO_NAMES } from '../../../src/bench/benchScenarios.js';

describe('Bench scenarios', () => {
  const scenarios = benchScenarios(['u1', 'u2', 'u3'], ['i1', 'i2'], { variants: 8 });

  it('are the four of issue #6, in report order, each a parseable GraphQL document', () => {
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

  it('end with the { __typename } floor', () => {
    expect(JSON.parse(scenarios[3]!.bodies[0]!)).toEqual({ query: '{ __typename }' });
  });

  it('refuse to be built without known users or items', () => {
    expect(() => benchScenarios([], ['i1'])).toThrow(RangeError);
  });
});
