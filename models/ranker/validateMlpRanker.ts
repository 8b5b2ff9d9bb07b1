import type { MlpRanker } from './mlpRanker.js';

/**
 * Checks the shape invariants documented on {@link MlpRanker}: `kind` agrees
 * with `hidden`, every array has its documented length, every `std` is > 0
 * and every parameter is finite. Shared by the forward pass and the ONNX
 * export so a corrupt model fails loudly instead of producing a wrong graph.
 *
 * @throws RangeError naming the first violated invariant, with the expected
 *   and the received value.
 */
export function validateMlpRanker(model: MlpRanker): void {
  const { kind, nFeatures: F, hidden: H } = model;
  if (!Number.isInteger(F) || F < 1)
    throw new RangeError(`ranker: nFeatures must be an integer ≥ 1, got ${F}`);
  if (!Number.isInteger(H) || H < 0) throw new RangeError(`ranker: hidden must be an integer ≥ 0, got ${H}`);
  if (kind !== 'mlp' && kind !== 'logistic') {
    throw new RangeError(`ranker: kind must be 'mlp' or 'logistic', got ${String(kind)}`);
  }
  if ((kind === 'logistic') !== (H === 0)) {
    throw new RangeError(
      `ranker: kind '${kind}' requires hidden ${kind === 'logistic' ? '= 0' : '≥ 1'}, got ${H}`,
    );
  }
  const expect: [string, Float32Array, number][] = [
    ['mean', model.mean, F],
    ['std', model.std, F],
    ['w1', model.w1, F * H],
    ['b1', model.b1, H],
    ['w2', model.w2, H === 0 ? F : H],
  ];
  for (const [name, array, length] of expect) {
    if (array.length !== length) {
      throw new RangeError(`ranker: ${name} must have length ${length}, got ${array.length}`);
    }
    for (let i = 0; i < array.length; i++) {
      const v = array[i] as number;
      if (!Number.isFinite(v)) throw new RangeError(`ranker: ${name}[${i}] must be finite, got ${v}`);
      if (name === 'std' && v <= 0) throw new RangeError(`ranker: std[${i}] must be > 0, got ${v}`);
    }
  }
  if (!Number.isFinite(model.b2)) throw new RangeError(`ranker: b2 must be finite, got ${model.b2}`);
}
