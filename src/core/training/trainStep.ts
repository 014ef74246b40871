/**
 * One optimiser step on a mini-batch, as the training loop (train.ts) and bench/train.ts run it: through tfjs
 * (`optimizer.minimize` on the loss), or, for a model that is a plain chain of dense layers on the mean squared
 * error (`Autoencoder.denseChain`) trained over all its variables on the wasm backend with the kernel fixes, as one
 * fused step on the heap (src/core/kernels/denseChainStep.ts): the same loss, gradients and Adam update without
 * per-op tfjs dispatch, matching the tfjs step (the tests check a few steps against it).
 */
import { tf } from '../tf';
import type { Autoencoder, LossParts } from '../models/types';
import { DenseChainTrainer, denseChainUnsupported } from '../kernels/denseChainStep';
import { MSE_LOSS_PART } from '../models/layers';

/** A batch loss: the model's own, or one pretraining stage's. */
export type LossFn = (x: tf.Tensor2D, seed: number, condition?: tf.Tensor2D) => LossParts;

/** Copies rows `idx[from..to)` of a row-major matrix into a new `[to - from, dim]` tensor. */
export function gatherRows(x: Float32Array, dim: number, idx: Int32Array, from: number, to: number): tf.Tensor2D {
  const out = new Float32Array((to - from) * dim);
  for (let r = from; r < to; r++) out.set(x.subarray(idx[r] * dim, idx[r] * dim + dim), (r - from) * dim);
  return tf.tensor2d(out, [to - from, dim]);
}

/** Rows `idx[from..to)` of the row-major features `x` (`dim` wide), with the matching condition rows (CVAE). */
export interface Batch {
  x: Float32Array;
  dim: number;
  idx: Int32Array;
  from: number;
  to: number;
  condition?: Float32Array;
  condDim?: number;
}

export interface TrainStep {
  /** Whether steps run fused (off tfjs). */
  readonly fused: boolean;
  /**
   * One step on `batch`; returns the loss before the step and its parts (`values[0]` total, then one per name).
   * `next`, where known, is the batch of the next call (a fused step copies it in alongside its last job).
   */
  run(batch: Batch, seed: number, next?: Batch): { values: ArrayLike<number>; names: string[] };
  /** Frees what the step holds (not the optimizer, which the caller owns). */
  dispose(): void;
}

/** What a step trains: `loss` minimised over `variables` by `optimizer` (an Adam). */
export interface StepSpec {
  model: Autoencoder;
  variables: tf.Variable[];
  loss: LossFn;
  optimizer: tf.AdamOptimizer;
  /** Most rows a batch will have. */
  maxRows: number;
}

/** The tfjs step: `optimizer.minimize` on the loss, the parts kept and read with the total in one read. */
function tfjsStep(spec: StepSpec): TrainStep {
  return {
    fused: false,
    run(batch: Batch, seed: number) {
      let names: string[] = [];
      const values = tf.tidy(() => {
        const xb = gatherRows(batch.x, batch.dim, batch.idx, batch.from, batch.to);
        const cb = batch.condition ? gatherRows(batch.condition, batch.condDim ?? 0, batch.idx, batch.from, batch.to) : undefined;
        let kept: tf.Scalar[] = [];
        const cost = spec.optimizer.minimize(() => {
          const lp = spec.loss(xb, seed, cb);
          names = Object.keys(lp.parts);
          // Parts are created inside minimize's own tidy scope; keep them so they survive to be read.
          kept = names.map((k) => tf.keep(lp.parts[k]));
          return lp.total;
        }, true, spec.variables) as tf.Scalar;
        const stacked = tf.stack([cost, ...kept]);
        kept.forEach((t) => t.dispose());
        return stacked;
      });
      const v = values.dataSync();
      values.dispose();
      return { values: v, names };
    },
    dispose() {},
  };
}

/**
 * The step for `spec`: fused where the model has a `denseChain`, the step trains all its variables on its own loss
 * (`spec.loss` is the model's) and the backend runs the kernels the chain needs; tfjs otherwise. `modelLoss` says
 * whether `spec.loss` is the model's own loss (the caller knows; a pretraining stage's is not).
 */
export function createTrainStep(spec: StepSpec, modelLoss: boolean): TrainStep {
  const chain = spec.model.denseChain;
  const all = spec.variables.length === spec.model.variables.length && spec.variables.every((v, i) => v === spec.model.variables[i]);
  if (!modelLoss || chain === undefined || !all || chain.length * 2 !== spec.variables.length || denseChainUnsupported(chain) !== undefined) return tfjsStep(spec);
  const { learningRate, beta1, beta2, epsilon } = spec.optimizer.getConfig() as { learningRate: number; beta1: number; beta2: number; epsilon: number };
  const trainer = new DenseChainTrainer(chain, { learningRate, beta1, beta2, epsilon }, spec.maxRows);
  return {
    fused: true,
    run(batch: Batch, _seed: number, next?: Batch) {
      const ahead = next !== undefined && next.x === batch.x && next.idx === batch.idx ? next : undefined;
      const loss = trainer.step(batch.x, batch.dim, batch.idx, batch.from, batch.to, ahead);
      return { values: [loss, loss], names: [MSE_LOSS_PART] };
    },
    dispose: () => trainer.dispose(),
  };
}
