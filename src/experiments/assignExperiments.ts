import type { ExperimentAssignment } from '../services/serviceTypes.js';
import { BUCKET_COUNT, experimentBucket } from './experimentBucket.js';
import { OUTSIDE_VARIANT_ID } from './experimentConfigSchema.js';
import type { ExperimentDefinition, ExperimentSet } from './experimentConfig.js';
import type { SurfaceParamsOverride } from './experimentConfigSchema.js';

/** Who is being assigned, and where. */
export interface AssignmentRequest {
  /** The user; the unit of assignment when present (non-empty). */
  readonly userId: string | null;
  /** A client session id; the unit for anonymous requests when present. @default null */
  readonly sessionId?: string | null;
  /**
   * The request id; the unit when there is neither a user nor a session, so
   * each anonymous request is assigned on its own (pages of one request share it).
   * @default null
   */
  readonly requestId?: string | null;
  /**
   * The surface being served; experiments limited to other surfaces are
   * skipped. null = every experiment (the `experimentAssignments` query).
   * @default null
   */
  readonly surface?: string | null;
}

/** An assignment whose `params` are typed surface-parameter overrides. */
export interface SurfaceAssignment extends ExperimentAssignment {
  readonly params: SurfaceParamsOverride;
}

/**
 * Deterministic experiment assignment (issue #3 §4). For each experiment, in
 * config order, that applies to `request.surface`:
 *
 * 1. unit = `userId`, else `sessionId`, else `requestId` (first non-empty);
 * 2. `bucket` = MurmurHash3_x86_32(`${experimentId}:${unit}`, seed 0) mod 10 000;
 * 3. the unit is in the experiment iff `bucket < round(trafficPercent × 100)`;
 * 4. inside, the variant comes from a second, independent position
 *    `v` = MurmurHash3_x86_32(same key, seed 1) mod 10 000: with weights
 *    w₁…wₙ, W = Σw and cumulative Cᵢ = w₁+…+wᵢ, the variant is the first i
 *    with `v × W < Cᵢ × 10 000`. Because `v` does not depend on the traffic
 *    share, ramping traffic up or down only adds or removes units: an
 *    enrolled unit never changes variant unless the weights change;
 * 5. outside the traffic share the unit gets the control's (`variants[0]`)
 *    params with variant id {@link OUTSIDE_VARIANT_ID}, so the exposure log
 *    and the report can tell it from the randomised control group.
 *
 * @returns one assignment per applicable experiment, in config order (the
 *   order `resolveSurfaceParams` applies them in).
 * @throws RangeError when the request has no user, session or request id.
 */
export function assignExperiments(
  set: ExperimentSet,
  request: AssignmentRequest,
): readonly SurfaceAssignment[] {
  const unit = [request.userId, request.sessionId, request.requestId].find(
    (id): id is string => typeof id === 'string' && id !== '',
  );
  if (unit === undefined) {
    throw new RangeError('assignExperiments: expected a userId, sessionId or requestId, received none');
  }
  const surface = request.surface ?? null;
  return set.experiments
    .filter((e) => surface === null || e.surfaces === null || e.surfaces.includes(surface))
    .map((e) => assignOne(e, unit));
}

function assignOne(e: ExperimentDefinition, unit: string): SurfaceAssignment {
  const control = e.variants[0];
  if (control === undefined) throw new RangeError(`experiment "${e.id}" has no variants`);
  const bucket = experimentBucket(e.id, unit, 0);
  if (bucket >= Math.round(e.trafficPercent * 100)) {
    return { experiment: e.id, variant: OUTSIDE_VARIANT_ID, bucket, params: control.params };
  }
  const position = experimentBucket(e.id, unit, 1);
  const total = e.variants.reduce((s, v) => s + v.weight, 0);
  let cumulative = 0;
  for (const v of e.variants) {
    cumulative += v.weight;
    if (position * total < cumulative * BUCKET_COUNT) {
      return { experiment: e.id, variant: v.id, bucket, params: v.params };
    }
  }
  // Unreachable: the last cumulative sum equals `total` and position ≤ 9999.
  const last = e.variants[e.variants.length - 1] ?? control;
  return { experiment: e.id, variant: last.id, bucket, params: last.params };
}
