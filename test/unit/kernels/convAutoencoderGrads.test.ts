import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { maxAbs, maxAbsDiff, randomData, runOn } from './helpers';

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

/** Weight shapes of a tiny conv autoencoder on 12x12x1: conv s2 -> conv s2 -> dense code -> dense -> convT s2 -> convT s2. */
const SHAPES: Record<string, number[]> = {
  c1w: [3, 3, 1, 4], c1b: [4],
  c2w: [3, 3, 4, 8], c2b: [8],
  e: [3 * 3 * 8, 5], eb: [5],
  d: [5, 3 * 3 * 8], db: [3 * 3 * 8],
  t1w: [3, 3, 4, 8], t1b: [4], // conv2dTranspose filters are [kh, kw, outChannels, inChannels]
  t2w: [3, 3, 1, 4], t2b: [1],
};
const NAMES = Object.keys(SHAPES);
const BATCH = 6;

function initialWeights(): Float32Array[] {
  return NAMES.map((n, i) => {
    const size = SHAPES[n].reduce((p, q) => p * q, 1);
    const scale = 1 / Math.sqrt(size / SHAPES[n][SHAPES[n].length - 1]);
    return randomData(size, 1000 + i).map((v) => v * scale);
  });
}

/** MSE reconstruction loss of the tiny conv AE; `w` in NAMES order. Exercises every kernel a conv AE trains with. */
function loss(x: tf.Tensor4D, w: tf.Tensor[]): tf.Scalar {
  const p = Object.fromEntries(NAMES.map((n, i) => [n, w[i]])) as Record<string, tf.Tensor>;
  const h1 = tf.relu(tf.conv2d(x, p.c1w as tf.Tensor4D, 2, 'same').add(p.c1b)) as tf.Tensor4D; // 6x6x4
  const h2 = tf.relu(tf.conv2d(h1, p.c2w as tf.Tensor4D, 2, 'same').add(p.c2b)); // 3x3x8
  const z = tf.matMul(h2.reshape([BATCH, 72]), p.e).add(p.eb); // code
  const d = tf.relu(tf.matMul(z, p.d).add(p.db)).reshape<tf.Tensor4D>([BATCH, 3, 3, 8]);
  const u1 = tf.relu(tf.conv2dTranspose(d, p.t1w as tf.Tensor4D, [BATCH, 6, 6, 4], 2, 'same').add(p.t1b)) as tf.Tensor4D;
  const y = tf.sigmoid(tf.conv2dTranspose(u1, p.t2w as tf.Tensor4D, [BATCH, 12, 12, 1], 2, 'same').add(p.t2b));
  return tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(x, y);
}

const xData = randomData(BATCH * 144, 7).map((v) => 1 / (1 + Math.exp(-v)));

test('gradients of a conv autoencoder loss wrt every weight match cpu', async () => {
  const w0 = initialWeights();
  const before = tf.memory().numTensors;
  const build = (): tf.Tensor[] => {
    const x = tf.tensor4d(xData, [BATCH, 12, 12, 1]);
    const ws = w0.map((d, i) => tf.tensor(d, SHAPES[NAMES[i]]));
    return tf.grads((...args: tf.Tensor[]) => loss(x, args))(ws);
  };
  const cpu = await runOn('cpu', build);
  const wasm = await runOn('wasm', build);
  assert.equal(tf.memory().numTensors, before);
  NAMES.forEach((n, i) => {
    assert.deepEqual(wasm.shapes[i], SHAPES[n]);
    const scale = maxAbs(cpu.values[i]);
    assert.ok(scale > 0, `${n}: zero gradient on cpu`);
    const diff = maxAbsDiff(wasm.values[i], cpu.values[i]);
    assert.ok(diff <= 1e-4 * Math.max(scale, 1e-2), `${n}: max abs diff ${diff} (max |grad| ${scale})`);
  });
});

test('a few Adam steps on wasm follow the cpu trajectory', async () => {
  const w0 = initialWeights();
  const before = tf.memory().numTensors;
  const train = async (backend: string): Promise<{ losses: number[]; weights: Float32Array[] }> => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(xData, [BATCH, 12, 12, 1]);
    const vars = w0.map((d, i) => tf.tidy(() => tf.variable(tf.tensor(d, SHAPES[NAMES[i]]), true, `${backend}_${NAMES[i]}`)));
    const opt = tf.train.adam(1e-2);
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const l = opt.minimize(() => loss(x, vars), true, vars);
      losses.push(l!.dataSync()[0]);
      l!.dispose();
    }
    const weights = vars.map((v) => v.dataSync() as Float32Array);
    opt.dispose();
    tf.dispose([x, ...vars]);
    return { losses, weights };
  };
  const cpu = await train('cpu');
  const wasm = await train('wasm');
  assert.equal(tf.memory().numTensors, before);
  assert.ok(wasm.losses[4] < wasm.losses[0], `loss should fall on wasm: ${wasm.losses.join(', ')}`);
  wasm.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) <= 1e-4 * Math.max(1, cpu.losses[i]), `step ${i}: ${l} vs ${cpu.losses[i]}`));
  // Adam normalises steps, so tiny gradient differences can move weights by up to ~lr per step; compare loosely.
  wasm.weights.forEach((w, i) => assert.ok(maxAbsDiff(w, cpu.weights[i]) <= 1e-3, `${NAMES[i]} drifted`));
});
