import type { ModelBundle } from '../../../models/pipeline/modelBundle.js';

const cache = new WeakMap<ModelBundle, Float32Array>();

/**
 * The model's raw item factors scaled to unit length (nItems×d, row-major;
 * a zero item stays zero): cosines between items are plain dot products.
 * Computed once per model and cached.
 */
export function unitItemFactors(bundle: ModelBundle): Float32Array {
  let out = cache.get(bundle);
  if (out === undefined) {
    const d = bundle.dimension;
    const f = bundle.itemFactors;
    out = new Float32Array(f.length);
    for (let o = 0; o < f.length; o += d) {
      let s = 0;
      for (let p = 0; p < d; p++) s += f[o + p]! * f[o + p]!;
      const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let p = 0; p < d; p++) out[o + p] = f[o + p]! * scale;
    }
    cache.set(bundle, out);
  }
  return out;
}
