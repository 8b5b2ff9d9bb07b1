/**
 * The zod schema of the experiment config file (see `experimentConfig.ts`
 * for loading it and `docs/experiments.md` for the format). Compile-time
 * checks keep the parameter and source keys in step with `SurfaceParams`.
 */
import { z } from 'zod';
import type { SourceKey, SurfaceParams } from '../pipeline/surfaceParams.js';

/** The reserved variant id reported for units outside an experiment's traffic share. */
export const OUTSIDE_VARIANT_ID = 'outside';

/** Every {@link SourceKey}; a compile-time check below keeps the list complete. */
export const SOURCE_KEYS = [
  'embedding',
  'itemToItem',
  'session',
  'popular',
  'trending',
  'promotion',
] as const satisfies readonly SourceKey[];
type MissingSourceKey = Exclude<SourceKey, (typeof SOURCE_KEYS)[number]>;
const sourceKeysComplete: [MissingSourceKey] extends [never] ? true : MissingSourceKey = true;
void sourceKeysComplete;

/** Experiment and variant ids: ≤ 64 characters, no spaces or colons. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const idSchema = z.string().min(1).max(64).regex(ID_PATTERN);

function perSource<T extends z.ZodType>(value: T) {
  return z.strictObject({
    embedding: value.optional(),
    itemToItem: value.optional(),
    session: value.optional(),
    popular: value.optional(),
    trending: value.optional(),
    promotion: value.optional(),
  });
}

/** Partial {@link SurfaceParams}: what one variant overrides. Unknown keys are rejected. */
export const surfaceParamsOverrideSchema = z.strictObject({
  mmrLambda: z.number().min(0).max(1).optional(),
  candidatesPerSource: perSource(z.number().int().min(0).max(2000)).optional(),
  totalCandidates: z.number().int().min(1).max(5000).optional(),
  explorationShare: z.number().min(0).max(0.5).optional(),
  categoryCap: z.number().int().min(0).optional(),
  rankerVersion: z.string().min(1).nullable().optional(),
  sources: perSource(z.boolean()).optional(),
  impressionDecay: z.number().min(0).max(1).optional(),
});

/**
 * Partial surface parameters; the records are partial too (deep-merged by
 * `resolveSurfaceParams`). A type alias, not an interface, so that it is
 * assignable to the `Record<string, unknown>` of `ExperimentAssignment.params`.
 */
export type SurfaceParamsOverride = {
  readonly [K in keyof SurfaceParams]?: SurfaceParams[K] extends Readonly<Record<SourceKey, infer V>>
    ? Readonly<Partial<Record<SourceKey, V>>>
    : SurfaceParams[K];
};
type SchemaKey = keyof z.infer<typeof surfaceParamsOverrideSchema>;
const paramKeysMatch: [
  Exclude<keyof SurfaceParams, SchemaKey> | Exclude<SchemaKey, keyof SurfaceParams>,
] extends [never]
  ? true
  : 'surfaceParamsOverrideSchema must list exactly the keys of SurfaceParams' = true;
void paramKeysMatch;

const variantSchema = z.strictObject({
  id: idSchema.refine((id) => id !== OUTSIDE_VARIANT_ID, {
    message: `expected an id other than "${OUTSIDE_VARIANT_ID}" (reserved for units outside the traffic share)`,
  }),
  weight: z.number().positive(),
  params: surfaceParamsOverrideSchema.default({}),
});

const experimentSchema = z
  .strictObject({
    id: idSchema,
    description: z.string().optional(),
    trafficPercent: z
      .number()
      .min(0)
      .max(100)
      .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-9, {
        message: 'expected a multiple of 0.01 (one bucket of 10 000)',
      }),
    surfaces: z.array(z.string().min(1)).min(1).optional(),
    variants: z.array(variantSchema).min(2),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.variants.forEach((v, i) => {
      if (seen.has(v.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'id'],
          message: 'expected a variant id unique within the experiment',
        });
      }
      seen.add(v.id);
    });
    // Shares are weight / Σ weights: a sum past the largest double (two weights of 1e308) would make
    // every share 0 and send all units to the last variant (attack on session 27).
    if (!Number.isFinite(e.variants.reduce((sum, v) => sum + v.weight, 0))) {
      ctx.addIssue({
        code: 'custom',
        path: ['variants'],
        message: 'expected weights whose sum is a finite number (they are relative: e.g. 1 and 1 for 50/50)',
      });
    }
  });

/** The whole file. `experiments` may be empty. */
export const experimentConfigSchema = z
  .strictObject({ experiments: z.array(experimentSchema) })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.experiments.forEach((e, i) => {
      if (seen.has(e.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['experiments', i, 'id'],
          message: 'expected a unique experiment id',
        });
      }
      seen.add(e.id);
    });
  });
