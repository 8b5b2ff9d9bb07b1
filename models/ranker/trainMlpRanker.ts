// About 400 lines, over the ~300 guideline: half is the documented options and contract; the
// forward/backward helpers at the bottom are private to the hot loop and read best next to it.
import { createRandom } from '../../src/domain/random.js';
import { adamStep } from './adamStep.js';
import type { AdamState } from './adamStep.js';
import { featureStandardisation } from './featureStandardisation.js';
import type { MlpRanker } from './mlpRanker.js';
import { shuffleIndices } from './shuffleIndices.js';
import { stratifiedSplit } from './stratifiedSplit.js';

/** Progress of one training epoch, passed to {@link TrainMlpRankerOptions.onEpoch}. */
export interface TrainMlpRankerEpoch {
  /** 1-based epoch number. */
  readonly epoch: number;
  /**
   * Weighted mean binary cross-entropy (nats per unit of row weight) over this
   * epoch's minibatches, each measured just before its update (as Keras
   * reports it). Excludes the L2 term.
   */
  readonly loss: number;
  /**
   * Weighted mean binary cross-entropy on the held-out rows after the epoch,
   * with the same row weights as `loss`; absent when there is no validation part.
   */
  readonly validationLoss?: number;
  /** Wall-clock seconds since training started (cumulative, not per epoch). */
  readonly seconds: number;
}

/** Options of {@link trainMlpRanker}; every one is optional. */
export interface TrainMlpRankerOptions {
  /** Hidden ReLU units; 0 trains logistic regression (`kind: 'logistic'`). Integer ≥ 0. @default 32 */
  readonly hidden?: number;
  /** Passes over the training rows. Integer ≥ 1. @default 20 */
  readonly epochs?: number;
  /** Adam step size α (Kingma & Ba 2015). > 0. @default 0.003 */
  readonly learningRate?: number;
  /** Rows per minibatch (the last batch of an epoch may be smaller). Integer ≥ 1. @default 256 */
  readonly batchSize?: number;
  /**
   * L2 penalty λ: the objective adds λ/2·‖W‖² over W1 and w2 (not the biases),
   * i.e. λ·w is added to each weight gradient ("Adam with L2" in Loshchilov &
   * Hutter, "Decoupled Weight Decay Regularization", ICLR 2019; not AdamW). ≥ 0.
   * @default 1e-5
   */
  readonly l2?: number;
  /** Seed for the initialisation, the validation split and the per-epoch shuffles. @default 42 */
  readonly seed?: number;
  /**
   * Weight of each positive row in the loss (negatives weigh 1), or
   * `'balanced'` for nNegative/nPositive (both classes weigh the same in total).
   *
   * The default, 1, keeps scores calibrated probabilities. Class imbalance
   * (1–5 % positives) is handled instead by initialising the output bias to the
   * log-odds of the (weighted) positive rate, so training does not spend its
   * first epochs learning the base rate ("Classification on imbalanced data",
   * TensorFlow tutorials; Karpathy, "A recipe for training neural networks",
   * 2019). Re-weighting mostly changes calibration, which ranking ignores; try
   * `'balanced'` or a number when positives are few in absolute terms.
   * > 0 and finite. @default 1
   */
  readonly positiveWeight?: number | 'balanced';
  /**
   * Share of rows held out to report `validationLoss` each epoch, stratified by
   * label (the same share of positives and of negatives, rounded, always
   * leaving at least one row of each class to train on). Only
   * reported: no early stopping, and the held-out rows are not trained on.
   * In [0, 1). @default 0
   */
  readonly validationShare?: number;
  /** Called after every epoch; use it for progress bars and logs. */
  readonly onEpoch?: (epoch: TrainMlpRankerEpoch) => void;
}

/**
 * Trains a pointwise learned ranker: an {@link MlpRanker} (one hidden ReLU
 * layer, sigmoid output) minimising weighted binary cross-entropy with
 * minibatch Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization",
 * ICLR 2015; see `adamStep`). Gradients by hand-written backpropagation,
 * averaged over each minibatch's total row weight.
 *
 * - Standardisation: per-feature mean and population standard deviation of the
 *   training part (a constant column gets std 1), stored in the model and
 *   applied before the first layer, so callers pass raw features.
 * - Initialisation: He normal, N(0, 2/fan_in), for W1 and w2 (He et al.,
 *   "Delving Deep into Rectifiers", ICCV 2015); zero hidden biases; output bias
 *   at the log-odds of the weighted positive rate (see `positiveWeight`).
 *   Logistic regression (`hidden: 0`) starts from zero weights (the loss is convex).
 * - Each epoch visits the training rows in a fresh seeded Fisher–Yates order.
 * - Deterministic: the same inputs and options give bit-identical weights.
 * - Cost: O(epochs · n · F · H) time; O(n · F) extra memory (a float64
 *   standardised copy). No allocation per row or per batch.
 *
 * @param x n×F raw feature rows, row-major; all finite.
 * @param y n labels, each exactly 0 or 1.
 * @param n number of rows, integer ≥ 1.
 * @param nFeatures F, integer ≥ 1.
 * @returns the trained model, parameters rounded to float32.
 * @throws RangeError with the expected and received value when: n < 1 or not
 *   an integer; `x.length ≠ n·F` or `y.length ≠ n`; a non-finite feature; a
 *   label other than 0/1; no positive or no negative row; an option outside its
 *   documented range.
 */
export function trainMlpRanker(
  x: Float32Array,
  y: Float32Array,
  n: number,
  nFeatures: number,
  options: TrainMlpRankerOptions = {},
): MlpRanker {
  const started = performance.now();
  const F = nFeatures;
  const hidden = integerOption('hidden', options.hidden ?? 32, 0);
  const epochs = integerOption('epochs', options.epochs ?? 20, 1);
  const batchSize = integerOption('batchSize', options.batchSize ?? 256, 1);
  const seed = integerOption('seed', options.seed ?? 42, Number.MIN_SAFE_INTEGER);
  const learningRate = options.learningRate ?? 0.003;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new RangeError(`trainMlpRanker: learningRate must be finite and > 0, got ${learningRate}`);
  }
  const l2 = options.l2 ?? 1e-5;
  if (!(l2 >= 0) || !Number.isFinite(l2)) {
    throw new RangeError(`trainMlpRanker: l2 must be finite and ≥ 0, got ${l2}`);
  }
  const validationShare = options.validationShare ?? 0;
  if (!(validationShare >= 0 && validationShare < 1)) {
    throw new RangeError(`trainMlpRanker: validationShare must be in [0, 1), got ${validationShare}`);
  }
  const positiveWeightOption = options.positiveWeight ?? 1;
  if (
    positiveWeightOption !== 'balanced' &&
    (typeof positiveWeightOption !== 'number' ||
      !(positiveWeightOption > 0) ||
      !Number.isFinite(positiveWeightOption))
  ) {
    throw new RangeError(
      `trainMlpRanker: positiveWeight must be 'balanced' or a finite number > 0, got ${String(positiveWeightOption)}`,
    );
  }
  validateData(x, y, n, F);

  const random = createRandom(seed);
  const { train, validation } = stratifiedSplit(y, n, validationShare, random);
  let trainPositives = 0;
  for (const r of train) trainPositives += y[r] as number;
  const trainNegatives = train.length - trainPositives; // both ≥ 1: see stratifiedSplit
  const positiveWeight =
    positiveWeightOption === 'balanced' ? trainNegatives / trainPositives : positiveWeightOption;

  // Standardisation from the training part; rounded to float32 first so the
  // network is trained on exactly the inputs the exported model will see.
  const { mean, std } = featureStandardisation(x, F, train);
  const zTrain = standardise(x, F, train, mean, std);
  const zValidation = standardise(x, F, validation, mean, std);
  const yTrain = gatherLabels(y, train);
  const yValidation = gatherLabels(y, validation);

  // All parameters in one flat vector θ = [W1ᵀ (H×F) | b1 (H) | w2 (H or F) | b2]. W1 is held
  // transposed (hidden-major) so each hidden unit is a contiguous dot product in the forward pass
  // and an inactive ReLU skips a contiguous block in the backward pass; the model stores F×H.
  const H = hidden;
  const nOut = H === 0 ? F : H;
  const oB1 = F * H;
  const oW2 = oB1 + H;
  const oB2 = oW2 + nOut;
  const P = oB2 + 1;
  const theta = new Float64Array(P);
  const decay = new Float64Array(P); // λ on weights, 0 on biases
  if (H > 0) {
    const sd1 = Math.sqrt(2 / F);
    for (let i = 0; i < oB1; i++) theta[i] = sd1 * random.normal();
    const sd2 = Math.sqrt(2 / H);
    for (let i = oW2; i < oB2; i++) theta[i] = sd2 * random.normal();
  }
  const prior = (positiveWeight * trainPositives) / (positiveWeight * trainPositives + trainNegatives);
  theta[oB2] = Math.log(prior / (1 - prior));
  decay.fill(l2, 0, oB1);
  decay.fill(l2, oW2, oB2);

  const net: Network = {
    F,
    H,
    theta,
    W1t: theta.subarray(0, oB1),
    B1: theta.subarray(oB1, oW2),
    W2: theta.subarray(oW2, oB2),
    oB1,
    oW2,
    oB2,
    grad: new Float64Array(P),
    act: new Float64Array(H),
  };
  const adam: AdamState = { theta, decay, m: new Float64Array(P), v: new Float64Array(P), step: 0 };
  const nTrain = train.length;
  const order = new Int32Array(nTrain);
  for (let i = 0; i < nTrain; i++) order[i] = i;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffleIndices(order, random);
    let epochLoss = 0;
    let epochWeight = 0;
    for (let start = 0; start < nTrain; start += batchSize) {
      const end = Math.min(start + batchSize, nTrain);
      let batchWeight = 0;
      for (let k = start; k < end; k++) batchWeight += yTrain[order[k] as number] === 1 ? positiveWeight : 1;
      epochLoss += accumulateGradient(net, zTrain, yTrain, order, start, end, positiveWeight);
      epochWeight += batchWeight;
      adamStep(adam, net.grad, 1 / batchWeight, learningRate);
    }
    if (options.onEpoch) {
      const report: TrainMlpRankerEpoch = {
        epoch,
        loss: epochLoss / epochWeight,
        seconds: (performance.now() - started) / 1000,
      };
      if (validation.length > 0) {
        const validationLoss = weightedLogLoss(net, zValidation, yValidation, positiveWeight);
        options.onEpoch({ ...report, validationLoss });
      } else {
        options.onEpoch(report);
      }
    }
  }

  const model: MlpRanker = {
    kind: H === 0 ? 'logistic' : 'mlp',
    nFeatures: F,
    hidden: H,
    mean,
    std,
    w1: transpose(net.W1t, H, F),
    b1: Float32Array.from(net.B1),
    w2: Float32Array.from(net.W2),
    b2: Math.fround(theta[oB2] as number),
  };
  return model;
}

/** Views into the flat parameter vector θ and preallocated scratch for one forward/backward pass. */
interface Network {
  readonly F: number;
  readonly H: number;
  /** θ = [W1ᵀ (H×F) | b1 (H) | w2 (H or F) | b2]; W1t, B1, W2 are views into it. */
  readonly theta: Float64Array;
  /** Input-to-hidden weights, hidden-major: W1t[h·F + f] = model.w1[f·H + h]. */
  readonly W1t: Float64Array;
  readonly B1: Float64Array;
  readonly W2: Float64Array;
  /** Offsets of b1, w2 and b2 in θ and in `grad` (W1ᵀ starts at 0). */
  readonly oB1: number;
  readonly oW2: number;
  readonly oB2: number;
  /** Gradient, laid out like θ. */
  readonly grad: Float64Array;
  /** Hidden pre-activations of the last row passed to `logit`. */
  readonly act: Float64Array;
}

/**
 * Forward pass of one standardised row z[zo..zo+F): returns the output logit s
 * (the score is σ(s)) and leaves the hidden pre-activations in `net.act`.
 */
function logit(net: Network, z: Float64Array, zo: number): number {
  const { F, H, theta, W1t, B1, W2, oB2, act } = net;
  let s = theta[oB2] as number;
  if (H === 0) {
    for (let f = 0; f < F; f++) s += (W2[f] as number) * (z[zo + f] as number);
    return s;
  }
  for (let h = 0; h < H; h++) {
    const base = h * F;
    let a = B1[h] as number;
    for (let f = 0; f < F; f++) a += (z[zo + f] as number) * (W1t[base + f] as number);
    act[h] = a;
    if (a > 0) s += a * (W2[h] as number);
  }
  return s;
}

/**
 * Overwrites `net.grad` with Σ w·∂ℓ/∂θ over the rows order[start..end) of z and
 * returns Σ w·ℓ, ℓ the binary cross-entropy. Kept in its own small function so
 * V8 optimises the hot loop as a whole rather than via on-stack replacement.
 */
function accumulateGradient(
  net: Network,
  z: Float64Array,
  y: Float64Array,
  order: Int32Array,
  start: number,
  end: number,
  positiveWeight: number,
): number {
  const { F, H, W2, oB1, oW2, oB2, grad, act } = net;
  grad.fill(0);
  let gB2 = 0;
  let lossSum = 0;
  for (let k = start; k < end; k++) {
    const r = order[k] as number;
    const zo = r * F;
    const label = y[r] as number;
    const w = label === 1 ? positiveWeight : 1;
    const s = logit(net, z, zo);
    // Loss ℓ = softplus(s) − y·s (stable form) and dℓ/ds = σ(s) − y.
    lossSum += w * (Math.max(s, 0) - s * label + Math.log1p(Math.exp(-Math.abs(s))));
    const d = w * (1 / (1 + Math.exp(-s)) - label);
    gB2 += d;
    // Backward.
    if (H === 0) {
      for (let f = 0; f < F; f++) grad[oW2 + f] = (grad[oW2 + f] as number) + d * (z[zo + f] as number);
    } else {
      for (let h = 0; h < H; h++) {
        const a = act[h] as number;
        if (a <= 0) continue; // ReLU: no gradient through an inactive unit
        grad[oW2 + h] = (grad[oW2 + h] as number) + d * a;
        const g = d * (W2[h] as number);
        grad[oB1 + h] = (grad[oB1 + h] as number) + g;
        const base = h * F;
        for (let f = 0; f < F; f++) grad[base + f] = (grad[base + f] as number) + g * (z[zo + f] as number);
      }
    }
  }
  grad[oB2] = gB2;
  return lossSum;
}

/** rows×cols row-major float64 → its cols×rows transpose as float32. */
function transpose(a: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c] as number;
  return out;
}

function integerOption(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`trainMlpRanker: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

function validateData(x: Float32Array, y: Float32Array, n: number, F: number): void {
  if (!Number.isSafeInteger(F) || F < 1) {
    throw new RangeError(`trainMlpRanker: nFeatures must be an integer ≥ 1, got ${F}`);
  }
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`trainMlpRanker: n must be an integer ≥ 1 (at least one row), got ${n}`);
  }
  if (x.length !== n * F) {
    throw new RangeError(
      `trainMlpRanker: x must hold n×nFeatures = ${n}×${F} = ${n * F} values, got ${x.length}`,
    );
  }
  if (y.length !== n) throw new RangeError(`trainMlpRanker: y must hold n = ${n} labels, got ${y.length}`);
  for (let i = 0; i < x.length; i++) {
    const value = x[i] as number;
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `trainMlpRanker: features must be finite, got ${value} at row ${Math.floor(i / F)}, column ${i % F}`,
      );
    }
  }
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const label = y[i] as number;
    if (label !== 0 && label !== 1) {
      throw new RangeError(`trainMlpRanker: labels must be 0 or 1, got ${label} at row ${i}`);
    }
    positives += label;
  }
  if (positives === 0) throw new RangeError(`trainMlpRanker: no positive rows (all ${n} labels are 0)`);
  if (positives === n) throw new RangeError(`trainMlpRanker: no negative rows (all ${n} labels are 1)`);
}

/** Standardised float64 copy of `rows` (row k of the result is x row rows[k]). */
function standardise(
  x: Float32Array,
  F: number,
  rows: Int32Array,
  mean: Float32Array,
  std: Float32Array,
): Float64Array {
  const z = new Float64Array(rows.length * F);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    for (let f = 0; f < F; f++)
      z[k * F + f] = ((x[r * F + f] as number) - (mean[f] as number)) / (std[f] as number);
  }
  return z;
}

function gatherLabels(y: Float32Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = y[rows[k] as number] as number;
  return out;
}

/** Weighted mean BCE of the current parameters over standardised rows z (row-major, F columns). */
function weightedLogLoss(net: Network, z: Float64Array, y: Float64Array, positiveWeight: number): number {
  let total = 0;
  let weight = 0;
  for (let r = 0; r < y.length; r++) {
    const s = logit(net, z, r * net.F);
    const label = y[r] as number;
    const w = label === 1 ? positiveWeight : 1;
    total += w * (Math.max(s, 0) - s * label + Math.log1p(Math.exp(-Math.abs(s))));
    weight += w;
  }
  return total / weight;
}
