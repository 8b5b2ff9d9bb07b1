import * as ort from 'onnxruntime-node';
import { RANKER_SESSION_OPTIONS } from '../../models/registry/rankerSessionOptions.js';
import { createFoldInModel } from '../../models/retrieval/foldIn.js';
import type { FoldInModel } from '../../models/retrieval/foldIn.js';
import type { ModelManifest } from '../domain/manifest.js';
import type { ModelRegistry } from '../stores/modelRegistry.js';
import { ModelLoadError } from './modelLoadError.js';
import type { ServedModel } from './servedModel.js';

/**
 * Loads registry version `version` for serving: reads the bundle and catalog
 * (the item factors are a view through the item vectors, not a copy: see
 * `loadVersionBundle`), prepares the fold-in model over that view (YᵀY from
 * the registry's Gram file, else computed once; the manifest's `retrieval`
 * regularisation, exponent and α) and creates ONE onnxruntime-node session for
 * the ranker, validated against the manifest before anything is served:
 *
 * 1. every `ranker.features[].default` is a finite number;
 * 2. the session has an input named `ranker.inputName` (and no other input) and
 *    an output named `ranker.outputName`;
 * 3. from `session.inputMetadata`: the input is a float32 tensor whose last
 *    dimension equals `ranker.features.length` (a symbolic last dimension is
 *    left to step 4);
 * 4. a one-row probe of the feature defaults returns a [1, 1] output with a
 *    finite value.
 *
 * `scoreRows` then runs one batch per call; non-finite outputs become 0.
 *
 * @throws ModelLoadError naming the version, the file and the mismatch (the
 *   session is released first). Errors reading the bundle (missing or
 *   inconsistent files) are also wrapped in a ModelLoadError with the reader's message.
 */
export async function loadServedModel(registry: ModelRegistry, version: string): Promise<ServedModel> {
  let loaded;
  try {
    loaded = await registry.load(version);
  } catch (err) {
    throw new ModelLoadError(version, `cannot load model version ${version}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const { manifest, bundle, catalog } = loaded;
  const { inputName, outputName, features } = manifest.ranker;
  const F = features.length;
  const rankerFile = registry.rankerPath(version);
  const fail = (message: string, cause?: unknown): ModelLoadError =>
    new ModelLoadError(version, `model version ${version} (${rankerFile}): ${message}`, { cause });

  if (F === 0) throw fail('the manifest lists no ranker feature');
  const badDefault = features.find((f) => typeof f.default !== 'number' || !Number.isFinite(f.default));
  if (badDefault !== undefined) {
    throw fail(
      `feature "${badDefault.name}" has default ${String(badDefault.default)}; defaults must be finite`,
    );
  }

  let foldIn: FoldInModel;
  try {
    foldIn = createFoldInModel(bundle.itemFactors, bundle.dimension, manifest.retrieval);
  } catch (err) {
    throw fail(`cannot build the fold-in model: ${(err as Error).message}`, err);
  }

  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(rankerFile, RANKER_SESSION_OPTIONS);
  } catch (err) {
    throw fail(`onnxruntime cannot open the ranker: ${(err as Error).message}`, err);
  }
  try {
    await validateSession(session, manifest, fail);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }

  return {
    version,
    manifest,
    bundle,
    catalog,
    foldIn,
    async scoreRows(x: Float32Array, n: number): Promise<Float32Array> {
      if (!Number.isInteger(n) || n < 0 || x.length !== n * F) {
        throw new RangeError(`scoreRows: expected n×F = ${n}×${F} values, got ${x.length}`);
      }
      if (n === 0) return new Float32Array(0);
      const result = await session.run({ [inputName]: new ort.Tensor('float32', x, [n, F]) });
      const data = result[outputName]?.data;
      if (!(data instanceof Float32Array) || data.length !== n) {
        throw new Error(
          `ranker ${version} returned ${describeOutput(data)} for ${n} rows; expected ${n} float32 scores`,
        );
      }
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number.isFinite(data[i]!) ? data[i]! : 0;
      return out;
    },
    async close(): Promise<void> {
      await session.release();
    },
  };
}

/** Steps 2–4 of {@link loadServedModel}'s checks. */
async function validateSession(
  session: ort.InferenceSession,
  manifest: ModelManifest,
  fail: (message: string, cause?: unknown) => ModelLoadError,
): Promise<void> {
  const { inputName, outputName, features } = manifest.ranker;
  const F = features.length;
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  if (!inputs.includes(inputName) || !outputs.includes(outputName)) {
    throw fail(
      `the manifest expects input "${inputName}" and output "${outputName}"; the model has inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}]`,
    );
  }
  if (inputs.length !== 1) {
    throw fail(
      `the model has ${inputs.length} inputs [${inputs.join(', ')}]; recgate feeds exactly one ("${inputName}")`,
    );
  }
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  if (meta !== undefined && meta.isTensor) {
    if (meta.type !== 'float32') {
      throw fail(`input "${inputName}" has element type ${meta.type}; the manifest's features are float32`);
    }
    const last = meta.shape[meta.shape.length - 1];
    if (meta.shape.length !== 2) {
      throw fail(`input "${inputName}" has shape [${meta.shape.join(', ')}]; expected [batch, ${F}]`);
    }
    if (typeof last === 'number' && last !== F) {
      throw fail(
        `input "${inputName}" takes ${last} features per row; the manifest lists ${F} (${features.map((f) => f.name).join(', ')})`,
      );
    }
  }
  const probe = Float32Array.from(features, (f) => f.default);
  let output: ort.Tensor | undefined;
  try {
    const result = await session.run({ [inputName]: new ort.Tensor('float32', probe, [1, F]) });
    output = result[outputName];
  } catch (err) {
    throw fail(`a one-row probe with the ${F} feature defaults failed: ${(err as Error).message}`, err);
  }
  if (output === undefined || output.dims.length !== 2 || output.dims[0] !== 1 || output.dims[1] !== 1) {
    throw fail(
      `output "${outputName}" has shape [${output?.dims.join(', ') ?? ''}] for one row; expected [1, 1] (one score per row)`,
    );
  }
  const value = (output.data as ArrayLike<number>)[0];
  if (output.type !== 'float32' || typeof value !== 'number' || !Number.isFinite(value)) {
    throw fail(
      `output "${outputName}" is ${output.type} ${String(value)} for the feature defaults; expected a finite float32`,
    );
  }
}

function describeOutput(data: unknown): string {
  if (data === undefined) return 'no output';
  if (ArrayBuffer.isView(data))
    return `${data.constructor.name} of length ${(data as unknown as ArrayLike<number>).length}`;
  return typeof data;
}
