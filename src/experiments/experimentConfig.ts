/**
 * The experiment config file (issue #3 §4): its validated types and
 * `loadExperiments`, which reads and validates it against
 * `experimentConfigSchema.ts`, reporting the first problem in one line. The
 * format is documented for users in `docs/experiments.md`.
 *
 * Shape (JSON or YAML):
 * ```yaml
 * experiments:
 *   - id: mmr-lambda          # unique; [A-Za-z0-9][A-Za-z0-9_.-]*, ≤ 64 chars
 *     description: …          # optional
 *     trafficPercent: 20      # 0..100 in steps of 0.01 (one bucket of 10 000)
 *     surfaces: [home]        # optional; missing = every surface
 *     variants:               # ≥ 2; the FIRST is the control
 *       - { id: control, weight: 1, params: { mmrLambda: 0.8 } }
 *       - { id: lambda-06, weight: 1, params: { mmrLambda: 0.6 } }
 * ```
 * `params` are partial `SurfaceParams` overrides, checked strictly
 * (unknown keys and out-of-range values are errors).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { Experiment } from '../services/serviceTypes.js';
import {
  ID_PATTERN,
  SOURCE_KEYS,
  experimentConfigSchema,
  surfaceParamsOverrideSchema,
} from './experimentConfigSchema.js';
import type { SurfaceParamsOverride } from './experimentConfigSchema.js';

/** One variant. `sharePercent` = weight / Σ weights × 100 (the API's `ExperimentVariant.weight`). */
export interface ExperimentVariantDefinition {
  readonly id: string;
  /** Relative weight (> 0), as written in the file. */
  readonly weight: number;
  /** Share of the experiment's units, 0..100. */
  readonly sharePercent: number;
  readonly params: SurfaceParamsOverride;
}

/** A validated experiment; `variants[0]` is the control. */
export interface ExperimentDefinition extends Experiment {
  /** Surfaces it applies to; null = every surface. */
  readonly surfaces: readonly string[] | null;
  readonly variants: readonly ExperimentVariantDefinition[];
}

/** The experiments of one config file, in file order (which is also the override order). */
export interface ExperimentSet {
  /** The file read, or null when none was configured. */
  readonly source: string | null;
  readonly experiments: readonly ExperimentDefinition[];
}

/**
 * The config file is unreadable or invalid. The message is one line naming
 * the file and the first problem: `<source>: <reason>`.
 */
export class ExperimentConfigError extends Error {
  override readonly name = 'ExperimentConfigError';

  /**
   * @param source the file (or origin) the problem is in.
   * @param reason the first problem, without the source, e.g. `no such file`
   *   or `experiments[0].trafficPercent: expected a number ≤ 100, received 150`.
   */
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/** An empty set: no experiments, every unit gets the base parameters. */
export const NO_EXPERIMENTS: ExperimentSet = { source: null, experiments: [] };

/**
 * Reads and validates an experiment config file, JSON (`.json`) or YAML
 * (`.yaml`, `.yml`) by extension.
 * @param path the file; `undefined`, `null` or `''` means "no experiments".
 *   An empty file (or YAML `null`) also means no experiments.
 * @throws ExperimentConfigError when the file is missing, unparsable or
 *   invalid; e.g. `config/x.yaml: experiments[0].variants[1].params.mmrLambda:
 *   expected a number ≤ 1, received 1.5`.
 */
export function loadExperiments(path: string | null | undefined): ExperimentSet {
  if (path === undefined || path === null || path.trim() === '') return NO_EXPERIMENTS;
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw new ExperimentConfigError(
      path,
      `expected a .json, .yaml or .yml file, not ${ext === '' ? 'a name without an extension' : `"${ext}"`}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExperimentConfigError(
      path,
      code === 'ENOENT' ? 'no such file' : `cannot read (${oneLine(err)})`,
    );
  }
  let raw: unknown;
  try {
    raw = text.trim() === '' ? null : ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    if (ext === '.json') throw new ExperimentConfigError(path, `invalid JSON: ${oneLine(err)}`);
    // yaml's messages continue with a code excerpt after the first line; keep the first.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.replace(/:$/, '');
    throw new ExperimentConfigError(path, `invalid YAML: ${first}`);
  }
  if (raw === null) return { source: path, experiments: [] };
  return { source: path, experiments: parseExperimentConfig(raw, path) };
}

/**
 * Validates an already-parsed config object.
 * @param source names the origin in error messages (a file path).
 * @throws ExperimentConfigError on the first problem.
 */
export function parseExperimentConfig(raw: unknown, source: string): readonly ExperimentDefinition[] {
  const result = experimentConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ExperimentConfigError(source, issue ? describeIssue(issue, raw) : 'invalid');
  }
  return result.data.experiments.map((e) => {
    const total = e.variants.reduce((s, v) => s + v.weight, 0);
    return {
      id: e.id,
      description: e.description ?? null,
      trafficPercent: e.trafficPercent,
      surfaces: e.surfaces ?? null,
      variants: e.variants.map((v) => ({
        id: v.id,
        weight: v.weight,
        sharePercent: (v.weight / total) * 100,
        params: v.params,
      })),
    };
  });
}

/** `experiments[0].variants[1].params.mmrLambda: expected a number ≤ 1, received 1.5`. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(raw, path);
  const where = formatPath(path);
  const received = `received ${describeValue(value)}`;
  let expected: string;
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big';
      const bound = Number(big ? issue.maximum : issue.minimum);
      const op = big ? (issue.inclusive ? '≤' : '<') : issue.inclusive ? '≥' : '>';
      const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      const of = issue.origin === 'number' || issue.origin === 'int' ? 'a number' : article(issue.origin);
      expected = unit ? `expected ${of} with ${op} ${bound}${unit}` : `expected ${of} ${op} ${bound}`;
      break;
    }
    case 'invalid_type':
      expected = `expected ${issue.expected === 'int' ? 'an integer' : article(issue.expected)}`;
      break;
    case 'unrecognized_keys':
      return `${formatPath([...path, issue.keys[0] ?? ''])}: unknown key; expected one of ${knownKeys(path).join(', ')}`;
    case 'invalid_format':
      expected = `expected an id matching ${ID_PATTERN.source}`;
      break;
    default:
      expected = issue.message;
  }
  return `${where}: ${expected}, ${received}`;
}

/** The keys the schema accepts at an object path (for "unknown key" messages). */
function knownKeys(path: readonly (string | number)[]): string[] {
  const last = path[path.length - 1];
  if (last === 'params') return Object.keys(surfaceParamsOverrideSchema.shape);
  if (last === 'candidatesPerSource' || last === 'sources') return [...SOURCE_KEYS];
  if (typeof last === 'number' && path[path.length - 2] === 'variants') return ['id', 'weight', 'params'];
  if (typeof last === 'number') return ['id', 'description', 'trafficPercent', 'surfaces', 'variants'];
  if (path.length === 0) return ['experiments'];
  return [];
}

function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
}
