/**
 * Stacked autoencoder with greedy layer-wise pretraining (Bengio et al. 2007; Vincent et al. 2010, section 3.5).
 * The architecture is the dense MLP autoencoder, widths d_0 = inputDim, d_1..d_{L-1} = hidden, d_L = latentDim,
 * encoder layers f_i: R^{d_i} -> R^{d_{i+1}} and mirrored decoder layers g_i: R^{d_{i+1}} -> R^{d_i}
 * (`enc/<i>` and `dec/<L-1-i>`, so save/load and the weights are those of a `dense` model of the same shape).
 *
 * Stage i (`pretrain layer i+1`, i = 0..L-1) trains only f_i and g_i as a one-layer autoencoder of the representation
 * h_i = f_{i-1}(...f_0(x)) produced by the already-pretrained layers (constants for this stage, h_0 = x):
 *
 *   loss_i = mean_{batch, features} (h_i - g_i(f_i(h_i)))^2
 *
 * with the activations the layers have in the full model (f_{L-1} linear, g_0 `outputActivation`, the rest
 * `activation`). Afterwards the training loop fine-tunes every variable end to end on the full reconstruction MSE
 * mean((x - g_0(...g_{L-1}(f_{L-1}(...f_0(x)))))^2), the same loss as the dense model.
 */
import type { tf } from '../tf';
import type { Autoencoder, LossParts, ModelConfig, PretrainStage } from './types';
import { applyDense, applyStack, meanSquaredError, mseAutoencoder } from './layers';
import { buildMlp } from './dense';

/** Epochs of pretraining per layer pair when `config.pretrainEpochs` is not set. */
export const DEFAULT_PRETRAIN_EPOCHS = 5;

/** Name of the pretraining stage of encoder layer `i` (0-based): `pretrain layer <i + 1>`. */
export function pretrainStageName(i: number): string {
  return `pretrain layer ${i + 1}`;
}

/** Builds a stacked autoencoder: a dense MLP autoencoder plus one greedy pretraining stage per layer pair. */
export function createStackedAutoencoder(config: ModelConfig): Autoencoder {
  const mlp = buildMlp(config);
  const { encoder, decoder } = mlp;
  const layers = encoder.length;
  const act = config.activation;

  const stage = (i: number): PretrainStage => {
    const enc = encoder[i];
    const dec = decoder[layers - 1 - i];
    const codeActivation = i === layers - 1 ? 'linear' : act;
    const outActivation = i === 0 ? config.outputActivation : act;
    return {
      name: pretrainStageName(i),
      variables: [enc.W, enc.b, dec.W, dec.b],
      loss: (x: tf.Tensor2D): LossParts => {
        // Layers 0..i-1 all are hidden layers, so they all use `activation`.
        const h = i > 0 ? applyStack(encoder.slice(0, i), x, act, act) : x;
        const reconstruction = meanSquaredError(h, applyDense(dec, applyDense(enc, h, codeActivation), outActivation));
        return { total: reconstruction, parts: { reconstruction } };
      },
    };
  };

  const pretrainStages = Array.from({ length: layers }, (_, i) => stage(i));
  return { ...mseAutoencoder(config, mlp.store, mlp.encode, mlp.decode), pretrainStages };
}
