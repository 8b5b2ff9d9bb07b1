import { spearmanRho, topKOverlap } from '../../domain/rankCorrelation.js';
import type { ServedModel } from '../../inference/servedModel.js';

/** The live and shadow rankers' agreement on one request's candidates. */
export interface ShadowComparison {
  readonly liveVersion: string;
  readonly shadowVersion: string;
  /** Candidates both models scored. */
  readonly candidates: number;
  /** Spearman's ρ of the two score vectors, in [−1, 1] (NaN when undefined, e.g. constant scores). */
  readonly spearman: number;
  /** Share of the live top 10 that is also in the shadow top 10. */
  readonly top10Overlap: number;
  /** Time the shadow scoring took, ms. */
  readonly ms: number;
}

/**
 * Shadow scoring (issue #5 §3): a second model version scores the same
 * candidates' feature rows as the live ranker on a sample of requests, after
 * the live scores are known and without ever changing the response. The
 * gateway provides it when a shadow version is set (`recgate models shadow`).
 */
export interface ShadowRanker {
  /** The shadow model when this request is sampled, else null. */
  sample(): ServedModel | null;
  /** Receives each comparison (logs and metrics). */
  report(comparison: ShadowComparison): void;
  /** Receives a shadow scoring failure (logged; the response is unaffected). */
  fail(shadowVersion: string, error: unknown): void;
}

/**
 * Scores `rows` (n × F, a private copy) with `shadow` and reports its
 * agreement with `live` scores. Never rejects: failures go to `ranker.fail`.
 */
export async function compareWithShadow(
  ranker: ShadowRanker,
  shadow: ServedModel,
  liveVersion: string,
  rows: Float32Array,
  live: Float32Array,
): Promise<void> {
  const n = live.length;
  const t0 = performance.now();
  try {
    const scores = await shadow.scoreRows(rows, n);
    ranker.report({
      liveVersion,
      shadowVersion: shadow.version,
      candidates: n,
      spearman: spearmanRho(live, scores),
      top10Overlap: n === 0 ? 1 : topKOverlap(live, scores, 10),
      ms: performance.now() - t0,
    });
  } catch (err) {
    ranker.fail(shadow.version, err);
  }
}
