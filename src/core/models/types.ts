import type { tf } from '../tf';

import type { ModelKind } from '../../common/modelKinds';
import { MODEL_KINDS } from '../../common/modelKinds';

export type { ModelKind } from '../../common/modelKinds';
export { MODEL_KINDS } from '../../common/modelKinds';

/**
 * Kinds with a factory in src/core/models/index.ts (a unit test keeps the two in step). The UI offers only these; the
 * extension host imports this list rather than the registry so it does not load tfjs.
 */
export const TRAINABLE_MODEL_KINDS: readonly ModelKind[] = MODEL_KINDS;

export type Activation = 'relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'leakyRelu' | 'linear';

/** Everything needed to rebuild a model's graph; saved in the JSON sidecar. */
export interface ModelConfig {
  kind: ModelKind;
  /** Flattened input size (product of `sampleShape`). */
  inputDim: number;
  /** Shape of one sample: `[d]`, or `[h, w, c]` for conv models, `[steps, channels]` for sequence models. */
  sampleShape: number[];
  latentDim: number;
  /** Hidden layer widths of the encoder, outermost first (the decoder mirrors them). */
  hidden: number[];
  activation: Activation;
  /** `sigmoid` for data normalised to [0, 1] (min-max), `linear` otherwise. */
  outputActivation: 'sigmoid' | 'linear';
  /** Denoising: corruption applied to inputs during training only. */
  noise?: { type: 'gaussian' | 'masking'; level: number };
  /** Sparse: weight of the L1 penalty on the code. */
  l1?: number;
  /** VAE / beta-VAE / CVAE: weight of the KL term (1 = plain VAE). */
  beta?: number;
  /** Conv models: filters per conv block, outermost first. */
  convFilters?: number[];
  /** CVAE: number of condition classes (one-hot width) and their names. */
  conditionClasses?: string[];
  /** VQ-VAE: codebook size and commitment cost. */
  codebookSize?: number;
  commitmentCost?: number;
  /** Stacked: epochs of greedy pretraining per layer pair. */
  pretrainEpochs?: number;
  /** Seed for weight initialisation and every random op in training. */
  seed: number;
}

/** The loss of one batch, split into named parts for reporting (e.g. `reconstruction`, `kl`, `l1`). */
export interface LossParts {
  total: tf.Scalar;
  parts: Record<string, tf.Scalar>;
}

/**
 * One stage of greedy layer-wise pretraining (stacked autoencoder). The training loop takes gradients of `loss` with
 * respect to `variables` only, so any other model variable the loss reads is a constant for this stage.
 */
export interface PretrainStage {
  /** Label shown in progress and history, e.g. `pretrain layer 1`. */
  readonly name: string;
  /** The variables this stage trains; a subset of the model's `variables` (same objects). */
  readonly variables: tf.Variable[];
  /** Loss of a batch of model inputs `[batch, inputDim]`; called inside `optimizer.minimize`. */
  loss(x: tf.Tensor2D, seed: number): LossParts;
}

/** One layer `act(x·W + b)`, W `[in, out]`, b `[out]`, of a model that is a plain chain of dense layers (see `Autoencoder.denseChain`). */
export interface DenseChainLayer {
  readonly W: tf.Variable;
  readonly b: tf.Variable;
  readonly activation: Activation;
}

/**
 * One trained or trainable autoencoder. Inputs and outputs are always flattened 2D tensors `[batch, inputDim]` of
 * *normalised* values; conv and sequence models reshape internally.
 */
export interface Autoencoder {
  readonly config: ModelConfig;
  /** Trainable weights, in a stable order with stable names (used by save/load). */
  readonly variables: tf.Variable[];
  /** Deterministic code of each row (the mean for VAEs, the quantised code for VQ-VAE). `[batch, latentDim]`. */
  encode(x: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D;
  /** Decoded output for each latent row. `[batch, inputDim]`. */
  decode(z: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D;
  /**
   * Training loss of a batch. `seed` makes the random parts (noise, reparameterisation) reproducible.
   * Called inside `optimizer.minimize`, so it must only build tensors, never dispose variables.
   */
  loss(x: tf.Tensor2D, seed: number, condition?: tf.Tensor2D): LossParts;
  /** VQ-VAE: index of the codebook entry of each row, int32 [batch]. */
  codeIndices?(x: tf.Tensor2D): tf.Tensor1D;
  /**
   * VAEs: per-sample negative evidence lower bound -E_q(z|x)[log p(x|z)] + KL(q(z|x) || N(0, I)) (up to the constant of
   * a linear output's Gaussian likelihood), the expectation estimated from `samples` draws of z seeded by `seed`.
   * `[batch]`.
   */
  negativeElbo?(x: tf.Tensor2D, samples: number, seed: number, condition?: tf.Tensor2D): tf.Tensor1D;
  /**
   * Stacked models: stages trained in order before the usual end-to-end training (which the loop reports as stage
   * `fine-tune`). Absent for every other kind.
   */
  readonly pretrainStages?: PretrainStage[];
  /**
   * Set only where `loss(x)` is exactly the mean squared error `mean((x - y)²)` of `y` = these layers applied to x
   * in order (and no other variable): the training loop may then run each step fused, off tfjs
   * (src/core/training/trainStep.ts). Absent for every kind whose loss or graph is anything else.
   */
  readonly denseChain?: readonly DenseChainLayer[];
  /** Frees every variable. */
  dispose(): void;
}
