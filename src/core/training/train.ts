/**
 * The training loop shared by the CLI, the worker and tests: Adam on mini-batches of a normalised `n x inputDim`
 * matrix, a seeded validation split taken once before training, a seeded shuffle per epoch, early stopping on the
 * validation loss (restoring the best weights) and cooperative cancellation through an AbortSignal.
 */
import { tf } from '../tf';
import { deriveSeed, shuffledIndices } from '../random';
import type { Autoencoder } from '../models/types';
import type { EpochRecord, TrainOptions, TrainProgress, TrainResult } from './types';

/** Seed streams (for `deriveSeed`) of the different random parts of training. */
const STREAM_SPLIT = 1;
const STREAM_SHUFFLE = 2;
const STREAM_BATCH = 3;
const STREAM_VALIDATION = 4;

/** Yield a macrotask every this many batches so a worker can receive messages (cancel) while training. */
const YIELD_EVERY = 4;

export const DEFAULT_TRAIN_OPTIONS: Readonly<Omit<TrainOptions, 'onProgress' | 'signal'>> = {
  epochs: 20,
  batchSize: 64,
  learningRate: 1e-3,
  validationSplit: 0.1,
  patience: 5,
  seed: 42,
};

/** Full training options from a partial set (undefined values are ignored). */
export function defaultTrainOptions(overrides?: Partial<TrainOptions>): TrainOptions {
  const clean = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
  return { ...DEFAULT_TRAIN_OPTIONS, ...clean };
}

/** Row indices of the training and validation sets: a seeded permutation, the last `split` fraction held out. */
export function splitIndices(n: number, validationSplit: number, seed: number): { train: Int32Array; val: Int32Array } {
  const nVal = validationSplit > 0 && n > 1 ? Math.min(n - 1, Math.max(1, Math.round(n * validationSplit))) : 0;
  const perm = shuffledIndices(n, deriveSeed(seed, STREAM_SPLIT));
  return { train: perm.slice(0, n - nVal), val: perm.slice(n - nVal) };
}

/** Copies rows `idx[from..to)` of a row-major matrix into a new `[to - from, dim]` tensor. */
function gatherRows(x: Float32Array, dim: number, idx: Int32Array, from: number, to: number): tf.Tensor2D {
  const out = new Float32Array((to - from) * dim);
  for (let r = from; r < to; r++) out.set(x.subarray(idx[r] * dim, idx[r] * dim + dim), (r - from) * dim);
  return tf.tensor2d(out, [to - from, dim]);
}

function checkInputs(model: Autoencoder, x: Float32Array, n: number, opts: TrainOptions, condition?: Float32Array): number {
  const dim = model.config.inputDim;
  if (!Number.isInteger(n) || n < 1) throw new Error(`need at least one sample to train on, got n = ${n}`);
  if (x.length !== n * dim) throw new Error(`features have ${x.length} values, expected n x inputDim = ${n} x ${dim}`);
  if (!(opts.epochs >= 1) || !(opts.batchSize >= 1) || !(opts.learningRate > 0)) {
    throw new Error(`invalid training options: epochs ${opts.epochs}, batch size ${opts.batchSize}, learning rate ${opts.learningRate}`);
  }
  if (!(opts.validationSplit >= 0 && opts.validationSplit < 1)) throw new Error(`validationSplit must be in [0, 1), got ${opts.validationSplit}`);
  if (condition && condition.length % n !== 0) throw new Error(`condition has ${condition.length} values, not a multiple of n = ${n}`);
  return condition ? condition.length / n : 0;
}

/** Mean total loss over `idx` (in batches), with a fixed seed so that noisy losses are comparable between epochs. */
function evaluate(model: Autoencoder, x: Float32Array, idx: Int32Array, batchSize: number, seed: number, condition?: Float32Array, condDim = 0): number {
  let sum = 0;
  const dim = model.config.inputDim;
  for (let from = 0, b = 0; from < idx.length; from += batchSize, b++) {
    const to = Math.min(idx.length, from + batchSize);
    const value = tf.tidy(() => {
      const xb = gatherRows(x, dim, idx, from, to);
      const cb = condition ? gatherRows(condition, condDim, idx, from, to) : undefined;
      return model.loss(xb, deriveSeed(seed, b), cb).total;
    });
    sum += value.dataSync()[0] * (to - from);
    value.dispose();
  }
  return sum / idx.length;
}

/**
 * Trains `model` in place on `n` rows of normalised features `x` (row-major `n x inputDim`), with optional per-row
 * `condition` vectors (CVAE). Never leaks tensors; the optimizer is disposed at the end.
 */
export async function trainAutoencoder(
  model: Autoencoder,
  x: Float32Array,
  n: number,
  opts: TrainOptions,
  condition?: Float32Array,
): Promise<TrainResult> {
  const condDim = checkInputs(model, x, n, opts, condition);
  const dim = model.config.inputDim;
  const { train, val } = splitIndices(n, opts.validationSplit, opts.seed);
  const batchSize = Math.max(1, Math.min(Math.floor(opts.batchSize), train.length));
  const batches = Math.ceil(train.length / batchSize);
  const optimizer = tf.train.adam(opts.learningRate);
  const history: EpochRecord[] = [];
  let best = Infinity;
  let bestWeights: tf.Tensor[] | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  let cancelled = false;
  let samplesSeen = 0;
  const t0 = performance.now();

  const keepBest = (): void => {
    bestWeights?.forEach((t) => t.dispose());
    bestWeights = model.variables.map((v) => tf.keep(v.clone()));
  };

  try {
    for (let epoch = 1; epoch <= opts.epochs && !cancelled; epoch++) {
      const epochStart = performance.now();
      const order = shuffledIndices(train.length, deriveSeed(deriveSeed(opts.seed, STREAM_SHUFFLE), epoch));
      const idx = new Int32Array(train.length);
      for (let i = 0; i < train.length; i++) idx[i] = train[order[i]];
      let lossSum = 0;
      let seen = 0;
      let partNames: string[] = [];
      let partSums: number[] = [];
      for (let b = 0; b < batches; b++) {
        if (opts.signal?.aborted) {
          cancelled = true;
          break;
        }
        const from = b * batchSize;
        const to = Math.min(train.length, from + batchSize);
        const batchSeed = deriveSeed(deriveSeed(opts.seed, STREAM_BATCH), epoch * 100003 + b);
        const values = tf.tidy(() => {
          const xb = gatherRows(x, dim, idx, from, to);
          const cb = condition ? gatherRows(condition, condDim, idx, from, to) : undefined;
          let kept: tf.Scalar[] = [];
          const cost = optimizer.minimize(() => {
            const lp = model.loss(xb, batchSeed, cb);
            partNames = Object.keys(lp.parts);
            // Parts are created inside minimize's own tidy scope; keep them so they survive to be read.
            kept = partNames.map((k) => tf.keep(lp.parts[k]));
            return lp.total;
          }, true, model.variables) as tf.Scalar;
          const stacked = tf.stack([cost, ...kept]);
          kept.forEach((t) => t.dispose());
          return stacked;
        });
        const v = values.dataSync();
        values.dispose();
        const count = to - from;
        if (!Number.isFinite(v[0])) throw new Error(`training diverged: loss is ${v[0]} at epoch ${epoch}, batch ${b + 1} (try a lower learning rate)`);
        if (partSums.length !== partNames.length) partSums = partNames.map(() => 0);
        lossSum += v[0] * count;
        partNames.forEach((_, i) => (partSums[i] += v[i + 1] * count));
        seen += count;
        samplesSeen += count;
        const elapsed = (performance.now() - t0) / 1000;
        await opts.onProgress?.(progress('batch', epoch, opts.epochs, b + 1, batches, lossSum / seen, partNames, partSums, seen, samplesSeen / Math.max(elapsed, 1e-9)));
        if ((b + 1) % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (cancelled || seen === 0) break;
      const loss = lossSum / seen;
      const parts = Object.fromEntries(partNames.map((k, i) => [k, partSums[i] / seen]));
      const valLoss = val.length > 0 ? evaluate(model, x, val, batchSize, deriveSeed(opts.seed, STREAM_VALIDATION), condition, condDim) : undefined;
      const record: EpochRecord = { epoch, loss, parts, seconds: (performance.now() - epochStart) / 1000 };
      if (valLoss !== undefined) record.valLoss = valLoss;
      history.push(record);
      const elapsed = (performance.now() - t0) / 1000;
      const p = progress('epoch', epoch, opts.epochs, batches, batches, loss, partNames, partSums, seen, samplesSeen / Math.max(elapsed, 1e-9));
      if (valLoss !== undefined) p.valLoss = valLoss;
      await opts.onProgress?.(p);
      if (opts.patience > 0) {
        const monitored = valLoss ?? loss;
        if (monitored < best) {
          best = monitored;
          sinceBest = 0;
          keepBest();
        } else if (++sinceBest >= opts.patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
    if (stoppedEarly && bestWeights) {
      const saved = bestWeights;
      model.variables.forEach((v, i) => v.assign(saved[i]));
    }
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    optimizer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { history, stoppedEarly, cancelled, seconds, samplesPerSec: samplesSeen / Math.max(seconds, 1e-9) };
}

function progress(
  phase: 'batch' | 'epoch',
  epoch: number,
  epochs: number,
  batch: number,
  batches: number,
  loss: number,
  names: string[],
  sums: number[],
  seen: number,
  samplesPerSec: number,
): TrainProgress {
  return { phase, epoch, epochs, batch, batches, loss, parts: Object.fromEntries(names.map((k, i) => [k, sums[i] / seen])), samplesPerSec };
}
