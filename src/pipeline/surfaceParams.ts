/**
 * The parameters of a surface that experiments may override
 * (issue #3 §4: MMR λ, candidates per source, exploration share, ranker
 * version, sources on or off). Variants override parameters; they never fork code.
 */
export interface SurfaceParams {
  /** MMR trade-off λ in [0, 1]; 1 = pure relevance. @default 0.8 */
  readonly mmrLambda: number;
  /** Candidates requested from each source. */
  readonly candidatesPerSource: Readonly<Record<SourceKey, number>>;
  /** Total candidates kept after merging sources. @default 500 */
  readonly totalCandidates: number;
  /** Share of slots given to exploration (under-exposed or new items), 0..0.5. @default 0.05 (1 in 20) */
  readonly explorationShare: number;
  /** At most this many items of one category in the top k (0 = no cap). @default 5 */
  readonly categoryCap: number;
  /** Ranker version to score with; null = the current version. @default null */
  readonly rankerVersion: string | null;
  /** Sources switched on. */
  readonly sources: Readonly<Record<SourceKey, boolean>>;
  /** Score multiplier per past impression of an item: score × decay^impressions. @default 0.85 */
  readonly impressionDecay: number;
}

/** Names of the candidate sources as parameter keys. */
export type SourceKey = 'embedding' | 'itemToItem' | 'session' | 'popular' | 'trending' | 'promotion';

/** The defaults documented on {@link SurfaceParams}. */
export const DEFAULT_SURFACE_PARAMS: SurfaceParams = {
  mmrLambda: 0.8,
  candidatesPerSource: {
    embedding: 200,
    itemToItem: 100,
    session: 100,
    popular: 50,
    trending: 50,
    promotion: 20,
  },
  totalCandidates: 500,
  explorationShare: 0.05,
  categoryCap: 5,
  rankerVersion: null,
  sources: {
    embedding: true,
    itemToItem: true,
    session: true,
    popular: true,
    trending: true,
    promotion: true,
  },
  impressionDecay: 0.85,
};
