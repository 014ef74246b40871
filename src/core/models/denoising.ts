/**
 * Denoising autoencoder (Vincent et al. 2008): the dense architecture, trained to reconstruct the clean input x from
 * a corrupted copy x~. Corruption happens in `loss` only (never in encode/decode), seeded by the batch seed:
 * - gaussian: x~ = x + N(0, level^2)
 * - masking:  x~ = x * m, m_i ~ Bernoulli(1 - level) (each feature dropped to 0 with probability `level`).
 */
import { tf } from '../tf';
import type { Autoencoder, ModelConfig } from './types';
import { createMlpAutoencoder } from './dense';
import { meanSquaredError } from './layers';

export const DEFAULT_NOISE: { type: 'gaussian' | 'masking'; level: number } = { type: 'gaussian', level: 0.2 };

/** Returns a corrupted copy of `x` (see module doc). */
export function corrupt(x: tf.Tensor2D, noise: { type: 'gaussian' | 'masking'; level: number }, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    if (noise.type === 'gaussian') return tf.add(x, tf.randomNormal(x.shape, 0, noise.level, 'float32', seed));
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), noise.level), 'float32');
    return tf.mul(x, keep);
  });
}

export function createDenoisingAutoencoder(config: ModelConfig): Autoencoder {
  const noise = config.noise ?? DEFAULT_NOISE;
  return createMlpAutoencoder(config, (x, seed, mlp) => {
    const reconstruction = meanSquaredError(x, mlp.decode(mlp.encode(corrupt(x, noise, seed))));
    return { total: reconstruction, parts: { reconstruction } };
  });
}
