/**
 * The ranker's input for one request: n×`width` float32, row-major, row j for
 * the j-th candidate handed to the hydrators (and the scorer).
 */
export interface FeatureMatrix {
  readonly width: number;
  readonly rows: number;
  readonly data: Float32Array;
}

/** An n×width zero matrix. */
export function createFeatureMatrix(rows: number, width: number): FeatureMatrix {
  return { width, rows, data: new Float32Array(rows * width) };
}
