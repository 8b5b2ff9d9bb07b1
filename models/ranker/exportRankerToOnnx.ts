import onnxProto from 'onnx-proto';
import type { MlpRanker } from './mlpRanker.js';
import { validateMlpRanker } from './validateMlpRanker.js';

const { onnx } = onnxProto;

/** ONNX IR version written (IR 8 = ONNX 1.10, the schema `onnx-proto` 8.0.1 ships). */
export const RANKER_ONNX_IR_VERSION = 8;
/** Default-domain operator set written; every op used (Sub, Div, Gemm, Relu, Sigmoid) is unchanged since 13. */
export const RANKER_ONNX_OPSET = 13;

/** Options of {@link exportRankerToOnnx}. */
export interface ExportRankerToOnnxOptions {
  /** Graph input name, `ModelManifest['ranker']['inputName']`. @default 'features' */
  readonly inputName?: string;
  /** Graph output name, `ModelManifest['ranker']['outputName']`. @default 'score' */
  readonly outputName?: string;
  /** `ModelProto.producer_version`, e.g. the recgate package version. @default '' */
  readonly producerVersion?: string;
  /**
   * Column names of the input, in order; stored as JSON in the metadata
   * property `feature_names` and listed in the graph input's doc string.
   * Length must equal `model.nFeatures` (RangeError otherwise).
   * @default none (not stored)
   */
  readonly featureNames?: readonly string[];
}

/**
 * Serialises an {@link MlpRanker} as an ONNX `ModelProto` (ONNX IR
 * specification, onnx/onnx `docs/IR.md`; operators from `docs/Operators.md`,
 * opset {@link RANKER_ONNX_OPSET}), computing exactly `predictMlp`:
 *
 * ```
 * features [batch, F] ─Sub(mean [F])─Div(std [F])─Gemm(W1 [F,H], b1 [H])─Relu
 *                     ─Gemm(W2 [H,1], b2 [1])─Sigmoid─> score [batch, 1]
 * logistic (hidden 0): ─Sub─Div─Gemm(w2 as [F,1], b2 [1])─Sigmoid─> score
 * ```
 *
 * - Input `inputName`: float32 `[batch, F]`, `batch` a symbolic dim_param (the
 *   manifest's `inputShape` `[-1, F]`); output `outputName`: float32
 *   `[batch, 1]` (`outputShape` `[-1, 1]`).
 * - Initializers are float32 `raw_data`, written little-endian regardless of
 *   the host's byte order, as the IR requires.
 * - `metadata_props`: `recgate.ranker.kind`, `recgate.ranker.hidden`,
 *   `recgate.ranker.n_features`, and `feature_names` (JSON array) when given.
 *
 * @returns the serialised protobuf bytes, loadable with
 *   `InferenceSession.create(bytes)` or written as `model.onnx`.
 * @throws RangeError when the model is inconsistent (see `validateMlpRanker`),
 *   a name is empty, input and output names coincide, or `featureNames` has the
 *   wrong length.
 */
export function exportRankerToOnnx(model: MlpRanker, options: ExportRankerToOnnxOptions = {}): Uint8Array {
  validateMlpRanker(model);
  const inputName = options.inputName ?? 'features';
  const outputName = options.outputName ?? 'score';
  if (inputName === '' || outputName === '') {
    throw new RangeError(`exportRankerToOnnx: input and output names must be non-empty`);
  }
  if (inputName === outputName) {
    throw new RangeError(`exportRankerToOnnx: input and output names must differ, both are '${inputName}'`);
  }
  const { nFeatures: F, hidden: H } = model;
  const featureNames = options.featureNames;
  if (featureNames !== undefined && featureNames.length !== F) {
    throw new RangeError(
      `exportRankerToOnnx: featureNames must have nFeatures = ${F} entries, got ${featureNames.length}`,
    );
  }

  const initializer = [tensor('mean', [F], model.mean), tensor('std', [F], model.std)];
  const node = [op('Sub', [inputName, 'mean'], ['centred']), op('Div', ['centred', 'std'], ['standardised'])];
  let last = 'standardised';
  if (H > 0) {
    initializer.push(tensor('W1', [F, H], model.w1), tensor('b1', [H], model.b1));
    node.push(op('Gemm', [last, 'W1', 'b1'], ['hidden_linear']), op('Relu', ['hidden_linear'], ['hidden']));
    last = 'hidden';
  }
  initializer.push(tensor('W2', [H > 0 ? H : F, 1], model.w2), tensor('b2', [1], Float32Array.of(model.b2)));
  node.push(op('Gemm', [last, 'W2', 'b2'], ['logit']), op('Sigmoid', ['logit'], [outputName]));

  const metadataProps = [
    { key: 'recgate.ranker.kind', value: model.kind },
    { key: 'recgate.ranker.hidden', value: String(H) },
    { key: 'recgate.ranker.n_features', value: String(F) },
  ];
  if (featureNames !== undefined)
    metadataProps.push({ key: 'feature_names', value: JSON.stringify(featureNames) });

  const message = onnx.ModelProto.create({
    irVersion: RANKER_ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: RANKER_ONNX_OPSET }],
    producerName: 'recgate',
    producerVersion: options.producerVersion ?? '',
    modelVersion: 1,
    docString:
      `recgate learned ranker (${model.kind}, ${F} features, ${H} hidden units): ` +
      `score = sigmoid(...) per row of standardised features.`,
    metadataProps,
    graph: {
      name: 'recgate_ranker',
      node,
      initializer,
      input: [
        valueInfo(
          inputName,
          [{ dimParam: 'batch' }, { dimValue: F }],
          featureNames === undefined ? 'raw ranker features' : `columns: ${featureNames.join(', ')}`,
        ),
      ],
      output: [valueInfo(outputName, [{ dimParam: 'batch' }, { dimValue: 1 }], 'score in (0, 1) per row')],
    },
  });
  return onnx.ModelProto.encode(message).finish();
}

function op(opType: string, input: string[], output: string[]): onnxProto.onnx.INodeProto {
  return { opType, input, output, name: output[0] ?? opType };
}

function tensor(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  const rawData = new Uint8Array(values.length * 4);
  const view = new DataView(rawData.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData };
}

function valueInfo(
  name: string,
  dim: onnxProto.onnx.TensorShapeProto.IDimension[],
  docString: string,
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    docString,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } },
  };
}
