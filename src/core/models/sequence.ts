/**
 * Sequence (time-series) autoencoder for windows of `steps` time steps x `channels` values (`sampleShape`
 * `[steps, channels]`, flattened step-major `[t0 c0, t0 c1, ..., t1 c0, ...]`). Inputs stay flattened
 * `[batch, steps*channels]` at the interface and are reshaped to `[batch, steps, channels]` inside.
 *
 * Encoder: per entry of `convFilters` a 1D convolution of kernel width 5 with stride 2 ('same' padding, so each block
 * halves the length: L -> L / 2) and `activation`; flatten the `[L / 2^k, lastFilters]` map; optional dense `hidden`
 * layers; a linear dense layer to the code.
 * Decoder: dense (mirror of the hidden layers) to the flattened last feature map, reshape, one stride-2 transposed 1D
 * convolution per block (doubling the length; computed as a conv2dTranspose of kernel `[1, 5]` and strides `[1, 2]`
 * on a `[batch, 1, L, C]` view), and a final width-5 convolution to `channels` with `outputActivation` (`linear` for
 * standardised series). Because every block exactly halves or doubles the length, `steps` must be a multiple of
 * 2^k for k conv blocks. Loss: mean squared reconstruction error, mean over batch, steps and channels of
 * (x - decode(encode(x)))^2, so per-window `reconstructionErrors` rank anomalous windows.
 */
import { tf } from '../tf';
import type { Autoencoder, ModelConfig } from './types';
import { VariableStore, activate, applyStack, denseStack, mseAutoencoder, newScope } from './layers';

export const DEFAULT_SEQUENCE_FILTERS = [16, 32];
export const DEFAULT_SEQUENCE_LATENT = 8;
/** Kernel width of every 1D convolution. */
const KERNEL = 5;

interface Conv1dLayer {
  W: tf.Variable;
  b: tf.Variable;
  /** Output channels. */
  out: number;
}

/** `[steps, channels]` of a sequence model's sample shape (`[steps]` means one channel). */
export function sequenceShape(config: ModelConfig): [number, number] {
  const s = config.sampleShape;
  if ((s.length !== 2 && s.length !== 1) || s.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`sequence model needs a window sample shape [steps, channels], got [${s.join(', ')}]`);
  }
  return [s[0], s.length === 2 ? s[1] : 1];
}

/** Filters per conv block for a sequence config (the defaults when none are given). */
function sequenceFilters(config: ModelConfig): number[] {
  const filters = config.convFilters && config.convFilters.length > 0 ? config.convFilters : DEFAULT_SEQUENCE_FILTERS;
  if (filters.some((f) => !Number.isInteger(f) || f < 1)) throw new Error(`convFilters must be positive integers, got [${filters.join(', ')}]`);
  return filters;
}

/**
 * Builds a seeded 1D-convolutional sequence autoencoder. Throws when the sample shape is not `[steps, channels]` or
 * when `steps` is not a multiple of 2^(number of conv blocks).
 */
export function createSequenceAutoencoder(config: ModelConfig): Autoencoder {
  const [steps, channels] = sequenceShape(config);
  const filters = sequenceFilters(config);
  const multiple = 2 ** filters.length;
  if (steps % multiple !== 0) {
    throw new Error(
      `sequence model with ${filters.length} conv layer${filters.length === 1 ? '' : 's'} needs a window length that is a multiple of ${multiple}, got ${steps}`,
    );
  }
  const store = new VariableStore(newScope(config.kind), config.seed);

  const encConv: Conv1dLayer[] = [];
  let inC = channels;
  filters.forEach((f, i) => {
    // conv1d filters are [width, inChannels, outChannels].
    encConv.push({ W: store.glorot(`enc/conv${i}/W`, [KERNEL, inC, f], KERNEL * inC, KERNEL * f), b: store.zeros(`enc/conv${i}/b`, [f]), out: f });
    inC = f;
  });
  const lastC = inC;
  const shortSteps = steps / multiple;
  const flat = shortSteps * lastC;
  const widths = [flat, ...config.hidden, config.latentDim];
  const encDense = denseStack(store, 'enc', widths);
  const rev = [...widths].reverse();
  const decDense = denseStack(store, 'dec', rev);
  const decConv: Conv1dLayer[] = [];
  let dc = lastC;
  [...filters].reverse().forEach((f, i) => {
    // conv2dTranspose filters are [kh, kw, outChannels, inChannels]; kh = 1 makes it a 1D transposed convolution.
    decConv.push({ W: store.glorot(`dec/deconv${i}/W`, [1, KERNEL, f, dc], KERNEL * dc, KERNEL * f), b: store.zeros(`dec/deconv${i}/b`, [f]), out: f });
    dc = f;
  });
  const outConv: Conv1dLayer = { W: store.glorot('dec/out/W', [KERNEL, dc, channels], KERNEL * dc, KERNEL * channels), b: store.zeros('dec/out/b', [channels]), out: channels };

  const encode = (x: tf.Tensor2D): tf.Tensor2D => {
    let t = tf.reshape<tf.Rank.R3>(x, [-1, steps, channels]);
    for (const layer of encConv) t = activate(tf.add<tf.Tensor3D>(tf.conv1d(t, layer.W as tf.Tensor3D, 2, 'same'), layer.b), config.activation);
    return applyStack(encDense, tf.reshape<tf.Rank.R2>(t, [-1, flat]), config.activation, 'linear');
  };
  const decode = (z: tf.Tensor2D): tf.Tensor2D => {
    const batch = z.shape[0];
    let t = tf.reshape<tf.Rank.R4>(applyStack(decDense, z, config.activation, config.activation), [batch, 1, shortSteps, lastC]);
    for (const layer of decConv) {
      const len = t.shape[2];
      const up = tf.conv2dTranspose(t, layer.W as tf.Tensor4D, [batch, 1, len * 2, layer.out], [1, 2], 'same');
      t = activate(tf.add<tf.Tensor4D>(up, layer.b), config.activation);
    }
    const seq = tf.reshape<tf.Rank.R3>(t, [batch, steps, t.shape[3]]);
    const out = activate(tf.add<tf.Tensor3D>(tf.conv1d(seq, outConv.W as tf.Tensor3D, 1, 'same'), outConv.b), config.outputActivation);
    return tf.reshape<tf.Rank.R2>(out, [batch, steps * channels]);
  };
  return mseAutoencoder(config, store, encode, decode);
}
