import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import type { Autoencoder, ModelConfig } from '../../../src/core/models/types';
import { createAdam } from '../../../src/core/training/fusedAdam';
import { createTrainStep } from '../../../src/core/training/trainStep';
import { trainAutoencoder } from '../../../src/core/training/train';
import { computeThreads, setComputeThreads } from '../../../src/core/kernels/computePool';
import { lowRankData } from '../models/synthetic';

/**
 * Tolerance of the fused dense step against the tfjs step, relative to the largest value compared. Where every width
 * is a multiple of 4 both run the same kernels with the same arithmetic, so they agree to float32 rounding (in
 * practice bit for bit: 0 measured); 1e-6 leaves room for a kernel whose split order were to change, and is far below what a
 * wrong gradient or update gives.
 */
const TOLERANCE = 1e-6;
/**
 * With a hidden width that is not a multiple of 4 the fused step computes it zero-padded while tfjs runs those
 * products on XNNPACK, which sums in another order: float32 rounding differences, which Adam's normalised update can
 * turn into differences of a fraction of the learning rate on weights whose gradient is near zero (measured over
 * these 6 steps: at most 3.3e-6).
 */
const PADDED_TOLERANCE = 1e-4;

let threadsBefore = 0;
before(async () => {
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
  threadsBefore = computeThreads();
});
after(() => void setComputeThreads(threadsBefore));

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  }
  return diff / scale;
}

/** `steps` Adam steps on consecutive batches of `rows` rows (the last one shorter where n is not a multiple). */
function runSteps(model: Autoencoder, fused: boolean, x: Float32Array, n: number, rows: number, steps: number, announce: 'none' | 'next' | 'wrong' = 'none'): { losses: number[]; weights: Float32Array[]; wasFused: boolean } {
  const optimizer = createAdam(3e-3);
  const step = createTrainStep({ model, variables: model.variables, loss: (xb, seed) => model.loss(xb, seed), optimizer, maxRows: rows }, fused);
  const idx = Int32Array.from({ length: n }, (_, i) => (i * 7) % n);
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const from = (s * rows) % n;
      const to = Math.min(n, from + rows);
      const dim = model.config.inputDim;
      // The next call's batch, announced (or a batch that will not come, which the step must not use).
      const ahead = announce === 'next' ? ((s + 1) * rows) % n : (s * rows + 5) % n;
      const next = announce === 'none' ? undefined : { x, dim, idx, from: ahead, to: Math.min(n, ahead + rows) };
      losses.push(step.run({ x, dim, idx, from, to }, 11 + s, next).values[0]);
    }
    return { losses, weights: model.variables.map((v) => v.dataSync() as Float32Array), wasFused: step.fused };
  } finally {
    step.dispose();
    optimizer.dispose();
  }
}

/** Label, model, tolerance and batch rows (below 16 the products read B unpacked). */
const configs: [string, ModelConfig, number, number][] = [
  ['relu, sigmoid output', defaultModelConfig('dense', [784], { hidden: [256, 64], latentDim: 32, seed: 4 }), TOLERANCE, 128],
  ['linear output, uneven widths', defaultModelConfig('dense', [20], { hidden: [12], latentDim: 4, outputActivation: 'linear', seed: 6 }), TOLERANCE, 128],
  ['batches of 12 rows', defaultModelConfig('dense', [20], { hidden: [12], latentDim: 4, seed: 6 }), TOLERANCE, 12],
  ['sigmoid hidden', defaultModelConfig('dense', [16], { hidden: [8], latentDim: 4, activation: 'sigmoid', seed: 2 }), TOLERANCE, 128],
  ['default image model: latent 10, padded', defaultModelConfig('dense', [784], { seed: 4 }), PADDED_TOLERANCE, 128],
  ['hidden 10 and latent 6, padded, linear output', defaultModelConfig('dense', [16], { hidden: [10], latentDim: 6, outputActivation: 'linear', seed: 3 }), PADDED_TOLERANCE, 128],
];

for (const [label, config, tolerance, rows] of configs) {
  test(`fused dense step matches the tfjs step (${label})`, () => {
    const n = 300;
    const x = lowRankData(n, config.inputDim, 3, 5);
    const steps = 6; // 300 rows in batches of 128: 128, 128, 44 (a short last batch), then again
    const tensorsBefore = tf.memory().numTensors;
    const idsBefore = tf.engine().backend.numDataIds();
    const a = createModel(config);
    const b = createModel(config);
    const fused = runSteps(a, true, x, n, rows, steps);
    const ref = runSteps(b, false, x, n, rows, steps);
    assert.equal(fused.wasFused, true, 'the dense model steps fused on wasm with the fixes');
    assert.equal(ref.wasFused, false);
    assert.ok(maxRelDiff(fused.losses, ref.losses) <= tolerance, `losses ${fused.losses.join()} vs ${ref.losses.join()}`);
    assert.ok(ref.losses[steps - 1] < ref.losses[0], 'training lowers the loss');
    fused.weights.forEach((w, i) => assert.ok(maxRelDiff(w, ref.weights[i]) <= tolerance, `${a.variables[i].name}: ${maxRelDiff(w, ref.weights[i])}`));
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
    assert.equal(tf.engine().backend.numDataIds(), idsBefore, 'wasm buffers leaked');
  });
}

test('fused dense step: the same weights for 1, 2 and 3 threads', () => {
  const config = defaultModelConfig('dense', [784], { hidden: [256, 64], latentDim: 32, seed: 8 });
  const n = 256;
  const x = lowRankData(n, 784, 4, 9);
  const results = [1, 2, 3].map((threads) => {
    setComputeThreads(threads);
    const model = createModel(config);
    const r = runSteps(model, true, x, n, 128, 4);
    model.dispose();
    return r;
  });
  for (const r of results.slice(1)) {
    assert.deepEqual(r.losses, results[0].losses);
    r.weights.forEach((w, i) => assert.deepEqual(w, results[0].weights[i]));
  }
});

test('trainAutoencoder: fused dense training follows the tfjs path (validation, early stopping, best weights) and frees everything', async () => {
  const config = defaultModelConfig('dense', [24], { hidden: [16], latentDim: 4, seed: 3 });
  const n = 200;
  const x = lowRankData(n, 24, 3, 2);
  const opts = { epochs: 12, batchSize: 32, learningRate: 1e-2, validationSplit: 0.2, patience: 2, minImprovement: 0.2, seed: 7 };
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = tf.engine().backend.numDataIds();
  const fusedModel = createModel(config);
  // The same model without `denseChain`: trained through tfjs.
  const plain = createModel(config);
  const tfjsModel: Autoencoder = { ...plain, denseChain: undefined };
  const fused = await trainAutoencoder(fusedModel, x, n, opts);
  const ref = await trainAutoencoder(tfjsModel, x, n, opts);
  assert.equal(fused.history.length, ref.history.length);
  assert.equal(fused.stoppedEarly, ref.stoppedEarly);
  fused.history.forEach((h, i) => {
    const r = ref.history[i];
    assert.ok(maxRelDiff([h.loss, h.valLoss ?? 0, h.parts.reconstruction], [r.loss, r.valLoss ?? 0, r.parts.reconstruction]) <= TOLERANCE, `epoch ${h.epoch}`);
  });
  fusedModel.variables.forEach((v, i) => assert.ok(maxRelDiff(v.dataSync(), plain.variables[i].dataSync()) <= TOLERANCE, v.name));
  fusedModel.dispose();
  plain.dispose();
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
  assert.equal(tf.engine().backend.numDataIds(), idsBefore, 'wasm buffers leaked');
});

test('createTrainStep: other kinds and pretraining-like losses keep the tfjs step', () => {
  for (const kind of ['denoising', 'sparse', 'tied', 'vae'] as const) {
    const model = createModel(defaultModelConfig(kind, [16], { hidden: [8], latentDim: 4, seed: 1 }));
    const optimizer = createAdam(1e-3);
    const step = createTrainStep({ model, variables: model.variables, loss: (xb, seed) => model.loss(xb, seed), optimizer, maxRows: 8 }, true);
    assert.equal(step.fused, false, kind);
    step.dispose();
    optimizer.dispose();
    model.dispose();
  }
  const dense = createModel(defaultModelConfig('dense', [16], { hidden: [8], latentDim: 4, seed: 1 }));
  const optimizer = createAdam(1e-3);
  const some = createTrainStep({ model: dense, variables: dense.variables.slice(0, 2), loss: (xb, seed) => dense.loss(xb, seed), optimizer, maxRows: 8 }, true);
  assert.equal(some.fused, false, 'a subset of the variables');
  const odd = createModel(defaultModelConfig('dense', [15], { hidden: [8], latentDim: 4, seed: 1 }));
  const oddStep = createTrainStep({ model: odd, variables: odd.variables, loss: (xb, seed) => odd.loss(xb, seed), optimizer, maxRows: 8 }, true);
  assert.equal(oddStep.fused, false, 'an input width that is not a multiple of 4');
  [some, oddStep].forEach((s) => s.dispose());
  optimizer.dispose();
  dense.dispose();
  odd.dispose();
});

test('fused dense step: the padding of a hidden width that is not a multiple of 4 stays out of the variables', () => {
  const config = defaultModelConfig('dense', [16], { hidden: [10], latentDim: 6, seed: 5 });
  const model = createModel(config);
  const shapes = model.variables.map((v) => v.shape.join('x'));
  const r = runSteps(model, true, lowRankData(64, 16, 3, 1), 64, 32, 5);
  assert.equal(r.wasFused, true);
  assert.deepEqual(model.variables.map((v) => v.shape.join('x')), shapes);
  r.weights.forEach((w) => assert.ok(w.every(Number.isFinite)));
  // Every weight moved: the copies are written back after each step.
  const fresh = createModel(config);
  fresh.variables.forEach((v, i) => {
    if (v.rank === 2) assert.ok(maxRelDiff(v.dataSync(), r.weights[i]) > 0, v.name);
  });
  fresh.dispose();
  model.dispose();
});

test('fused dense step: announcing the next batch (or a wrong one) changes nothing', () => {
  const config = defaultModelConfig('dense', [784], { hidden: [64], latentDim: 16, seed: 2 });
  const n = 300;
  const x = lowRankData(n, 784, 3, 4);
  const [plain, next, wrong] = (['none', 'next', 'wrong'] as const).map((announce) => {
    const model = createModel(config);
    const r = runSteps(model, true, x, n, 128, 5, announce);
    model.dispose();
    return r;
  });
  for (const r of [next, wrong]) {
    assert.deepEqual(r.losses, plain.losses);
    r.weights.forEach((w, i) => assert.deepEqual(w, plain.weights[i]));
  }
});
