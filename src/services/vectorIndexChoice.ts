import type { VectorPrecision, VectorPrecisionSetting } from '../domain/itemVectors.js';
import type { ResolvedGatewayConfig } from '../config.js';

/** The settings that decide which in-process index serves a model and how it keeps its rows. */
export type IndexChoiceSettings = Pick<ResolvedGatewayConfig, 'vectorIndex' | 'annMinItems' | 'ivfStorage'>;

/**
 * Whether the in-process index of a model of `itemCount` items is IVF-Flat:
 * always with `RECGATE_VECTOR_INDEX=ivf`; with `embedded` (and `qdrant`'s
 * embedded fallback) when the catalog has more than `annMinItems` items;
 * never with `exact` or `ann` (HNSW). At 1M items IVF-Flat matched HNSW's
 * recall at about an eighth of its CPU per search, a quarter of its build
 * time and less memory (BENCHMARKS.md, "The ANN index").
 * @param itemCount items in the served model (≥ 0).
 */
export function servesIvf(settings: IndexChoiceSettings, itemCount: number): boolean {
  const index = settings.vectorIndex;
  return index === 'ivf' || (index !== 'exact' && index !== 'ann' && itemCount > settings.annMinItems);
}

/**
 * The precision a model of `itemCount` items keeps its item vectors at.
 * `float32` and `float16` are taken as given. `auto` (the default) is
 * `float16` exactly where the halves save memory without a copy: when
 * IVF-Flat serves the model ({@link servesIvf}) with storage `none`, which
 * scans the binary16 rows in place (130 MB less at 1M × 65; recall@100
 * 0.973 against exact search over float32, 0.972 over float32 rows,
 * BENCHMARKS.md). Elsewhere `auto` is `float32`: the exact index and HNSW
 * would keep a float32 copy of the halves, and small catalogs keep scores
 * bit-equal to the published vectors (the bundled model's evaluation).
 * @param itemCount items in the model being loaded (≥ 0).
 */
export function servedVectorPrecision(
  setting: VectorPrecisionSetting,
  itemCount: number,
  settings: IndexChoiceSettings,
): VectorPrecision {
  if (setting !== 'auto') return setting;
  return servesIvf(settings, itemCount) && settings.ivfStorage === 'none' ? 'float16' : 'float32';
}
