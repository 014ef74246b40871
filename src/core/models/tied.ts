/**
 * Tied-weights autoencoder: the decoder reuses the encoder's weight matrices transposed (W_dec,i = W_enc,i^T) with
 * its own biases, halving the parameter count and acting as a regulariser. Layer `dec/<i>` mirrors `enc/<k-1-i>`.
 */
import { tf } from '../tf';
import type { Autoencoder, ModelConfig } from './types';
import { VariableStore, activate, applyStack, denseStack, encoderWidths, mseAutoencoder, newScope } from './layers';

export function createTiedAutoencoder(config: ModelConfig): Autoencoder {
  const store = new VariableStore(newScope(config.kind), config.seed);
  const widths = encoderWidths(config);
  const encoder = denseStack(store, 'enc', widths);
  const decBias: tf.Variable[] = [];
  for (let i = encoder.length - 1; i >= 0; i--) decBias.push(store.zeros(`dec/${encoder.length - 1 - i}/b`, [widths[i]]));

  const encode = (x: tf.Tensor2D): tf.Tensor2D => applyStack(encoder, x, config.activation, 'linear');
  const decode = (z: tf.Tensor2D): tf.Tensor2D => {
    let h = z;
    for (let j = 0; j < encoder.length; j++) {
      const W = encoder[encoder.length - 1 - j].W as tf.Tensor2D;
      const pre = tf.add<tf.Tensor2D>(tf.matMul(h, W, false, true), decBias[j]);
      h = activate(pre, j === encoder.length - 1 ? config.outputActivation : config.activation);
    }
    return h;
  };
  return mseAutoencoder(config, store, encode, decode);
}
