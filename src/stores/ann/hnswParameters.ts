/**
 * The parameters of a hierarchical navigable small world graph (HNSW:
 * Malkov & Yashunin, "Efficient and robust approximate nearest neighbor
 * search using Hierarchical Navigable Small World graphs", IEEE TPAMI 2018),
 * with the names the paper uses and USearch's names beside them.
 */
export interface HnswParameters {
  /**
   * M: links per node on the upper layers (2·M on the bottom layer); USearch
   * `connectivity`. More links: better recall at a given efSearch, more memory
   * (about 2·M·4 bytes per item on the bottom layer) and slower builds. 24
   * instead of the paper's usual 16 because the registry's clustered MIPS
   * vectors trap a sparser graph's search in the wrong cluster (recall@100
   * 0.97 instead of 0.93 at efSearch 1024 on 1M items, BENCHMARKS.md).
   * Integer 4..64. @default 24
   */
  readonly m: number;
  /**
   * efConstruction: the candidate-list size while inserting; USearch
   * `expansion_add`. Larger builds a better graph, more slowly (build time
   * grows about linearly with it). Integer M..4096. @default 256
   */
  readonly efConstruction: number;
  /**
   * efSearch: the candidate-list (beam) size of a search; USearch
   * `expansion_search`. The graph walk keeps this many candidates, and only
   * its best k' = 2k + 4 (more under filters) are re-scored exactly, so it is
   * the recall/latency knob; at 1M registry items recall@100 rises steeply
   * once it exceeds the ~1,000 items of a topic cluster (BENCHMARKS.md). A
   * search-time setting: changing it needs no rebuild. Integer 1..4096. @default 1024
   */
  readonly efSearch: number;
  /**
   * How the graph stores its copy of the vectors: `f32`, `f16` (half the
   * memory) or `i8` (a quarter: d bytes per item, components of unit vectors
   * scaled to −127..127). Only the graph walk uses this copy: every hit is
   * re-scored exactly from the float32 vectors the adapter keeps, so
   * quantisation can cost recall but never makes a returned score inexact.
   * `i8` pays for M = 24's extra links: the 1M graph stays at ~280 MB (M 16
   * in f16 was the same size), and it cost under 0.01 of recall@100 on the
   * registry vectors (BENCHMARKS.md). @default 'i8'
   */
  readonly quantization: 'f32' | 'f16' | 'i8';
}

/** The defaults documented on {@link HnswParameters} (chosen from the recall/latency sweep in BENCHMARKS.md). */
export const DEFAULT_HNSW_PARAMETERS: HnswParameters = {
  m: 24,
  efConstruction: 256,
  efSearch: 1024,
  quantization: 'i8',
};

/**
 * Applies the defaults and checks the ranges documented on {@link HnswParameters}.
 * @throws RangeError naming the parameter, what was expected and what was received.
 */
export function resolveHnswParameters(given: Partial<HnswParameters> = {}): HnswParameters {
  const p = { ...DEFAULT_HNSW_PARAMETERS, ...stripUndefined(given) };
  const int = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`HNSW ${name}: expected an integer in ${min}..${max}, received ${v}`);
    }
  };
  int('m', p.m, 4, 64);
  int('efConstruction', p.efConstruction, p.m, 4096);
  int('efSearch', p.efSearch, 1, 4096);
  if (!['f32', 'f16', 'i8'].includes(p.quantization)) {
    throw new RangeError(
      `HNSW quantization: expected "f32", "f16" or "i8", received ${String(p.quantization)}`,
    );
  }
  return p;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
