/**
 * Variational autoencoder (Kingma & Welling 2014), with beta weighting (Higgins et al. 2017).
 * The encoder maps x to the parameters of a diagonal Gaussian q(z|x) = N(mu, exp(logVar)); training samples
 * z = mu + exp(logVar / 2) * eps, eps ~ N(0, I) (the reparameterisation trick, seeded per batch) and minimises
 *
 *   loss = mean_batch[ recon(x, decode(z)) ] + beta * mean_batch[ KL(q(z|x) || N(0, I)) ]
 *   KL   = -1/2 * sum_j (1 + logVar_j - mu_j^2 - exp(logVar_j))
 *
 * where recon sums binary cross-entropy over features for a sigmoid output, or squared error for a linear one.
 * `encode` returns mu (deterministic).
 */
import { tf } from '../tf';
import type { Autoencoder, ModelConfig } from './types';
import { deriveSeed } from '../../common/random';
import { VariableStore, activate, applyDense, applyStack, denseLayer, denseStack, newScope, orDefault, reconstructionSum } from './layers';

/**
 * Per-sample negative ELBO of a diagonal-Gaussian encoder: mean over `samples` draws z = mu + exp(logVar / 2) eps of
 * recon(x, decode(z)), plus KL(N(mu, exp(logVar)) || N(0, I)) in closed form. `[batch]`.
 */
export function negativeElbo(
  x: tf.Tensor2D,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  decodeLogits: (z: tf.Tensor2D) => tf.Tensor2D,
  output: 'sigmoid' | 'linear',
  samples: number,
  seed: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const std = tf.exp(tf.mul(logVar, 0.5));
    const draws = Math.max(1, Math.floor(samples));
    let recon: tf.Tensor1D = tf.zeros([x.shape[0]]);
    for (let s = 0; s < draws; s++) {
      const z = tf.add<tf.Tensor2D>(mu, tf.mul(std, tf.randomNormal(mu.shape, 0, 1, 'float32', deriveSeed(seed, s))));
      recon = tf.add(recon, reconstructionSum(x, decodeLogits(z), output));
    }
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mu), tf.exp(logVar))), 1));
    return tf.add<tf.Tensor1D>(tf.div(recon, draws), kl);
  });
}

export function createVae(config: ModelConfig): Autoencoder {
  const beta = orDefault(config.beta, 1);
  const store = new VariableStore(newScope(config.kind), config.seed);
  const widths = [config.inputDim, ...config.hidden];
  const encoder = denseStack(store, 'enc', widths);
  const last = widths[widths.length - 1];
  const meanLayer = denseLayer(store, 'enc/mean', last, config.latentDim);
  const logVarLayer = denseLayer(store, 'enc/logVar', last, config.latentDim);
  const rev = [config.latentDim, ...[...config.hidden].reverse(), config.inputDim];
  const decoder = denseStack(store, 'dec', rev);

  const hiddenOf = (x: tf.Tensor2D): tf.Tensor2D => (encoder.length > 0 ? applyStack(encoder, x, config.activation, config.activation) : x);
  /** Decoder pre-activation (logits for a sigmoid output). */
  const decodeLogits = (z: tf.Tensor2D): tf.Tensor2D => applyStack(decoder, z, config.activation, 'linear');

  return {
    config,
    variables: store.variables,
    encode: (x) => tf.tidy(() => applyDense(meanLayer, hiddenOf(x), 'linear')),
    decode: (z) => tf.tidy(() => activate(decodeLogits(z), config.outputActivation)),
    loss: (x, seed) => {
      const h = hiddenOf(x);
      const mu = applyDense(meanLayer, h, 'linear');
      const logVar = applyDense(logVarLayer, h, 'linear');
      const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
      const z = tf.add<tf.Tensor2D>(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
      const reconstruction = tf.mean<tf.Scalar>(reconstructionSum(x, decodeLogits(z), config.outputActivation));
      const klPerSample = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mu), tf.exp(logVar))), 1));
      const kl = tf.mean<tf.Scalar>(klPerSample);
      return { total: tf.add<tf.Scalar>(reconstruction, tf.mul(beta, kl)), parts: { reconstruction, kl } };
    },
    negativeElbo: (x, samples, seed) =>
      tf.tidy(() => {
        const h = hiddenOf(x);
        return negativeElbo(x, applyDense(meanLayer, h, 'linear'), applyDense(logVarLayer, h, 'linear'), decodeLogits, config.outputActivation, samples, seed);
      }),
    dispose: () => store.dispose(),
  };
}
