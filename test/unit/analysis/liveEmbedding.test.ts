/** The per-epoch live embedding: a fixed seeded sample, encoded with the current weights, laid out in 2D. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { createLiveEmbedding } from '../../../src/core/analysis/liveEmbedding';
import { fitPca } from '../../../src/core/analysis/pca';
import { encode } from '../../../src/core/inference';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { trainAutoencoder } from '../../../src/core/training/train';
import { lowRankData } from '../models/synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

test('samples at most maxPoints rows, sorted and the same for the same seed', () => {
  const x = lowRankData(300, 12, 3, 1);
  const a = createLiveEmbedding(x, 300, 12, { maxPoints: 50, seed: 3 });
  const b = createLiveEmbedding(x, 300, 12, { maxPoints: 50, seed: 3 });
  const c = createLiveEmbedding(x, 300, 12, { maxPoints: 50, seed: 4 });
  assert.equal(a.indices.length, 50);
  assert.deepEqual(a.indices, b.indices);
  assert.notDeepEqual(a.indices, c.indices);
  for (let i = 1; i < a.indices.length; i++) assert.ok(a.indices[i] > a.indices[i - 1], 'ascending, no repeats');
  assert.equal(createLiveEmbedding(x, 300, 12, { maxPoints: 1000 }).indices.length, 300, 'small data: every row');
});

test('frames are the PCA of the sample codes, follow training, keep their orientation and leak nothing', async () => {
  const n = 200, dim = 12;
  const x = lowRankData(n, dim, 3, 2);
  const model = createModel(defaultModelConfig('dense', [dim], { latentDim: 4, hidden: [16], seed: 5 }));
  const live = createLiveEmbedding(x, n, dim, { maxPoints: 120, seed: 1 });
  const tensors = tf.memory().numTensors;
  const f0 = live.frame(model);
  assert.equal(f0.method, 'pca');
  assert.equal(f0.coords.length, 120 * 2);
  // the frame is the 2-component PCA of the sampled rows' codes (up to the sign of each axis)
  const rows = new Float32Array(120 * dim);
  live.indices.forEach((r, i) => rows.set(x.subarray(r * dim, r * dim + dim), i * dim));
  const codes = encode(model, rows, 120);
  const pca = fitPca(codes, 120, 4, 2);
  for (let c = 0; c < 2; c++) {
    let s = 0;
    for (let t = 0; t < 4; t++) s += (codes[t] - pca.mean[t]) * pca.components[c * 4 + t];
    assert.ok(Math.abs(Math.abs(f0.coords[c]) - Math.abs(s)) < 1e-4, `axis ${c}: ${f0.coords[c]} vs ${s}`);
  }
  // same weights -> the same frame (no sign flips between frames)
  assert.deepEqual(live.frame(model).coords, f0.coords);
  await trainAutoencoder(model, x, n, { epochs: 3, batchSize: 32, learningRate: 1e-2, validationSplit: 0, patience: 0, seed: 1 });
  const f1 = live.frame(model);
  let moved = 0;
  for (let i = 0; i < f1.coords.length; i++) moved += Math.abs(f1.coords[i] - f0.coords[i]);
  assert.ok(moved / f1.coords.length > 1e-3, `the embedding moves with training (mean shift ${moved / f1.coords.length})`);
  assert.equal(tf.memory().numTensors, tensors, 'frames (and training) leak no tensors');
  model.dispose();
});

test('a latent of 2 is plotted as is', () => {
  const x = lowRankData(40, 6, 2, 3);
  const model = createModel(defaultModelConfig('dense', [6], { latentDim: 2, hidden: [8], seed: 1 }));
  const live = createLiveEmbedding(x, 40, 6);
  const f = live.frame(model);
  assert.equal(f.method, 'none');
  assert.deepEqual(f.coords, encode(model, x, 40));
  model.dispose();
});
