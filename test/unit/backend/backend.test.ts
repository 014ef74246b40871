import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { computeThreads } from '../../../src/core/kernels/computePool';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { defaultTrainOptions, trainAutoencoder } from '../../../src/core/training/train';
import { BACKEND_ENV_VAR, describeBackend, initBackend, isBackendPreference, resolvePreference } from '../../../src/core/backend/backend';

test('initBackend("cpu") selects the cpu backend with no fallback', async () => {
  const info = await initBackend('cpu');
  assert.equal(info.name, 'cpu');
  assert.equal(info.requested, 'cpu');
  assert.equal(info.fallbackReason, undefined);
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(describeBackend(info), 'cpu, 1 thread');
  assert.equal(describeBackend(info, true), 'cpu, 1 thread');
});

test('initBackend("tensorflow") falls back to wasm with a reason when tfjs-node is absent', async () => {
  let nativeInstalled = true;
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    nativeInstalled = false;
  }
  const info = await initBackend('tensorflow');
  assert.equal(info.requested, 'tensorflow');
  if (nativeInstalled) {
    assert.equal(info.name, 'tensorflow');
    return;
  }
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(info.fallbackReason ?? '', /tfjs-node not installed/);
  assert.ok(info.kernelFixes.length >= 3, 'wasm fixes registered');
  // The project's kernels run on the compute pool over the (shared) wasm heap.
  assert.equal(info.threads, computeThreads());
  const heap = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
  assert.ok(heap.buffer instanceof SharedArrayBuffer, 'the wasm heap is shared');
  const n = info.kernelFixes.length;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  assert.equal(describeBackend(info), `wasm, ${info.simd === true ? 'SIMD' : 'no SIMD'}, ${threads}, ${n} kernel fixes, requested tensorflow: tfjs-node not installed`);
  assert.ok(describeBackend(info).length < 120, 'the default line stays short');
  assert.match(describeBackend(info, true), /requested tensorflow: tfjs-node not installed; kernel fixes: BatchMatMul/);
});

test('initBackend is idempotent and switches when the preference changes', async () => {
  const a = await initBackend('wasm');
  const t0 = performance.now();
  const b = await initBackend('wasm');
  assert.ok(performance.now() - t0 < 50, 'second call should be cheap');
  assert.equal(b, a);
  assert.equal((await initBackend('cpu')).name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  const c = await initBackend('wasm');
  assert.equal(c.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  // Fixes are registered once, not stacked.
  assert.deepEqual(c.kernelFixes, a.kernelFixes);
  // The kernel list only in the verbose line.
  assert.doesNotMatch(describeBackend(c), /BatchMatMul/);
  assert.match(describeBackend(c, true), /; kernel fixes: BatchMatMul/);
  // The backend really computes after selection.
  const before = tf.memory().numTensors;
  const s = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([2, 4]), true, false).sum());
  assert.equal(s.dataSync()[0], 24);
  s.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('LATENT_EXPLORER_BACKEND overrides auto only, and unknown values are ignored', () => {
  assert.equal(resolvePreference('auto', { [BACKEND_ENV_VAR]: 'cpu' }), 'cpu');
  assert.equal(resolvePreference(undefined, { [BACKEND_ENV_VAR]: ' WASM ' }), 'wasm');
  assert.equal(resolvePreference('wasm', { [BACKEND_ENV_VAR]: 'cpu' }), 'wasm');
  assert.equal(resolvePreference('auto', { [BACKEND_ENV_VAR]: 'gpu' }), 'auto');
  assert.equal(resolvePreference('auto', {}), 'auto');
  assert.ok(isBackendPreference('tensorflow'));
  assert.ok(!isBackendPreference('webgl'));
});

test('initBackend("auto") honours the environment override', async () => {
  const saved = process.env[BACKEND_ENV_VAR];
  process.env[BACKEND_ENV_VAR] = 'cpu';
  try {
    const info = await initBackend();
    assert.equal(info.requested, 'cpu');
    assert.equal(info.name, 'cpu');
  } finally {
    if (saved === undefined) Reflect.deleteProperty(process.env, BACKEND_ENV_VAR);
    else process.env[BACKEND_ENV_VAR] = saved;
  }
});

/** Whether the optional native backend can be loaded here (its install needs libtensorflow from the network). */
function tfjsNodeAvailable(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

test('tfjs-node: selected by auto where installed, and a dense AE trains on it', {
  skip: tfjsNodeAvailable() ? false : 'tfjs-node not installed (optional dependency; its install downloads libtensorflow, unreachable here)',
}, async () => {
  const info = await initBackend('auto');
  assert.equal(info.name, 'tensorflow');
  assert.equal(tf.getBackend(), 'tensorflow');
  const n = 64;
  const x = Float32Array.from({ length: n * 10 }, (_, i) => (Math.sin(i) + 1) / 2);
  const model = createModel(defaultModelConfig('dense', [10], { hidden: [8], latentDim: 2, seed: 1 }));
  try {
    const before = tf.memory().numTensors;
    const r = await trainAutoencoder(model, x, n, defaultTrainOptions({ epochs: 5, batchSize: 16, learningRate: 1e-2, seed: 3 }));
    assert.ok(r.history[r.history.length - 1].loss < r.history[0].loss, 'loss falls');
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
  }
});
