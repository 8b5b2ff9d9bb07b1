import onnxProto from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/domain/random.js';
import { exportRankerToOnnx } from '../../../models/ranker/exportRankerToOnnx.js';
import { predictMlp } from '../../../models/ranker/mlpRanker.js';
import type { MlpRanker } from '../../../models/ranker/mlpRanker.js';
import { trainMlpRanker } from '../../../models/ranker/trainMlpRanker.js';

const { onnx } = onnxProto;

/** A ranker with seeded random parameters (not trained): non-trivial mean, std and weights. */
function randomRanker(nFeatures: number, hidden: number, seed: number): MlpRanker {
  const random = createRandom(seed);
  const fill = (length: number, draw: () => number): Float32Array => Float32Array.from({ length }, draw);
  return {
    kind: hidden === 0 ? 'logistic' : 'mlp',
    nFeatures,
    hidden,
    mean: fill(nFeatures, () => 10 * random.normal()),
    std: fill(nFeatures, () => 0.5 + 3 * random.next()),
    w1: fill(nFeatures * hidden, () => random.normal() / Math.sqrt(nFeatures)),
    b1: fill(hidden, () => 0.1 * random.normal()),
    w2: fill(hidden === 0 ? nFeatures : hidden, () => random.normal() / Math.sqrt(hidden || nFeatures)),
    b2: Math.fround(random.normal()),
  };
}

/** n rows around the model's own mean and std, so scores spread over (0, 1). */
function sampleRows(model: MlpRanker, n: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const x = new Float32Array(n * model.nFeatures);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < model.nFeatures; f++) {
      x[i * model.nFeatures + f] = (model.mean[f] as number) + 2 * (model.std[f] as number) * random.normal();
    }
  }
  return x;
}

/** Runs the exported model in ONNX Runtime (CPU) and returns the session and the scores. */
async function runOnnx(
  bytes: Uint8Array,
  x: Float32Array,
  n: number,
  nFeatures: number,
  names = { input: 'features', output: 'score' },
): Promise<{ session: InferenceSession; scores: Float32Array; dims: readonly number[] }> {
  const session = await InferenceSession.create(bytes);
  const result = await session.run({ [names.input]: new Tensor('float32', x, [n, nFeatures]) });
  const output = result[names.output];
  if (output === undefined) throw new Error(`no output ${names.output}`);
  return { session, scores: output.data as Float32Array, dims: output.dims };
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe('Ranker: ONNX export', () => {
  it.each([
    ['mlp', 9, 24],
    ['logistic', 9, 0],
  ])('ONNX Runtime reproduces predictMlp for the %s variant within 1e-5', async (_kind, F, H) => {
    const model = randomRanker(F, H, 11);
    const n = 257;
    const x = sampleRows(model, n, 12);
    const expected = predictMlp(model, x, n);
    const { session, scores, dims } = await runOnnx(exportRankerToOnnx(model), x, n, F);
    expect(dims).toEqual([n, 1]);
    expect(scores.length).toBe(n);
    expect(maxAbsDifference(scores, expected)).toBeLessThan(1e-5);
    // The sample must exercise the sigmoid's range, not sit at 0 or 1.
    expect(Math.min(...expected)).toBeLessThan(0.2);
    expect(Math.max(...expected)).toBeGreaterThan(0.8);
    await session.release();
  });

  it('declares float32 input [batch, F] and output [batch, 1] under the given names', async () => {
    const model = randomRanker(5, 8, 21);
    const bytes = exportRankerToOnnx(model, { inputName: 'ranker_in', outputName: 'ranker_out' });
    const x = sampleRows(model, 3, 22);
    const { session, scores } = await runOnnx(bytes, x, 3, 5, { input: 'ranker_in', output: 'ranker_out' });
    expect(session.inputNames).toEqual(['ranker_in']);
    expect(session.outputNames).toEqual(['ranker_out']);
    expect(session.inputMetadata).toEqual([
      { name: 'ranker_in', isTensor: true, type: 'float32', shape: ['batch', 5] },
    ]);
    expect(session.outputMetadata).toEqual([
      { name: 'ranker_out', isTensor: true, type: 'float32', shape: ['batch', 1] },
    ]);
    expect(maxAbsDifference(scores, predictMlp(model, x, 3))).toBeLessThan(1e-5);
    await session.release();
  });

  it('writes IR 8, opset 13, the documented node chain and the feature names', () => {
    const names = ['retrieval_score', 'item_popularity', 'user_activity'];
    const mlp = onnx.ModelProto.toObject(
      onnx.ModelProto.decode(
        exportRankerToOnnx(randomRanker(3, 4, 31), { featureNames: names, producerVersion: '0.1.0' }),
      ),
      { longs: Number, defaults: true },
    );
    expect(mlp.irVersion).toBe(8);
    expect(mlp.opsetImport).toEqual([{ domain: '', version: 13 }]);
    expect(mlp.producerName).toBe('recgate');
    expect(mlp.producerVersion).toBe('0.1.0');
    expect(mlp.graph.node.map((node: { opType: string }) => node.opType)).toEqual([
      'Sub',
      'Div',
      'Gemm',
      'Relu',
      'Gemm',
      'Sigmoid',
    ]);
    const metadata = Object.fromEntries(
      mlp.metadataProps.map((p: { key: string; value: string }) => [p.key, p.value]),
    );
    expect(JSON.parse(metadata.feature_names)).toEqual(names);
    expect(metadata['recgate.ranker.kind']).toBe('mlp');

    const logistic = onnx.ModelProto.toObject(
      onnx.ModelProto.decode(exportRankerToOnnx(randomRanker(3, 0, 32))),
      { longs: Number },
    );
    expect(logistic.graph.node.map((node: { opType: string }) => node.opType)).toEqual([
      'Sub',
      'Div',
      'Gemm',
      'Sigmoid',
    ]);
  });

  it('exports a trained ranker that scores a batch of one like predictMlp', async () => {
    const random = createRandom(41);
    const n = 600;
    const x = new Float32Array(n * 3);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 3; f++) x[i * 3 + f] = 100 + 50 * random.normal();
      y[i] = (x[i * 3] as number) > 150 ? 1 : 0;
    }
    const model = trainMlpRanker(x, y, n, 3, { hidden: 8, epochs: 3 });
    const row = x.subarray(0, 3);
    const { session, scores } = await runOnnx(exportRankerToOnnx(model), row, 1, 3);
    expect(Math.abs((scores[0] as number) - (predictMlp(model, row, 1)[0] as number))).toBeLessThan(1e-5);
    await session.release();
  });

  it('rejects feature names of the wrong length, clashing names and corrupt models', () => {
    const model = randomRanker(3, 4, 51);
    expect(() => exportRankerToOnnx(model, { featureNames: ['a', 'b'] })).toThrow(RangeError);
    expect(() => exportRankerToOnnx(model, { featureNames: ['a', 'b'] })).toThrow(
      /featureNames must have nFeatures = 3 entries, got 2/,
    );
    expect(() => exportRankerToOnnx(model, { inputName: 'x', outputName: 'x' })).toThrow(/must differ/);
    expect(() => exportRankerToOnnx({ ...model, b1: new Float32Array(3) })).toThrow(
      /b1 must have length 4, got 3/,
    );
  });
});
