/**
 * Batched inference over plain Float32Arrays (row-major), so callers never hold tensors: encode rows to codes,
 * decode codes to rows, reconstruct, and per-sample reconstruction error. All values are in normalised units.
 */
import { tf } from './tf';
import type { Autoencoder } from './models/types';

export const DEFAULT_INFERENCE_BATCH = 256;

/** Runs `fn` over `[batch, inDim]` slices of `x` (n rows) and concatenates the `[batch, outDim]` results. */
function mapBatches(
  x: Float32Array,
  n: number,
  inDim: number,
  outDim: number,
  batchSize: number,
  fn: (xb: tf.Tensor2D, from: number, to: number) => tf.Tensor,
): Float32Array {
  if (x.length !== n * inDim) throw new Error(`expected ${n} x ${inDim} = ${n * inDim} values, got ${x.length}`);
  const out = new Float32Array(n * outDim);
  const size = Math.max(1, Math.floor(batchSize));
  for (let from = 0; from < n; from += size) {
    const to = Math.min(n, from + size);
    const result = tf.tidy(() => fn(tf.tensor2d(x.subarray(from * inDim, to * inDim), [to - from, inDim]), from, to));
    out.set(result.dataSync(), from * outDim);
    result.dispose();
  }
  return out;
}

/** Condition rows `[from, to)` of a per-sample condition matrix (CVAE), as a tensor. */
function conditionSlice(condition: Float32Array | undefined, n: number, from: number, to: number): tf.Tensor2D | undefined {
  if (!condition) return undefined;
  const d = condition.length / n;
  return tf.tensor2d(condition.subarray(from * d, to * d), [to - from, d]);
}

/** Codes of `n` rows: `n x latentDim`. */
export function encode(model: Autoencoder, x: Float32Array, n: number, batchSize = DEFAULT_INFERENCE_BATCH, condition?: Float32Array): Float32Array {
  const { inputDim, latentDim } = model.config;
  return mapBatches(x, n, inputDim, latentDim, batchSize, (xb, from, to) => model.encode(xb, conditionSlice(condition, n, from, to)));
}

/** Decoded rows of `count` codes: `count x inputDim`. */
export function decode(model: Autoencoder, z: Float32Array, count: number, batchSize = DEFAULT_INFERENCE_BATCH, condition?: Float32Array): Float32Array {
  const { inputDim, latentDim } = model.config;
  return mapBatches(z, count, latentDim, inputDim, batchSize, (zb, from, to) => model.decode(zb, conditionSlice(condition, count, from, to)));
}

/** decode(encode(x)) for `n` rows: `n x inputDim`. */
export function reconstruct(model: Autoencoder, x: Float32Array, n: number, batchSize = DEFAULT_INFERENCE_BATCH, condition?: Float32Array): Float32Array {
  const { inputDim } = model.config;
  return mapBatches(x, n, inputDim, inputDim, batchSize, (xb, from, to) => {
    const c = conditionSlice(condition, n, from, to);
    return model.decode(model.encode(xb, c), c);
  });
}

/** Per-sample reconstruction error: mean over features of (x - decode(encode(x)))^2, length `n`. */
export function reconstructionErrors(model: Autoencoder, x: Float32Array, n: number, batchSize = DEFAULT_INFERENCE_BATCH, condition?: Float32Array): Float32Array {
  const { inputDim } = model.config;
  return mapBatches(x, n, inputDim, 1, batchSize, (xb, from, to) => {
    const c = conditionSlice(condition, n, from, to);
    return tf.mean(tf.squaredDifference(xb, model.decode(model.encode(xb, c), c)), 1);
  });
}

/** True when the model assigns each row a discrete code (VQ-VAE `codeIndices`). */
export function hasCodeIndices(model: Autoencoder): boolean {
  return typeof model.codeIndices === 'function';
}

/** Index of the codebook entry of each of `n` rows (VQ-VAE), length `n`. Throws for models without a codebook. */
export function codeIndices(model: Autoencoder, x: Float32Array, n: number, batchSize = DEFAULT_INFERENCE_BATCH): Int32Array {
  const { inputDim } = model.config;
  const indexer = model.codeIndices?.bind(model);
  if (!indexer) throw new Error(`a ${model.config.kind} model has no discrete codes`);
  if (x.length !== n * inputDim) throw new Error(`expected ${n} x ${inputDim} = ${n * inputDim} values, got ${x.length}`);
  const out = new Int32Array(n);
  const size = Math.max(1, Math.floor(batchSize));
  for (let from = 0; from < n; from += size) {
    const to = Math.min(n, from + size);
    const result = tf.tidy(() => tf.cast(indexer(tf.tensor2d(x.subarray(from * inputDim, to * inputDim), [to - from, inputDim])), 'int32'));
    out.set(result.dataSync(), from);
    result.dispose();
  }
  return out;
}
