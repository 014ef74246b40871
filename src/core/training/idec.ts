/**
 * Cluster-friendly fine-tuning of a trained autoencoder: IDEC (Guo et al. 2017, "Improved Deep Embedded Clustering
 * with Local Structure Preservation"), DEC (Xie, Girshick & Farhadi 2016) plus the reconstruction loss.
 *
 * Cluster centres mu_j start at k-means of the codes z_i. Soft assignments are Student's t kernels
 *
 *     q_ij = (1 + ||z_i - mu_j||^2)^-1 / sum_j' (1 + ||z_i - mu_j'||^2)^-1
 *
 * and the target distribution sharpens them, weighting each cluster by its soft frequency f_j = sum_i q_ij:
 *
 *     p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j')
 *
 * The encoder, decoder and centres are trained on `L = L_rec + gamma KL(P || Q)` (gamma 0.1 as in the paper), with P
 * recomputed from the whole dataset at the start of every epoch (the paper's update interval) and held fixed within
 * it. Keeping L_rec stops the codes from collapsing onto the centres (DEC's distortion of local structure).
 */
import { tf } from '../tf';
import type { Autoencoder } from '../models/types';
import { deriveSeed, shuffledIndices } from '../../common/random';
import { encode } from '../inference';
import { kmeans } from '../analysis/kmeans';
import { yieldToEventLoop } from '../analysis/abort';
import { createAdam } from './fusedAdam';

export interface IdecOptions {
  k: number;
  epochs: number;
  /** Weight of the clustering loss. Default 0.1. */
  gamma?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, loss: { reconstruction: number; kl: number }) => void;
}

export interface IdecResult {
  /** `k x latentDim` final centres. */
  centers: Float32Array;
  /** Most probable cluster (argmax q) per sample after fine-tuning. */
  assignments: Int32Array;
}

/** Student's t soft assignments `q` (`[n, k]`) of codes `z` to centres `mu`. */
export function softAssign(z: tf.Tensor2D, mu: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const d2 = tf.sum(tf.square(tf.sub(tf.expandDims(z, 1), tf.expandDims(mu, 0))), 2);
    const kernel = tf.reciprocal(tf.add(d2, 1));
    return tf.div<tf.Tensor2D>(kernel, tf.sum(kernel, 1, true));
  });
}

/** The sharpened target distribution `p` of `q` (see the module comment). */
export function targetDistribution(q: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const weight = tf.div(tf.square(q), tf.sum(q, 0, true));
    return tf.div<tf.Tensor2D>(weight, tf.sum(weight, 1, true));
  });
}

/**
 * Fine-tunes `model` in place with IDEC on the `n x inputDim` (normalised) rows `x`. Never leaks tensors; the
 * optimizer and centres are disposed at the end. Same seed, same result.
 */
export async function idecFineTune(model: Autoencoder, x: Float32Array, n: number, opts: IdecOptions): Promise<IdecResult> {
  const { k, epochs } = opts;
  const gamma = opts.gamma ?? 0.1;
  const batchSize = opts.batchSize ?? 256;
  const seed = opts.seed ?? 0;
  const dim = model.config.inputDim;
  const latentDim = model.config.latentDim;
  if (!Number.isInteger(k) || k < 2 || k > n) throw new RangeError(`k must be in 2..${n}, got ${k}`);
  const codes = encode(model, x, n);
  const init = kmeans(codes, n, latentDim, { k, seed, nInit: 4 });
  const mu = tf.tidy(() => tf.variable(tf.tensor2d(init.centroids, [k, latentDim]), true));
  const optimizer = createAdam(opts.learningRate ?? 1e-3);
  const variables = [...model.variables, mu];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (opts.signal?.aborted) break;
      // Target distribution from the whole dataset, fixed for this epoch.
      const z = tf.tensor2d(encode(model, x, n), [n, latentDim]);
      const p = tf.tidy(() => targetDistribution(softAssign(z, mu)));
      z.dispose();
      const order = shuffledIndices(n, deriveSeed(seed, epoch));
      let recSum = 0;
      let klSum = 0;
      for (let from = 0; from < n; from += batchSize) {
        const to = Math.min(n, from + batchSize);
        const rows = order.slice(from, to);
        const xb = new Float32Array(rows.length * dim);
        rows.forEach((r, i) => xb.set(x.subarray(r * dim, r * dim + dim), i * dim));
        const parts = tf.tidy(() => {
          const xt = tf.tensor2d(xb, [rows.length, dim]);
          const pb = tf.gather(p, tf.tensor1d(rows, 'int32'));
          let kept: tf.Scalar[] = [];
          optimizer.minimize(() => {
            const zb = model.encode(xt);
            const rec = tf.mean<tf.Scalar>(tf.square(tf.sub(model.decode(zb), xt)));
            const q = softAssign(zb, mu);
            const kl = tf.div<tf.Scalar>(tf.sum(tf.mul(pb, tf.log(tf.div(tf.add(pb, 1e-12), tf.add(q, 1e-12))))), rows.length);
            kept = [tf.keep(rec), tf.keep(kl)];
            return tf.add<tf.Scalar>(rec, tf.mul(kl, gamma));
          }, false, variables);
          const s = tf.stack(kept);
          kept.forEach((t) => t.dispose());
          return s;
        });
        const v = parts.dataSync();
        parts.dispose();
        recSum += v[0] * rows.length;
        klSum += v[1] * rows.length;
      }
      p.dispose();
      opts.onEpoch?.(epoch + 1, { reconstruction: recSum / n, kl: klSum / n });
      await yieldToEventLoop();
    }
    const z = tf.tensor2d(encode(model, x, n), [n, latentDim]);
    const assignments = tf.tidy(() => tf.argMax(softAssign(z, mu), 1).dataSync());
    z.dispose();
    return { centers: Float32Array.from(mu.dataSync()), assignments: Int32Array.from(assignments) };
  } finally {
    optimizer.dispose();
    mu.dispose();
  }
}
