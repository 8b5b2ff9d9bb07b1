import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentConfigError, loadExperiments } from '../../../src/experiments/experimentConfig.js';

/** The example configs, by absolute path (tests may run from any folder). */
const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const EXAMPLE_YAML = join(root, 'config/experiments.example.yaml');
const EXAMPLE_JSON = join(root, 'config/experiments.example.json');

const dir = mkdtempSync(join(tmpdir(), 'recgate-experiments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(ext: string, text: string): string {
  const path = join(dir, `config-${(n += 1)}${ext}`);
  writeFileSync(path, text);
  return path;
}

/** A valid config object; `patch` edits a copy before it is written as JSON. */
function configWith(patch: (c: { experiments: Record<string, unknown>[] }) => void): string {
  const c = {
    experiments: [
      {
        id: 'mmr-lambda',
        trafficPercent: 20,
        variants: [
          { id: 'control', weight: 1, params: { mmrLambda: 0.8 } },
          { id: 'lambda-06', weight: 1, params: { mmrLambda: 0.6 } },
        ],
      },
    ] as Record<string, unknown>[],
  };
  patch(c);
  return file('.json', JSON.stringify(c));
}

function variant(c: { experiments: Record<string, unknown>[] }, i: number): Record<string, unknown> {
  return (c.experiments[0]!['variants'] as Record<string, unknown>[])[i]!;
}

function errorOf(path: string): string {
  try {
    loadExperiments(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ExperimentConfigError);
    return (err as Error).message;
  }
  throw new Error('expected an ExperimentConfigError');
}

describe('loadExperiments: the example configs', () => {
  it('reads the YAML and the JSON example to the same experiments, control first', () => {
    const yaml = loadExperiments(EXAMPLE_YAML);
    const json = loadExperiments(EXAMPLE_JSON);
    expect(yaml.experiments).toEqual(json.experiments);
    expect(yaml.experiments.map((e) => e.id)).toEqual(['mmr-lambda', 'exploration-share']);
    const [mmr, exploration] = yaml.experiments;
    expect(mmr?.surfaces).toEqual(['home']);
    expect(mmr?.variants.map((v) => [v.id, v.params.mmrLambda, v.sharePercent])).toEqual([
      ['control', 0.8, 50],
      ['lambda-06', 0.6, 50],
    ]);
    expect(exploration?.surfaces).toBeNull();
    expect(exploration?.variants.map((v) => v.sharePercent)).toEqual([75, 25]);
    expect(exploration?.variants[1]?.params).toEqual({
      explorationShare: 0.1,
      sources: { trending: false },
      candidatesPerSource: { popular: 100 },
    });
  });
});

describe('loadExperiments: no config', () => {
  it('gives no experiments for a missing or empty path, and for an empty file', () => {
    for (const p of [undefined, null, '', '  ']) expect(loadExperiments(p).experiments).toEqual([]);
    expect(loadExperiments(file('.yaml', '')).experiments).toEqual([]);
    expect(loadExperiments(file('.json', '{"experiments": []}')).experiments).toEqual([]);
  });

  it('fills the defaults: description null, surfaces null (every surface), params {}', () => {
    const [e] = loadExperiments(
      file(
        '.yml',
        'experiments:\n  - id: x\n    trafficPercent: 5\n    variants: [{id: a, weight: 1}, {id: b, weight: 2}]\n',
      ),
    ).experiments;
    expect(e).toEqual({
      id: 'x',
      description: null,
      trafficPercent: 5,
      surfaces: null,
      variants: [
        { id: 'a', weight: 1, sharePercent: expect.closeTo(100 / 3, 10), params: {} },
        { id: 'b', weight: 2, sharePercent: expect.closeTo(200 / 3, 10), params: {} },
      ],
    });
  });
});

describe('loadExperiments: errors name the file and the first problem in one line', () => {
  it.each([
    [
      'an out-of-range λ',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 1)['params'] = { mmrLambda: 1.5 }),
      'experiments[0].variants[1].params.mmrLambda: expected a number ≤ 1, received 1.5',
    ],
    [
      'an unknown parameter',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 1)['params'] = { mmrLamda: 0.6 }),
      'experiments[0].variants[1].params.mmrLamda: unknown key; expected one of mmrLambda, candidatesPerSource, ' +
        'totalCandidates, explorationShare, categoryCap, rankerVersion, sources, impressionDecay',
    ],
    [
      'an unknown source',
      (c: { experiments: Record<string, unknown>[] }) =>
        (variant(c, 0)['params'] = { sources: { tv: true } }),
      'experiments[0].variants[0].params.sources.tv: unknown key; expected one of embedding, itemToItem, session, ' +
        'popular, trending, promotion',
    ],
    [
      'too many candidates per source',
      (c: { experiments: Record<string, unknown>[] }) =>
        (variant(c, 0)['params'] = { candidatesPerSource: { popular: 2001 } }),
      'experiments[0].variants[0].params.candidatesPerSource.popular: expected a number ≤ 2000, received 2001',
    ],
    [
      'a fractional candidate count',
      (c: { experiments: Record<string, unknown>[] }) =>
        (variant(c, 0)['params'] = { candidatesPerSource: { embedding: 1.5 } }),
      'experiments[0].variants[0].params.candidatesPerSource.embedding: expected an integer, received 1.5',
    ],
    [
      'totalCandidates 0',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 0)['params'] = { totalCandidates: 0 }),
      'experiments[0].variants[0].params.totalCandidates: expected a number ≥ 1, received 0',
    ],
    [
      'explorationShare above 0.5',
      (c: { experiments: Record<string, unknown>[] }) =>
        (variant(c, 0)['params'] = { explorationShare: 0.6 }),
      'experiments[0].variants[0].params.explorationShare: expected a number ≤ 0.5, received 0.6',
    ],
    [
      'a non-string ranker version',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 0)['params'] = { rankerVersion: 3 }),
      'experiments[0].variants[0].params.rankerVersion: expected a string, received 3',
    ],
    [
      'a zero weight',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 1)['weight'] = 0),
      'experiments[0].variants[1].weight: expected a number > 0, received 0',
    ],
    [
      'weights whose sum overflows (each 1e308: every share would be 0)',
      (c: { experiments: Record<string, unknown>[] }) => {
        variant(c, 0)['weight'] = 1e308;
        variant(c, 1)['weight'] = 1e308;
      },
      'experiments[0].variants: expected weights whose sum is a finite number (they are relative: e.g. 1 and 1 ' +
        'for 50/50), received an array of 2',
    ],
    [
      'a duplicate variant id',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 1)['id'] = 'control'),
      'experiments[0].variants[1].id: expected a variant id unique within the experiment, received "control"',
    ],
    [
      'the reserved variant id',
      (c: { experiments: Record<string, unknown>[] }) => (variant(c, 1)['id'] = 'outside'),
      'experiments[0].variants[1].id: expected an id other than "outside" (reserved for units outside the ' +
        'traffic share), received "outside"',
    ],
    [
      'an id with a colon',
      (c: { experiments: Record<string, unknown>[] }) => (c.experiments[0]!['id'] = 'mmr:lambda'),
      'experiments[0].id: expected an id matching ^[A-Za-z0-9][A-Za-z0-9_.-]*$, received "mmr:lambda"',
    ],
    [
      'a duplicate experiment id',
      (c: { experiments: Record<string, unknown>[] }) => c.experiments.push({ ...c.experiments[0]! }),
      'experiments[1].id: expected a unique experiment id, received "mmr-lambda"',
    ],
    [
      'traffic above 100 %',
      (c: { experiments: Record<string, unknown>[] }) => (c.experiments[0]!['trafficPercent'] = 101),
      'experiments[0].trafficPercent: expected a number ≤ 100, received 101',
    ],
    [
      'traffic finer than one bucket',
      (c: { experiments: Record<string, unknown>[] }) => (c.experiments[0]!['trafficPercent'] = 12.345),
      'experiments[0].trafficPercent: expected a multiple of 0.01 (one bucket of 10 000), received 12.345',
    ],
    [
      'a single variant',
      (c: { experiments: Record<string, unknown>[] }) =>
        (c.experiments[0]!['variants'] = [{ id: 'control', weight: 1 }]),
      'experiments[0].variants: expected an array with ≥ 2 items, received an array of 1',
    ],
    [
      'an unknown experiment key',
      (c: { experiments: Record<string, unknown>[] }) => (c.experiments[0]!['traffic'] = 5),
      'experiments[0].traffic: unknown key; expected one of id, description, trafficPercent, surfaces, variants',
    ],
  ])('rejects %s', (_name, patch, problem) => {
    const path = configWith(patch);
    expect(errorOf(path)).toBe(`${path}: ${problem}`);
  });

  it('rejects a missing file, an unknown extension, and unparsable JSON or YAML, in one line', () => {
    expect(errorOf(join(dir, 'nope.yaml'))).toBe(`${join(dir, 'nope.yaml')}: no such file`);
    expect(errorOf(join(root, 'README.md'))).toBe(
      `${join(root, 'README.md')}: expected a .json, .yaml or .yml file, not ".md"`,
    );
    const json = file('.json', '{"experiments": [}\n');
    expect(errorOf(json)).toMatch(new RegExp(`^${json}: invalid JSON: `));
    const yaml = file('.yaml', 'experiments:\n  - id: [x\n  - b\n');
    expect(errorOf(yaml)).toMatch(new RegExp(`^${yaml}: invalid YAML: .*line \\d+, column \\d+$`));
    for (const p of [json, yaml]) expect(errorOf(p)).not.toContain('\n');
  });

  it('rejects a file without the experiments key', () => {
    const path = file('.json', '{"name": "x"}');
    expect(errorOf(path)).toBe(`${path}: experiments: expected an array, received nothing`);
  });
});
