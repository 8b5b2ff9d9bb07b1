import type { SourceKey, SurfaceParams } from '../pipeline/surfaceParams.js';
import type { SurfaceParamsOverride } from './experimentConfigSchema.js';

/**
 * The parameters one request runs with: `base` with each assignment's
 * overrides applied in order (config order, as `assignExperiments` returns
 * them). Scalars are replaced; the per-source records `candidatesPerSource`
 * and `sources` are merged key by key, so `{ sources: { trending: false } }`
 * switches one source off and keeps the others. When two experiments set the
 * same key, the later one wins. Pure: `base` is not modified.
 * Variants override parameters; they never fork code (conventions.md §3).
 */
export function resolveSurfaceParams(
  base: SurfaceParams,
  assignments: readonly { readonly params: SurfaceParamsOverride }[],
): SurfaceParams {
  let out: SurfaceParams = base;
  for (const { params: p } of assignments) {
    out = {
      mmrLambda: p.mmrLambda ?? out.mmrLambda,
      candidatesPerSource: mergeRecord(out.candidatesPerSource, p.candidatesPerSource),
      totalCandidates: p.totalCandidates ?? out.totalCandidates,
      explorationShare: p.explorationShare ?? out.explorationShare,
      categoryCap: p.categoryCap ?? out.categoryCap,
      rankerVersion: p.rankerVersion === undefined ? out.rankerVersion : p.rankerVersion,
      sources: mergeRecord(out.sources, p.sources),
      impressionDecay: p.impressionDecay ?? out.impressionDecay,
    };
  }
  return out;
}

function mergeRecord<V>(
  base: Readonly<Record<SourceKey, V>>,
  override: Readonly<Partial<Record<SourceKey, V>>> | undefined,
): Readonly<Record<SourceKey, V>> {
  if (override === undefined) return base;
  const out = { ...base };
  for (const [k, v] of Object.entries(override) as [SourceKey, V | undefined][]) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}
