import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { FUSED_ADAM_KERNEL, buildAdamModule } from '../../../src/core/kernels/adam';
import { createAdam, FusedAdamOptimizer } from '../../../src/core/training/fusedAdam';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { lowRankData } from '../models/synthetic';

before(async () => {
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
});

/**
 * Trains a small dense AE (bias sizes 6, 3, 6, 15: the fused kernel's vector part and its scalar tail) for `steps`
 * Adam steps on `backend` with `opt`; returns the final weights, the losses and the kernels of the last step.
 */
async function trainWith(backend: string, makeOpt: () => tf.Optimizer, steps: number, outputActivation?: 'sigmoid' | 'linear'): Promise<{ weights: Float32Array[]; losses: number[]; kernels: string[] }> {
  assert.ok(await tf.setBackend(backend));
  const before = tf.memory().numTensors;
  const model = createModel(defaultModelConfig('dense', [15], { latentDim: 3, hidden: [6], seed: 9, ...(outputActivation ? { outputActivation } : {}) }));
  const x = tf.tensor2d(lowRankData(64, 15, 3, 4), [64, 15]);
  const opt = makeOpt();
  const losses: number[] = [];
  const step = (i: number): void => {
    const loss = tf.tidy(() => opt.minimize(() => model.loss(x, 100 + i).total, true)!);
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  };
  for (let i = 0; i < steps - 1; i++) step(i);
  const profile = await tf.profile(() => step(steps - 1));
  const weights = model.variables.map((v) => v.dataSync() as Float32Array);
  opt.dispose();
  model.dispose();
  x.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return { weights, losses, kernels: profile.kernels.map((k) => k.name) };
}

/** max |a - b| / max(|a|, 0.1) over all weights: relative for weights of order 1, absolute (x10) near zero. */
function maxScaledDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((wa, i) => wa.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(0.1, Math.abs(v))))));
  return worst;
}

function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((wa, i) => wa.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(1e-6, Math.abs(v))))));
  return worst;
}

test('fused Adam on wasm updates the variables in place and matches tf.train.adam', async () => {
  const stock = await trainWith('wasm', () => tf.train.adam(3e-2), 60);
  const fused = await trainWith('wasm', () => createAdam(3e-2), 60);
  // In place: no Adam kernel at all in the step (stock Adam runs Sqrt, RealDiv, ... per variable).
  assert.ok(!fused.kernels.includes(FUSED_ADAM_KERNEL) && !fused.kernels.includes('Sqrt'), fused.kernels.join(' '));
  assert.ok(stock.kernels.includes('Sqrt'));
  assert.ok(fused.kernels.length < stock.kernels.length - 30, `kernels per step: fused ${fused.kernels.length}, stock ${stock.kernels.length}`);
  // Float32 rounding only (the arithmetic is arranged as PyTorch does it): weights differ by ~1e-6 of their scale.
  const diff = maxScaledDiff(stock.weights, fused.weights);
  assert.ok(diff <= 2e-5, `weights after 60 steps differ by ${diff} (relative to max(|w|, 0.1))`);
  assert.ok(fused.losses[59] < 0.5 * fused.losses[0], `loss ${fused.losses[0]} -> ${fused.losses[59]}`);
  // Same optimizer class name and state as tf.train.adam (so saved optimizer configs stay compatible).
  const opt = createAdam(1e-2);
  assert.ok(opt instanceof tf.AdamOptimizer);
  assert.equal(opt.getClassName(), 'Adam');
  opt.dispose();
});

test('fused Adam writes in place only where no other tensor shares the buffers', async () => {
  assert.ok(await tf.setBackend('wasm'));
  const before = tf.memory().numTensors;
  const w = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1, 2, 3, -0.25])));
  const u = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3, 4, 5, 6, 7])));
  const opt = createAdam(0.1);
  const f = (): tf.Scalar => tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(u)));
  const dataIds = [w.dataId, u.dataId];
  const snapshot = u.clone(); // shares u's buffer: u must not be written in place
  const profile = await tf.profile(() => {
    opt.minimize(f);
  });
  assert.equal(w.dataId, dataIds[0], 'w updated in place');
  assert.notEqual(u.dataId, dataIds[1], 'u (shared with a clone) got a new buffer');
  assert.equal(profile.kernels.filter((k) => k.name === FUSED_ADAM_KERNEL).length, 1, 'one kernel: for u only');
  assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2, 3, 4, 5, 6, 7], 'the clone kept the old values');
  // First Adam step moves every weight by -lr·sign(g) (m̂/sqrt(v̂) = ±1), in place or not.
  const expect = (xs: number[]): number[] => xs.map((x) => x - 0.1 * Math.sign(x));
  Array.from(w.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expect([0.5, -1, 2, 3, -0.25])[i]) < 1e-5, `w[${i}] = ${v}`));
  Array.from(u.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expect([1, 2, 3, 4, 5, 6, 7])[i]) < 1e-5, `u[${i}] = ${v}`));
  tf.dispose([w, u, snapshot]);
  opt.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
});

test('fused Adam falls back to the stock update where the kernel is not registered (cpu)', async () => {
  const stock = await trainWith('cpu', () => tf.train.adam(1e-2), 10);
  const fused = await trainWith('cpu', () => new FusedAdamOptimizer(1e-2, 0.9, 0.999), 10);
  assert.ok(!fused.kernels.includes(FUSED_ADAM_KERNEL));
  assert.equal(maxRelDiff(stock.weights, fused.weights), 0);
  await tf.setBackend('wasm');
});

test('the fused Adam module is valid wasm', () => {
  assert.ok(WebAssembly.validate(buildAdamModule()));
});

test('a dense AE trained on wasm (fused dense, MSE and Adam kernels) matches the stock cpu run', async () => {
  for (const out of ['sigmoid', 'linear'] as const) {
    const wasm = await trainWith('wasm', () => createAdam(0.01), 12, out);
    const cpu = await trainWith('cpu', () => tf.train.adam(0.01), 12, out);
    for (const k of ['LatentExplorerDense', 'LatentExplorerMeanSquaredError']) assert.ok(wasm.kernels.includes(k), `${out}: ${k} ran`);
    assert.ok(!wasm.kernels.includes('Relu') && !wasm.kernels.includes('SquaredDifference'), wasm.kernels.join(' '));
    wasm.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) <= 1e-4, `${out} step ${i}: loss ${l} vs cpu ${cpu.losses[i]}`));
    let worst = 0;
    wasm.weights.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - cpu.weights[i][j])))));
    assert.ok(worst <= 1e-4, `${out}: weights differ by ${worst}`);
    assert.ok(wasm.losses[11] < wasm.losses[0], `${out}: loss ${wasm.losses[0]} -> ${wasm.losses[11]}`);
  }
});
