/**
 * Undercomplete dense autoencoder: an MLP encoder `inputDim -> hidden... -> latentDim` (linear code) and a mirrored
 * decoder `latentDim -> ...hidden reversed -> inputDim` ending in `outputActivation`. Trained to minimise the mean
 * squared reconstruction error. The denoising and sparse variants reuse `createMlpAutoencoder` with a different loss.
 */
import type { tf } from '../tf';
import type { Activation, Autoencoder, DenseChainLayer, LossParts, ModelConfig } from './types';
import type { DenseLayer } from './layers';
import { VariableStore, applyStack, denseStack, encoderWidths, mseAutoencoder, newScope } from './layers';

/** Encoder and decoder layers of an MLP autoencoder, plus its variable store. */
export interface MlpParts {
  store: VariableStore;
  encoder: DenseLayer[];
  decoder: DenseLayer[];
  encode: (x: tf.Tensor2D) => tf.Tensor2D;
  decode: (z: tf.Tensor2D) => tf.Tensor2D;
}

/** Builds the encoder/decoder stacks `enc/<i>` and `dec/<i>` of an MLP autoencoder. */
export function buildMlp(config: ModelConfig): MlpParts {
  const store = new VariableStore(newScope(config.kind), config.seed);
  const widths = encoderWidths(config);
  const encoder = denseStack(store, 'enc', widths);
  const rev = [...widths].reverse();
  const decoder = denseStack(store, 'dec', rev);
  return {
    store,
    encoder,
    decoder,
    encode: (x) => applyStack(encoder, x, config.activation, 'linear'),
    decode: (z) => applyStack(decoder, z, config.activation, config.outputActivation),
  };
}

/**
 * Wraps MLP parts as an `Autoencoder` whose loss is `lossOf(x, seed, parts)` (default: plain MSE reconstruction).
 */
export function createMlpAutoencoder(
  config: ModelConfig,
  lossOf?: (x: tf.Tensor2D, seed: number, mlp: MlpParts) => LossParts,
): Autoencoder {
  const mlp = buildMlp(config);
  const plain = mseAutoencoder(config, mlp.store, mlp.encode, mlp.decode);
  return lossOf ? { ...plain, loss: (x, seed) => lossOf(x, seed, mlp) } : plain;
}

/** The plain undercomplete dense autoencoder; its layers, as applied, are its `denseChain`. */
export function createDenseAutoencoder(config: ModelConfig): Autoencoder {
  const mlp = buildMlp(config);
  const act = (layers: DenseLayer[], last: Activation): DenseChainLayer[] => layers.map((l, i) => ({ ...l, activation: i === layers.length - 1 ? last : config.activation }));
  const denseChain = [...act(mlp.encoder, 'linear'), ...act(mlp.decoder, config.outputActivation)];
  return { ...mseAutoencoder(config, mlp.store, mlp.encode, mlp.decode), denseChain };
}
