/**
 * Adam with one kernel per variable on the wasm backend. `tf.train.adam` updates each variable with ~13 element-wise
 * kernels (and as many engine round trips and temporaries); on wasm that was ~6 ms of a 21 ms dense-AE step at
 * batch 128. `FusedAdamOptimizer` is a `tf.AdamOptimizer` (same class name, config, weights and state layout) whose
 * `applyGradients` runs one fused wasm pass per variable (src/core/kernels/adam.ts) where the project's
 * kernel fixes are registered for the active backend, and the stock implementation everywhere else. The pass
 * evaluates tf.train.adam's update
 *
 *     m_t = β1·m_{t-1} + (1-β1)·g          v_t = β2·v_{t-1} + (1-β2)·g²
 *     θ_t = θ_{t-1} - η · (m_t / (1-β1^t)) / (sqrt(v_t / (1-β2^t)) + ε)
 *
 * in float32 with PyTorch's arrangement of the bias corrections (one division and one square root per element, so
 * it agrees with tf.train.adam to float32 rounding), and writes θ, m and v in place when no other tensor shares
 * their buffers (else through the `FUSED_ADAM_KERNEL` kernel and `assign`).
 */
import { tf } from '../tf';
import { FUSED_ADAM_KERNEL, fusedAdamInPlace } from '../kernels/adam';
import type { FusedAdamAttrs } from '../kernels/adam';
import { findKernel } from '../kernels/kernelTable';

/** The private state of `tf.AdamOptimizer` that the fused step reads and updates (same fields, same meaning). */
interface Moment {
  originalName: string;
  variable: tf.Variable;
}

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  /** Filled lazily, one slot per variable on its first step. */
  accumulatedFirstMoment: (Moment | undefined)[];
  accumulatedSecondMoment: (Moment | undefined)[];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  applyGradients(variableGradients: VariableGradients): void {
    if (findKernel(FUSED_ADAM_KERNEL, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: FusedAdamAttrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const first = (state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
        const second = (state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
        // A named map may lack a variable's gradient (the variable then keeps its value).
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : (variableGradients as Partial<tf.NamedTensorMap>)[name];
        if (gradient == null) return;
        const m = first.variable;
        const v = second.variable;
        if (fusedAdamInPlace(value, m, v, gradient, state.accBeta1, state.accBeta2, attrs)) return;
        const [newValue, newM, newV] = tf.engine().runKernel<tf.Tensor[]>(
          FUSED_ADAM_KERNEL,
          { value, m, v, g: gradient, accBeta1: state.accBeta1, accBeta2: state.accBeta2 },
          attrs as unknown as tf.NamedAttrMap,
        );
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * Drop-in for `tf.train.adam(learningRate, beta1, beta2, epsilon)`: the fused update on wasm (with the project's
 * kernel fixes registered), the stock one elsewhere. `epsilon` defaults to the backend's, as in tf.train.adam.
 */
export function createAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
