import type { CatalogItem } from '../domain/interaction.js';
import type { ModelManifest } from '../domain/manifest.js';
import type { ModelBundle } from '../../models/pipeline/modelBundle.js';
import type { FoldInModel } from '../../models/retrieval/foldIn.js';

/**
 * One registry version loaded for serving: the manifest, the retrieval models
 * (embeddings, neighbours, popularity) in the same {@link ModelBundle} shape
 * training produces, a fold-in model, and the ONNX ranker session (created
 * once per version, validated against the manifest at load time).
 */
export interface ServedModel {
  readonly version: string;
  readonly manifest: ModelManifest;
  readonly bundle: ModelBundle;
  readonly catalog: ReadonlyMap<string, CatalogItem>;
  readonly foldIn: FoldInModel;
  /**
   * Scores n feature rows (n×F row-major, manifest feature order) in one ONNX
   * run. Returns n finite scores (non-finite outputs are replaced by 0).
   */
  scoreRows(x: Float32Array, n: number): Promise<Float32Array>;
  /** Releases the ONNX session. */
  close(): Promise<void>;
}
