/**
 * Convolutional autoencoder for images (`sampleShape` `[h, w, c]`). Inputs stay flattened `[batch, h*w*c]` at the
 * interface and are reshaped inside.
 *
 * Encoder: per entry of `convFilters` a 3x3 conv2d with stride 2 ('same' padding, so each block maps a side s to
 * ceil(s / 2)) and `activation`; flatten; optional dense `hidden` layers; a linear dense layer to the code.
 * Decoder: dense (mirror of the hidden layers) to the flattened last feature map, reshape, one 3x3 stride-2
 * conv2dTranspose per block (doubling each side), crop to `[h, w]` when the size was not divisible by 2^blocks
 * (e.g. 28 -> 14 -> 7 -> 14 -> 28 needs no crop; 10 -> 5 -> 3 -> 6 -> 12 is cropped to 10), and a final 3x3 conv to
 * `c` channels with `outputActivation`. Loss: mean squared reconstruction error.
 */
import { tf } from '../tf';
import type { Autoencoder, ModelConfig } from './types';
import { VariableStore, applyStack, biasActivate, denseStack, mseAutoencoder, newScope } from './layers';

export const DEFAULT_CONV_FILTERS = [16, 32];
const KERNEL = 3;

interface ConvLayer {
  W: tf.Variable;
  b: tf.Variable;
  /** Output channels. */
  out: number;
}

/** `[h, w, c]` of an image model's sample shape (`[h, w]` means one channel). */
export function imageShape(config: ModelConfig): [number, number, number] {
  const s = config.sampleShape;
  if ((s.length !== 3 && s.length !== 2) || s.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`conv model needs an image sample shape [height, width, channels], got [${s.join(', ')}]`);
  }
  return [s[0], s[1], s.length === 3 ? s[2] : 1];
}

export function createConvAutoencoder(config: ModelConfig): Autoencoder {
  const [h, w, c] = imageShape(config);
  const filters = config.convFilters && config.convFilters.length > 0 ? config.convFilters : DEFAULT_CONV_FILTERS;
  const store = new VariableStore(newScope(config.kind), config.seed);
  const kk = KERNEL * KERNEL;

  const encConv: ConvLayer[] = [];
  let inC = c;
  let sh = h;
  let sw = w;
  filters.forEach((f, i) => {
    encConv.push({ W: store.glorot(`enc/conv${i}/W`, [KERNEL, KERNEL, inC, f], kk * inC, kk * f), b: store.zeros(`enc/conv${i}/b`, [f]), out: f });
    inC = f;
    sh = Math.ceil(sh / 2);
    sw = Math.ceil(sw / 2);
  });
  const lastC = inC;
  const flat = sh * sw * lastC;
  const widths = [flat, ...config.hidden, config.latentDim];
  const encDense = denseStack(store, 'enc', widths);
  const rev = [...widths].reverse();
  const decDense = denseStack(store, 'dec', rev);
  const outChannels = [...filters].reverse();
  const decConv: ConvLayer[] = [];
  let dc = lastC;
  outChannels.forEach((f, i) => {
    // conv2dTranspose filters are [kh, kw, outChannels, inChannels].
    decConv.push({ W: store.glorot(`dec/deconv${i}/W`, [KERNEL, KERNEL, f, dc], kk * dc, kk * f), b: store.zeros(`dec/deconv${i}/b`, [f]), out: f });
    dc = f;
  });
  const outConv: ConvLayer = { W: store.glorot('dec/out/W', [KERNEL, KERNEL, dc, c], kk * dc, kk * c), b: store.zeros('dec/out/b', [c]), out: c };

  const encode = (x: tf.Tensor2D): tf.Tensor2D => {
    let t = tf.reshape<tf.Rank.R4>(x, [-1, h, w, c]);
    for (const layer of encConv) t = biasActivate(tf.conv2d(t, layer.W as tf.Tensor4D, 2, 'same'), layer.b, config.activation);
    return applyStack(encDense, tf.reshape<tf.Rank.R2>(t, [-1, flat]), config.activation, 'linear');
  };
  const decode = (z: tf.Tensor2D): tf.Tensor2D => {
    const batch = z.shape[0];
    let t = tf.reshape<tf.Rank.R4>(applyStack(decDense, z, config.activation, config.activation), [batch, sh, sw, lastC]);
    for (const layer of decConv) {
      const [, th, tw] = t.shape;
      const up = tf.conv2dTranspose(t, layer.W as tf.Tensor4D, [batch, th * 2, tw * 2, layer.out], 2, 'same');
      t = biasActivate(up, layer.b, config.activation);
    }
    if (t.shape[1] !== h || t.shape[2] !== w) t = tf.slice(t, [0, 0, 0, 0], [batch, h, w, t.shape[3]]);
    const out = biasActivate(tf.conv2d(t, outConv.W as tf.Tensor4D, 1, 'same'), outConv.b, config.outputActivation);
    return tf.reshape<tf.Rank.R2>(out, [batch, h * w * c]);
  };
  return mseAutoencoder(config, store, encode, decode);
}
