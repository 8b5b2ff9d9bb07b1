import { factorRowNorm } from '../../src/domain/factorRows.js';
import { RANKER_FEATURE_COUNT, writeFeatureRow } from '../../src/domain/rankerFeatures.js';
import type { UserFeatureState } from '../../src/domain/rankerFeatures.js';
import type { CandidateSet } from './generateCandidates.js';
import type { ModelBundle } from './modelBundle.js';

const EMPTY_USER: UserFeatureState = {
  interactionCount: 0,
  categoryShare: new Map(),
  categoryLastSeen: new Map(),
};

/**
 * Feature matrix of one user's candidates: n×F row-major Float32Array
 * (F = RANKER_FEATURE_COUNT), row j for `candidates.items[j]`, built with the
 * same {@link writeFeatureRow} the gateway uses.
 * @param now Unix ms the ages are measured from (the bundle's reference time offline).
 */
export function candidateFeatures(
  bundle: ModelBundle,
  user: UserFeatureState | undefined,
  candidates: CandidateSet,
  now: number,
  out: Float32Array = new Float32Array(candidates.items.length * RANKER_FEATURE_COUNT),
): Float32Array {
  const u = user ?? EMPTY_USER;
  for (let j = 0; j < candidates.items.length; j++) {
    const i = candidates.items[j]!;
    const r = candidates.retrieval[j]!;
    writeFeatureRow(
      out,
      j * RANKER_FEATURE_COUNT,
      u,
      bundle.itemState[i]!,
      {
        retrieval: Number.isNaN(r) ? null : r,
        cosine: Number.isNaN(r) ? null : cosineFromIndexScore(bundle, i, r),
        itemToItem: candidates.itemToItem[j]!,
      },
      now,
    );
  }
  return out;
}

/**
 * Recovers the plain user–item cosine from the index score: the score is
 * x·y/(‖x‖·M), so cos = score·M/‖y‖, with ‖y‖ from the item factor rows
 * ({@link factorRowNorm}; not from the float32 last component, whose
 * 1 − last² cancels for small norms). Clamped to [-1, 1]; 0 for a zero item.
 */
export function cosineFromIndexScore(bundle: ModelBundle, item: number, score: number): number {
  const norm = factorRowNorm(bundle.itemFactors, item);
  if (norm === 0) return 0;
  return Math.max(-1, Math.min(1, (score * bundle.maxItemNorm) / norm));
}
