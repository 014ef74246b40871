/**
 * Conditional variational autoencoder (Sohn, Lee & Yan 2015), with beta weighting. Every sample carries a condition
 * c, the one-hot vector of its class (width K = `config.conditionClasses.length`). The encoder sees [x, c] and
 * parameterises q(z|x, c) = N(mu, exp(logVar)); the decoder sees [z, c] and models p(x|z, c). Training samples
 * z = mu + exp(logVar / 2) * eps, eps ~ N(0, I) (seeded per batch) and minimises the negative conditional ELBO
 *
 *   loss = mean_batch[ recon(x, decode(z, c)) ] + beta * mean_batch[ KL(q(z|x, c) || N(0, I)) ]
 *   KL   = -1/2 * sum_j (1 + logVar_j - mu_j^2 - exp(logVar_j))
 *
 * with recon as in the plain VAE (binary cross-entropy summed over features for a sigmoid output, squared error for a
 * linear one). Because the class is given to the decoder, the code z is free to capture what varies *within* a class
 * (style), so decoding one z with different conditions renders the same style as different classes.
 * `encode(x, c)` returns mu (deterministic). Every call needs the condition; a missing one is an Error.
 */
import { MODEL_KIND_TRAITS } from '../../common/modelKinds';
import { tf } from '../tf';
import type { Dataset } from '../data/dataset';
import { DatasetError } from '../data/dataset';
import type { Autoencoder, ModelConfig } from './types';
import { negativeElbo } from './vae';
import { VariableStore, activate, applyDense, applyStack, denseLayer, denseStack, newScope, orDefault, reconstructionSum } from './layers';

/** Sorted distinct labels (numeric-aware, as in the saved dataset schema): the condition classes of a dataset. */
export function conditionClassesOf(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/**
 * One-hot condition matrix, row-major `n x classes.length`: row i has a 1 in the column of `labels[i]`.
 * Throws when there are no labels or a label is not one of `classes`.
 */
export function conditionMatrix(labels: readonly string[] | undefined, classes: readonly string[]): Float32Array {
  if (!labels) throw new Error('a conditional model needs a label for every sample, but the dataset has no labels');
  if (classes.length === 0) throw new Error('a conditional model needs at least one condition class');
  const column = new Map(classes.map((c, j) => [c, j]));
  const k = classes.length;
  const out = new Float32Array(labels.length * k);
  labels.forEach((label, i) => {
    const j = column.get(label);
    if (j === undefined) throw new RangeError(`label "${label}" of sample ${i} is not one of the model's condition classes (${classes.join(', ')})`);
    out[i * k + j] = 1;
  });
  return out;
}

/** `count` copies of the one-hot row of class `classIndex`: row-major `count x classes`. */
export function repeatedCondition(classIndex: number, classes: number, count: number): Float32Array {
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) throw new RangeError(`condition class index ${classIndex} out of range 0..${classes - 1}`);
  const out = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) out[i * classes + classIndex] = 1;
  return out;
}

/** The class of `classes` that occurs most often in `labels` (ties: the earlier class); `classes[0]` without labels. */
export function mostFrequentClass(labels: readonly string[] | undefined, classes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels ?? []) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = classes[0];
  let bestCount = -1;
  for (const c of classes) {
    const n = counts.get(c) ?? 0;
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return best;
}

/** True when the model's calls need a per-sample condition (a CVAE). */
export function isConditional(config: ModelConfig): boolean {
  return MODEL_KIND_TRAITS[config.kind].conditional;
}

export function createCvae(config: ModelConfig): Autoencoder {
  const classes = config.conditionClasses;
  if (!classes || classes.length === 0) throw new Error('a cvae model needs conditionClasses (the class names of its one-hot condition)');
  const k = classes.length;
  const beta = orDefault(config.beta, 1);
  const store = new VariableStore(newScope(config.kind), config.seed);
  const widths = [config.inputDim + k, ...config.hidden];
  const encoder = denseStack(store, 'enc', widths);
  const last = widths[widths.length - 1];
  const meanLayer = denseLayer(store, 'enc/mean', last, config.latentDim);
  const logVarLayer = denseLayer(store, 'enc/logVar', last, config.latentDim);
  const rev = [config.latentDim + k, ...[...config.hidden].reverse(), config.inputDim];
  const decoder = denseStack(store, 'dec', rev);

  const check = (condition: tf.Tensor2D | undefined, rows: number, call: string): tf.Tensor2D => {
    if (!condition) throw new Error(`cvae ${call} needs a condition: a [batch, ${k}] one-hot matrix over the classes ${classes.join(', ')}`);
    if (condition.rank !== 2 || condition.shape[0] !== rows || condition.shape[1] !== k) {
      throw new Error(`cvae ${call}: condition has shape [${condition.shape.join(', ')}], expected [${rows}, ${k}]`);
    }
    return condition;
  };
  /** Last hidden layer of the encoder on [x, c]. */
  const hiddenOf = (x: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D => {
    const xc = tf.concat([x, c], 1);
    return encoder.length > 0 ? applyStack(encoder, xc, config.activation, config.activation) : xc;
  };
  /** Decoder pre-activation (logits for a sigmoid output) on [z, c]. */
  const decodeLogits = (z: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D => applyStack(decoder, tf.concat([z, c], 1), config.activation, 'linear');

  return {
    config,
    variables: store.variables,
    encode: (x, condition) => {
      const c = check(condition, x.shape[0], 'encode');
      return tf.tidy(() => applyDense(meanLayer, hiddenOf(x, c), 'linear'));
    },
    decode: (z, condition) => {
      const c = check(condition, z.shape[0], 'decode');
      return tf.tidy(() => activate(decodeLogits(z, c), config.outputActivation));
    },
    loss: (x, seed, condition) => {
      const c = check(condition, x.shape[0], 'loss');
      const h = hiddenOf(x, c);
      const mu = applyDense(meanLayer, h, 'linear');
      const logVar = applyDense(logVarLayer, h, 'linear');
      const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
      const z = tf.add<tf.Tensor2D>(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
      const reconstruction = tf.mean<tf.Scalar>(reconstructionSum(x, decodeLogits(z, c), config.outputActivation));
      const klPerSample = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mu), tf.exp(logVar))), 1));
      const kl = tf.mean<tf.Scalar>(klPerSample);
      return { total: tf.add<tf.Scalar>(reconstruction, tf.mul(beta, kl)), parts: { reconstruction, kl } };
    },
    negativeElbo: (x, samples, seed, condition) => {
      const c = check(condition, x.shape[0], 'negativeElbo');
      return tf.tidy(() => {
        const h = hiddenOf(x, c);
        const logits = (z: tf.Tensor2D): tf.Tensor2D => decodeLogits(z, c);
        return negativeElbo(x, applyDense(meanLayer, h, 'linear'), applyDense(logVarLayer, h, 'linear'), logits, config.outputActivation, samples, seed);
      });
    },
    dispose: () => store.dispose(),
  };
}

/** The per-sample one-hot condition of a conditional model (`n x classes`), undefined for every other model. */
export function datasetCondition(dataset: Dataset, config: ModelConfig): Float32Array | undefined {
  if (!isConditional(config)) return undefined;
  if (!dataset.labels) throw new DatasetError(`a ${config.kind} model needs a label column as its condition (the label step of the training form; CLI: --label NAME)`, dataset.source);
  try {
    return conditionMatrix(dataset.labels, config.conditionClasses ?? []);
  } catch (e) {
    throw new DatasetError(e instanceof Error ? e.message : String(e), dataset.source);
  }
}
