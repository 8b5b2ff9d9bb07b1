import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../../src/domain/manifest.js';
import type { RowScorer } from '../pipeline/modelBundle.js';
import { RANKER_SESSION_OPTIONS } from './rankerSessionOptions.js';

/**
 * A {@link RowScorer} over a version's `model.onnx` run by onnxruntime-node,
 * after checking the session's input and output names against the manifest.
 * @throws Error when the ONNX file is unreadable or its names differ from the manifest.
 */
export async function onnxRowScorer(modelPath: string, manifest: ModelManifest): Promise<RowScorer> {
  const session = await ort.InferenceSession.create(modelPath, RANKER_SESSION_OPTIONS);
  const { inputName, outputName, features } = manifest.ranker;
  if (!session.inputNames.includes(inputName) || !session.outputNames.includes(outputName)) {
    throw new Error(
      `${modelPath}: the manifest expects input "${inputName}" and output "${outputName}", the model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    );
  }
  return async (x, n) => {
    if (n === 0) return new Float32Array(0);
    const result = await session.run({ [inputName]: new ort.Tensor('float32', x, [n, features.length]) });
    return Float32Array.from(result[outputName]!.data as Float32Array);
  };
}
