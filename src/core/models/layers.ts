/**
 * Small building blocks shared by every model factory: seeded Glorot-uniform weights held in raw `tf.Variable`s,
 * dense layers, activations and reconstruction losses. Models are written with plain ops (not tf.layers) so that
 * tied weights, custom losses and save/load work the same way for every kind.
 */
import { tf } from '../tf';
import { deriveSeed } from '../../common/random';
import { DENSE_KERNEL, MSE_KERNEL } from '../kernels/fusedDense';
import { BIAS_ACT_KERNEL } from '../kernels/biasActivation';
import { findKernel } from '../kernels/kernelTable';
import type { Activation, Autoencoder, ModelConfig } from './types';

let instanceCounter = 0;

/**
 * tfjs registers variables globally by name, so two live models may not share a name. Every model instance gets a
 * unique scope prefix (`dense_3/`); the part after the first `/` (`enc/0/W`) is the stable name used by save/load.
 */
export function newScope(kind: string): string {
  instanceCounter += 1;
  return `${kind}_${instanceCounter}`;
}

/** The stable name of a model variable (its name without the per-instance scope prefix). */
export function stableName(v: tf.Variable): string {
  const i = v.name.indexOf('/');
  return i >= 0 ? v.name.slice(i + 1) : v.name;
}

/**
 * Creates the variables of a model, each initialised from its own seed stream so that adding a layer never changes
 * the initial weights of the others.
 */
export class VariableStore {
  readonly variables: tf.Variable[] = [];
  private index = 0;

  constructor(
    readonly scope: string,
    private readonly seed: number,
  ) {}

  /**
   * Glorot (Xavier) uniform: W ~ U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), which keeps the variance of
   * activations and gradients roughly constant across layers. Seeded by `deriveSeed(config.seed, layerIndex)`.
   */
  glorot(name: string, shape: number[], fanIn: number, fanOut: number): tf.Variable {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const seed = deriveSeed(this.seed, this.index++);
    const init = tf.randomUniform(shape, -limit, limit, 'float32', seed);
    return this.track(tf.variable(init, true, `${this.scope}/${name}`), init);
  }

  /** A zero-initialised variable (biases). */
  zeros(name: string, shape: number[]): tf.Variable {
    this.index++;
    const init = tf.zeros(shape);
    return this.track(tf.variable(init, true, `${this.scope}/${name}`), init);
  }

  private track(v: tf.Variable, init: tf.Tensor): tf.Variable {
    init.dispose();
    this.variables.push(v);
    return v;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** A fully connected layer y = act(x W + b); W is `[inDim, outDim]`. */
export interface DenseLayer {
  W: tf.Variable;
  b: tf.Variable;
}

/** Creates a dense layer's variables `<name>/W` and `<name>/b`. */
export function denseLayer(store: VariableStore, name: string, inDim: number, outDim: number): DenseLayer {
  return { W: store.glorot(`${name}/W`, [inDim, outDim], inDim, outDim), b: store.zeros(`${name}/b`, [outDim]) };
}

/** Dense layers `<prefix>/0`, `<prefix>/1`, ... mapping `widths[0] -> widths[1] -> ...` (created in that order). */
export function denseStack(store: VariableStore, prefix: string, widths: number[]): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < widths.length; i++) layers.push(denseLayer(store, `${prefix}/${i}`, widths[i], widths[i + 1]));
  return layers;
}

/** Applies an activation function by name. */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'linear':
      return x;
  }
}

/** Whether the active backend has `kernel` (the fused kernels exist on wasm with the project's kernel fixes). */
function hasKernel(kernel: string): boolean {
  return findKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * y = act(x W + b). With relu, sigmoid or linear on float32 data where the backend has `DENSE_KERNEL` (wasm with the
 * kernel fixes) this is one kernel with its own gradient (src/core/kernels/fusedDense.ts), else MatMul + Add + act.
 */
export function applyDense(layer: Readonly<Record<keyof DenseLayer, tf.Tensor>>, x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  const { W, b } = layer;
  const fusable = (activation === 'relu' || activation === 'sigmoid' || activation === 'linear') && x.rank === 2 && W.rank === 2 && b.rank === 1
    && x.shape[1] === W.shape[0] && b.shape[0] === W.shape[1] && x.dtype === 'float32' && W.dtype === 'float32' && b.dtype === 'float32';
  if (fusable && hasKernel(DENSE_KERNEL)) {
    return tf.engine().runKernel<tf.Tensor2D>(DENSE_KERNEL, { x, W: layer.W, b: layer.b }, { activation });
  }
  return activate(tf.add<tf.Tensor2D>(tf.matMul(x, layer.W as tf.Tensor2D), layer.b), activation);
}

/**
 * `act(z + b)` with the bias broadcast over the last axis (a convolution's output). With relu, sigmoid or linear
 * on float32 data, C divisible by 4, where the backend has `BIAS_ACT_KERNEL` (wasm with the kernel fixes) this is
 * one kernel with its own gradient, else Add + act.
 */
export function biasActivate<T extends tf.Tensor>(z: T, b: tf.Tensor, activation: Activation): T {
  const c = z.shape[z.shape.length - 1];
  const fusable = (activation === 'relu' || activation === 'sigmoid' || activation === 'linear') && z.dtype === 'float32' && b.dtype === 'float32'
    && b.rank === 1 && b.shape[0] === c && c % 4 === 0 && c > 0;
  if (fusable && hasKernel(BIAS_ACT_KERNEL)) return tf.engine().runKernel<T>(BIAS_ACT_KERNEL, { z, b }, { activation });
  return activate(tf.add<T>(z, b), activation);
}

/** Runs `x` through a stack of dense layers: `activation` on all, `last` on the final one. */
export function applyStack(layers: DenseLayer[], x: tf.Tensor2D, activation: Activation, last: Activation): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, i) => {
    h = applyDense(layer, h, i === layers.length - 1 ? last : activation);
  });
  return h;
}

/** Layer widths of an MLP encoder: input, hidden..., latent. */
export function encoderWidths(config: ModelConfig): number[] {
  return [config.inputDim, ...config.hidden, config.latentDim];
}

/**
 * Mean squared reconstruction error: mean over batch and features of (x - y)^2. This is the same quantity as the
 * per-sample errors reported by `reconstructionErrors`, averaged.
 */
export function meanSquaredError(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  // One kernel forward and one backward where the backend has it (wasm with the kernel fixes; same shapes only).
  if (x.dtype === 'float32' && y.dtype === 'float32' && x.size > 0 && tf.util.arraysEqual(x.shape, y.shape) && hasKernel(MSE_KERNEL)) {
    return tf.engine().runKernel<tf.Scalar>(MSE_KERNEL, { a: x, b: y }, {});
  }
  return tf.mean(tf.squaredDifference(x, y));
}

/**
 * Per-sample reconstruction log-likelihood terms used by the VAE, summed over features:
 * - sigmoid output: binary cross-entropy from logits, max(l, 0) - l x + log(1 + exp(-|l|)) (stable form);
 * - linear output: squared error (a Gaussian likelihood with unit variance, up to constants).
 * Returns `[batch]`.
 */
export function reconstructionSum(x: tf.Tensor2D, logits: tf.Tensor2D, output: 'sigmoid' | 'linear'): tf.Tensor1D {
  if (output === 'linear') return tf.sum(tf.squaredDifference(x, logits), 1);
  const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.sum(bce, 1);
}

/** Reads a numeric option with a default. */
export function orDefault(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/** Name of `mseAutoencoder`'s one loss part (the fused training step reports its loss under it too). */
export const MSE_LOSS_PART = 'reconstruction';

/**
 * Wraps raw `encode`/`decode` graphs as an `Autoencoder` trained on the plain mean squared reconstruction error
 * `mean((x - decode(encode(x)))^2)`. Inference calls run in `tf.tidy`; `loss` runs inside `optimizer.minimize`.
 */
export function mseAutoencoder(
  config: ModelConfig,
  store: VariableStore,
  encode: (x: tf.Tensor2D) => tf.Tensor2D,
  decode: (z: tf.Tensor2D) => tf.Tensor2D,
): Autoencoder {
  return {
    config,
    variables: store.variables,
    encode: (x) => tf.tidy(() => encode(x)),
    decode: (z) => tf.tidy(() => decode(z)),
    loss: (x) => {
      const reconstruction = meanSquaredError(x, decode(encode(x)));
      return { total: reconstruction, parts: { [MSE_LOSS_PART]: reconstruction } };
    },
    dispose: () => store.dispose(),
  };
}
