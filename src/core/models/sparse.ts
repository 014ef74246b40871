/**
 * Sparse autoencoder: the dense architecture with an L1 activity penalty on the code,
 * loss = MSE(x, x^) + l1 * mean_batch(sum_j |z_j|), which pushes most code units towards zero for each sample.
 */
import { tf } from '../tf';
import type { Autoencoder, ModelConfig } from './types';
import { createMlpAutoencoder } from './dense';
import { meanSquaredError, orDefault } from './layers';

export const DEFAULT_L1 = 1e-3;

export function createSparseAutoencoder(config: ModelConfig): Autoencoder {
  const weight = orDefault(config.l1, DEFAULT_L1);
  return createMlpAutoencoder(config, (x, _seed, mlp) => {
    const z = mlp.encode(x);
    const reconstruction = meanSquaredError(x, mlp.decode(z));
    const l1 = tf.mul<tf.Scalar>(weight, tf.mean(tf.sum(tf.abs(z), 1)));
    return { total: tf.add<tf.Scalar>(reconstruction, l1), parts: { reconstruction, l1 } };
  });
}
