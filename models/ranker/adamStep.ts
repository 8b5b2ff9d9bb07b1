/** β1, β2 and ε of Adam: the defaults recommended by Kingma & Ba (2015), Section 2. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Parameters and Adam moment estimates, all of the same length P, updated in
 * place by {@link adamStep}. Create with `m`, `v` zero-filled and `step: 0`.
 */
export interface AdamState {
  /** The P parameters θ being optimised. */
  readonly theta: Float64Array;
  /** Per-parameter L2 coefficient λ (typically λ on weights, 0 on biases); ≥ 0. */
  readonly decay: Float64Array;
  /** First-moment (mean) estimate of the gradient, length P. */
  readonly m: Float64Array;
  /** Second raw-moment estimate of the gradient, length P. */
  readonly v: Float64Array;
  /** Steps taken so far (t in the paper). */
  step: number;
}

/**
 * One step of Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization",
 * ICLR 2015, Algorithm 1) on the gradient g = scale·grad + decay·θ, i.e. with
 * a coupled L2 penalty Σ decay·θ²/2 (not AdamW's decoupled decay). The bias
 * correction is folded into the step size as in the paper's Section 2:
 * α_t = α·√(1−β2ᵗ)/(1−β1ᵗ) and ε̂ = ε·√(1−β2ᵗ), which equals Algorithm 1 exactly.
 * β1 = 0.9, β2 = 0.999, ε = 1e-8.
 *
 * @param state updated in place; `step` is incremented.
 * @param grad length P, the raw (e.g. summed) gradient of the data loss.
 * @param scale multiplies `grad`, e.g. 1 / (batch weight) to average it.
 * @param learningRate α > 0 (not checked: callers validate options).
 * O(P); allocates nothing.
 */
export function adamStep(state: AdamState, grad: Float64Array, scale: number, learningRate: number): void {
  const { theta, decay, m, v } = state;
  state.step++;
  const c2 = Math.sqrt(1 - Math.pow(BETA2, state.step));
  const stepSize = (learningRate * c2) / (1 - Math.pow(BETA1, state.step));
  const epsilon = EPSILON * c2;
  for (let i = 0; i < theta.length; i++) {
    const t = theta[i] as number;
    const g = (grad[i] as number) * scale + (decay[i] as number) * t;
    const mi = BETA1 * (m[i] as number) + (1 - BETA1) * g;
    const vi = BETA2 * (v[i] as number) + (1 - BETA2) * g * g;
    m[i] = mi;
    v[i] = vi;
    theta[i] = t - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
  }
}
