/**
 * Vector-quantised VAE (van den Oord, Vinyals & Kavukcuoglu 2017, "Neural Discrete Representation Learning") on a dense
 * MLP encoder/decoder. The encoder maps x to z_e in R^D; a codebook C = [c_1 .. c_K] (variable `codebook`, `[K, D]`)
 * quantises it to its nearest entry
 *
 *   k(x) = argmin_k ||z_e - c_k||^2 = argmin_k (||z_e||^2 - 2 z_e . c_k + ||c_k||^2),   z_q = c_k(x)
 *
 * and the decoder reconstructs from z_q. argmin has no useful gradient, so the decoder sees the straight-through value
 * z_q_st = z_e + sg(z_q - z_e) (forward: z_q; backward: the identity onto z_e). The loss is
 *
 *   loss = mean (x - decode(z_q_st))^2 + mean (sg(z_e) - z_q)^2 + beta_c * mean (z_e - sg(z_q))^2
 *          \____ reconstruction ____/   \____ codebook ______/            \_____ commitment ____/
 *
 * where sg is the stop-gradient (`stopGradient`) and means run over batch and features / code dimensions. The codebook
 * term moves the chosen codes towards the encoder outputs; the commitment term (beta_c = `commitmentCost`, 0.25 by
 * default) keeps the encoder outputs close to their codes. The codebook starts at U(-1/K, 1/K) like the paper's
 * reference implementation: near the origin, so the nearest code depends mainly on the direction of z_e and many codes
 * get picked from the start.
 *
 * Reported parts (not minimised): `perplexity` = exp(-sum_k p_k log p_k) with p_k the fraction of the batch assigned to
 * code k (1 when one code takes everything, K when all codes are used evenly), and `usage` = the fraction of the K codes
 * used by at least one row of the batch. Both come from integer indices, so they carry no gradient.
 *
 * `encode` returns the quantised code z_q (rows sharing a code coincide); `decode` decodes any latent row, so
 * interpolating between codes works; `codeIndices` returns k(x).
 */
import { tf } from '../tf';
import { deriveSeed } from '../../common/random';
import type { Autoencoder, ModelConfig } from './types';
import { buildMlp } from './dense';
import { meanSquaredError, orDefault } from './layers';

/** Codebook size K when the config does not set `codebookSize`. */
export const DEFAULT_CODEBOOK_SIZE = 32;
/** Commitment cost beta_c when the config does not set `commitmentCost` (the paper's value). */
export const DEFAULT_COMMITMENT = 0.25;

/** Seed stream of the codebook initialisation (far from the per-layer streams 0, 1, 2, ... of `VariableStore`). */
const CODEBOOK_STREAM = 0x7ab1e;

const stopGradientOp = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * sg(x): the identity in the forward pass, a zero gradient in the backward pass (TensorFlow's `stop_gradient`, which
 * tfjs lacks). Built with `tf.customGrad`.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

/** The result of quantising a batch of encoder outputs. */
interface Quantized {
  /** Index of the nearest codebook row, int32 `[batch]`. */
  indices: tf.Tensor1D;
  /** One-hot of `indices`, float32 `[batch, K]`. */
  oneHot: tf.Tensor2D;
  /** The chosen codebook rows `[batch, D]` (differentiable with respect to the codebook). */
  zQ: tf.Tensor2D;
}

/** Index of the codebook row nearest (squared Euclidean distance) to each row of `z`: int32 `[batch]`. */
function nearestCode(z: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor1D {
  const zz = tf.sum(tf.square(z), 1, true);
  const cc = tf.sum(tf.square(codebook), 1);
  const distances = tf.add(tf.sub(zz, tf.mul(2, tf.matMul(z, codebook, false, true))), cc);
  return tf.argMin<tf.Tensor1D>(distances, 1);
}

/** Quantises `zE` to its nearest codebook rows; z_q = onehot(k) C, so the codebook gets gradients by a matmul. */
function quantize(zE: tf.Tensor2D, codebook: tf.Tensor2D): Quantized {
  const k = codebook.shape[0];
  const indices = nearestCode(stopGradient(zE), stopGradient(codebook));
  const oneHot = tf.cast(tf.oneHot(indices, k), 'float32') as tf.Tensor2D;
  return { indices, oneHot, zQ: tf.matMul(oneHot, codebook) };
}

/**
 * Code-usage statistics of a batch from its (gradient-free) one-hot assignments: perplexity exp(H(p)) and the fraction
 * of codes used, sum_k sign(count_k) / K, with p_k = count_k / batch. Only ops with a registered gradient are used (no
 * `greater`), so differentiating a part yields zeros instead of an error.
 */
function codeUsage(oneHot: tf.Tensor2D): { perplexity: tf.Scalar; usage: tf.Scalar } {
  const counts = tf.sum(stopGradient(oneHot), 0);
  const p = tf.div(counts, oneHot.shape[0]);
  const entropy = tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-10)))));
  const perplexity = tf.exp(entropy) as tf.Scalar;
  const usage = tf.div<tf.Scalar>(tf.sum(tf.sign(counts)), oneHot.shape[1]);
  return { perplexity, usage };
}

/** Builds a VQ-VAE from its config (`codebookSize` K, `commitmentCost` beta_c; `latentDim` is the code width D). */
export function createVqVae(config: ModelConfig): Autoencoder {
  const k = Math.round(orDefault(config.codebookSize, DEFAULT_CODEBOOK_SIZE));
  if (!Number.isInteger(k) || k < 1) throw new Error(`codebookSize must be a positive integer, got ${config.codebookSize}`);
  const beta = orDefault(config.commitmentCost, DEFAULT_COMMITMENT);
  if (!(beta >= 0)) throw new Error(`commitmentCost must be >= 0, got ${config.commitmentCost}`);
  const mlp = buildMlp(config);
  const init = tf.randomUniform([k, config.latentDim], -1 / k, 1 / k, 'float32', deriveSeed(config.seed, CODEBOOK_STREAM));
  const codebook = tf.variable(init, true, `${mlp.store.scope}/codebook`) as tf.Variable<tf.Rank.R2>;
  init.dispose();
  mlp.store.variables.push(codebook);

  return {
    config,
    variables: mlp.store.variables,
    encode: (x) => tf.tidy(() => quantize(mlp.encode(x), codebook).zQ),
    decode: (z) => tf.tidy(() => mlp.decode(z)),
    codeIndices: (x) => tf.tidy(() => nearestCode(mlp.encode(x), codebook)),
    loss: (x) => {
      const zE = mlp.encode(x);
      const { oneHot, zQ } = quantize(zE, codebook);
      const zQst = tf.add<tf.Tensor2D>(zE, stopGradient(tf.sub(zQ, zE)));
      const reconstruction = meanSquaredError(x, mlp.decode(zQst));
      const codebookLoss = tf.mean<tf.Scalar>(tf.squaredDifference(stopGradient(zE), zQ));
      const commitment = tf.mean<tf.Scalar>(tf.squaredDifference(zE, stopGradient(zQ)));
      const total = tf.addN([reconstruction, codebookLoss, tf.mul(beta, commitment)]) as tf.Scalar;
      return { total, parts: { reconstruction, codebook: codebookLoss, commitment, ...codeUsage(oneHot) } };
    },
    dispose: () => mlp.store.dispose(),
  };
}
