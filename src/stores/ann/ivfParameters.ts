/**
 * The parameters of an IVF-Flat index (inverted file with exact scan of the
 * probed lists: Jégou, Douze & Schmid, "Product quantization for nearest
 * neighbor search", IEEE TPAMI 2011, §IV, the inverted-file part only; FAISS
 * `IndexIVFFlat`). The coarse quantiser is spherical k-means (Dhillon &
 * Modha, Machine Learning 2001), see `sphericalKMeans.ts`.
 */
export interface IvfParameters {
  /**
   * Number of lists (coarse centroids), FAISS `nlist`. 0 = automatic:
   * 4·√n rounded to the nearest power of two (4,096 at 1M items, 1,024 at
   * 100k), but never more than n / 64, so that lists hold 64 rows or more
   * (a catalog of fewer than 64·probes rows is then always scanned whole,
   * i.e. searched exactly). The built index may hold a few lists more or
   * fewer than asked: the two-level quantiser shares the lists among √L
   * groups by their rows and rounds per group (7 asked can give 9; 4,096 at
   * 1M gives 4,095), and a list left empty after assignment is dropped; never
   * more than n.
   * Integer 0..65536. @default 0
   */
  readonly lists: number;
  /**
   * Lists scanned per search, FAISS `nprobe`: the recall/latency knob (the
   * rows scanned are about probes · n / lists). A search-time setting: no
   * rebuild. Probes ≥ lists scans every row (exact search). 16 with the
   * automatic lists scans ~4k rows at 1M items (recall@100 0.97 on the
   * synthetic 1M catalog, 0.99 at 100k; 8 gave 0.96 and 0.98, 32 gave
   * 0.98 and 0.99 for twice the scan: BENCHMARKS.md). Integer 1..65536. @default 16
   */
  readonly probes: number;
  /**
   * Rows (drawn without replacement with the seeded generator) the
   * quantiser is trained on; all rows when the catalog is smaller. Integer
   * 1..16,777,216. @default 65536
   */
  readonly trainingSample: number;
  /** Lloyd iterations of each k-means run (fewer when assignments stop changing). Integer 1..100. @default 10 */
  readonly iterations: number;
  /** Seed of the training sample and of the initial centroids (`src/domain/random.ts`). Any 32-bit integer. @default 42 */
  readonly seed: number;
}

/** The defaults documented on {@link IvfParameters} (chosen from the sweep in BENCHMARKS.md). */
export const DEFAULT_IVF_PARAMETERS: IvfParameters = {
  lists: 0,
  probes: 16,
  trainingSample: 65_536,
  iterations: 10,
  seed: 42,
};

/** Rows a list should hold at least when `lists` is automatic. */
export const MIN_AUTO_LIST_ROWS = 64;

/**
 * The automatic list count for `rows` rows (see {@link IvfParameters.lists}):
 * 4·√rows rounded to the nearest power of two, at most rows / 64, at least 1.
 */
export function automaticIvfLists(rows: number): number {
  if (rows < 1) return 1;
  const target = 2 ** Math.round(Math.log2(4 * Math.sqrt(rows)));
  return Math.max(1, Math.min(target, Math.floor(rows / MIN_AUTO_LIST_ROWS)));
}

/**
 * Applies the defaults and checks the ranges documented on {@link IvfParameters}.
 * @throws RangeError naming the parameter, what was expected and what was received.
 */
export function resolveIvfParameters(given: Partial<IvfParameters> = {}): IvfParameters {
  const p = { ...DEFAULT_IVF_PARAMETERS, ...stripUndefined(given) };
  const int = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`IVF ${name}: expected an integer in ${min}..${max}, received ${v}`);
    }
  };
  int('lists', p.lists, 0, 65_536);
  int('probes', p.probes, 1, 65_536);
  int('trainingSample', p.trainingSample, 1, 16_777_216);
  int('iterations', p.iterations, 1, 100);
  int('seed', p.seed, -(2 ** 31), 2 ** 31 - 1);
  return p;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
