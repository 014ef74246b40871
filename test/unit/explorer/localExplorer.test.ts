/**
 * End to end on data with known structure: 5 Gaussian clusters on a 3-D manifold embedded in 20-D (fixed random
 * linear map + tanh) -> dense autoencoder (real createModel + trainAutoencoder, cpu backend, few epochs) ->
 * LocalExplorer: k-means on the codes recovers the clusters, reconstruction error flags planted off-manifold
 * points, interpolation endpoints decode to the endpoints' reconstructions, exports work, no tensors leak.
 * Then a CVAE trained through the pipeline on a labelled CSV: every dataset-wide operation uses each sample's own
 * condition, `decode` takes a class name, and a saved model reloads with the same embeddings; and a model with
 * discrete codes (VQ-VAE style `codeIndices`) gets `codes` in its embedding.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../src/core/tf';
import type { Dataset } from '../../../src/core/data/dataset';
import { applyNormalizer, fitNormalizer, invertNormalizer } from '../../../src/core/data/normalize';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { defaultTrainOptions, trainAutoencoder } from '../../../src/core/training/train';
import { LocalExplorer } from '../../../src/core/localExplorer';
import { kCurve } from '../../../src/core/analysis/clusterPipeline';
import { adjustedRandIndex } from '../../../src/core/analysis/labelAgreement';
import { rocAuc } from '../../../src/core/analysis/anomaly';
import { FileExistsError, readNpy } from '../../../src/core/export';
import { createNormalRng } from '../../../src/common/random';
import type { Autoencoder } from '../../../src/core/models/types';
import { runTrainingPipeline } from '../../../src/core/pipeline';
import { conditionMatrix } from '../../../src/core/models/cvae';
import { encode as encodeRows, reconstruct } from '../../../src/core/inference';

const D = 20;
const K = 5;
const N_NORMAL = 1000;
const N_ANOMALY = 50;

interface World {
  explorer: LocalExplorer;
  truth: Int32Array;
  isAnomaly: boolean[];
  tensorsBefore: number;
  dir: string;
}
let world: World;

function makeData(): { x: Float32Array; truth: Int32Array; isAnomaly: boolean[] } {
  const rand = createNormalRng(11);
  const map = Float32Array.from({ length: 3 * D }, () => rand() / Math.sqrt(3));
  const centers = Float32Array.from({ length: K * 3 }, () => rand() * 3);
  const n = N_NORMAL + N_ANOMALY;
  const x = new Float32Array(n * D);
  const truth = new Int32Array(N_NORMAL);
  const isAnomaly: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const anomaly = i >= N_NORMAL;
    isAnomaly.push(anomaly);
    if (anomaly) {
      // Off the manifold: independent coordinates with the same spread as the data.
      for (let t = 0; t < D; t++) x[i * D + t] = Math.tanh(rand() * 1.2);
      continue;
    }
    const c = i % K;
    truth[i] = c;
    const z = [0, 1, 2].map((a) => centers[c * 3 + a] + rand() * 0.3);
    for (let t = 0; t < D; t++) x[i * D + t] = Math.tanh(z[0] * map[t] + z[1] * map[D + t] + z[2] * map[2 * D + t]) + rand() * 0.01;
  }
  return { x, truth, isAnomaly };
}

before(async () => {
  await tf.setBackend('cpu');
  const tensorsBefore = tf.memory().numTensors;
  const { x, truth, isAnomaly } = makeData();
  const n = N_NORMAL + N_ANOMALY;
  // Normaliser and training on the normal points only.
  const normalizer = fitNormalizer(x, N_NORMAL, D, 'minmax', true);
  const model = createModel(defaultModelConfig('dense', [D], { latentDim: 3, hidden: [32], seed: 3 }));
  const xn = applyNormalizer(normalizer, x.subarray(0, N_NORMAL * D), D);
  await trainAutoencoder(model, xn, N_NORMAL, defaultTrainOptions({ epochs: 40, batchSize: 32, learningRate: 5e-3, validationSplit: 0, patience: 0, seed: 5 }));
  const dataset: Dataset = {
    name: 'planted',
    source: '/virtual/planted.csv',
    format: 'csv',
    kind: 'table',
    n,
    dim: D,
    sampleShape: [D],
    features: x,
    columns: Array.from({ length: D }, (_, j) => `f${j}`),
    labels: Array.from({ length: n }, (_, i) => (i < N_NORMAL ? `c${truth[i]}` : 'anomaly')),
    labelName: 'label',
    refs: Array.from({ length: n }, (_, i) => ({ file: '/virtual/planted.csv', line: i + 2, index: i })),
  };
  const explorer = new LocalExplorer({ model, normalizer, dataset, history: [], backend: 'cpu' });
  world = { explorer, truth, isAnomaly, tensorsBefore, dir: mkdtempSync(join(tmpdir(), 'le-explorer-')) };
});

after(() => {
  world.explorer.dispose();
  rmSync(world.dir, { recursive: true, force: true });
  assert.equal(tf.memory().numTensors, world.tensorsBefore, 'tensors leaked');
});

test('k-means on the codes recovers the planted clusters (ARI >= 0.9)', async () => {
  const c = await world.explorer.cluster(K, 1);
  const normal = c.assignments.subarray(0, N_NORMAL);
  const ari = adjustedRandIndex(normal, world.truth);
  assert.ok(ari >= 0.9, `ARI ${ari}`);
  console.log(`ARI ${ari.toFixed(4)}`);
  assert.equal(c.decodedCentroids.length, K * D);
  assert.equal(c.sizes.reduce((a, b) => a + b, 0), N_NORMAL + N_ANOMALY);
  // nearest[j] members belong to cluster j.
  c.nearest.forEach((members, j) => members.forEach((i) => assert.equal(c.assignments[i], j)));
});

test('reconstruction error separates off-manifold points (ROC-AUC >= 0.95)', async () => {
  const e = await world.explorer.embed();
  const auc = rocAuc(e.errors, world.isAnomaly);
  assert.ok(auc >= 0.95, `AUC ${auc}`);
  console.log(`ROC-AUC ${auc.toFixed(4)}`);
});

test('interpolation endpoints decode to the endpoints\' reconstructions; sample() is consistent', async () => {
  const a = 3;
  const b = 8;
  const path = await world.explorer.interpolate(a, b, 6, 'spherical');
  assert.equal(path.latent.length, 6 * 3);
  const sa = await world.explorer.sample(a);
  const sb = await world.explorer.sample(b);
  assert.deepEqual(path.latent.subarray(0, 3), sa.latent);
  for (let t = 0; t < D; t++) {
    assert.ok(Math.abs(path.decoded[t] - sa.reconstruction[t]) < 1e-5);
    assert.ok(Math.abs(path.decoded[5 * D + t] - sb.reconstruction[t]) < 1e-5);
  }
  // Data units: the original is the raw row, and the error matches the reconstruction in normalised units.
  assert.equal(sa.original[0], world.explorer['dataset'].features[a * D]);
  assert.equal(sa.ref.index, a);
  assert.equal(sa.label, `c${world.truth[a]}`);
});

test('generate: grid around the mean code, traversal around a sample, decoded like decode(); prior needs a VAE', async () => {
  const ex = world.explorer;
  const e = await ex.embed();
  const n = e.n;
  const mean = [0, 1, 2].map((j) => { let s = 0; for (let i = 0; i < n; i++) s += e.latent[i * 3 + j]; return s / n; });
  const grid = await ex.generate({ mode: 'grid', dimX: 0, dimY: 2, span: 1.5, steps: 3 });
  assert.deepEqual([grid.mode, grid.rows, grid.cols, grid.latent.length, grid.decoded.length], ['grid', 3, 3, 27, 9 * D]);
  // cell (iy, ix): z0 = mean0 + (ix - 1) * 1.5, z2 = mean2 + (iy - 1) * 1.5, z1 = mean1
  for (let iy = 0; iy < 3; iy++) {
    for (let ix = 0; ix < 3; ix++) {
      const row = grid.latent.subarray((iy * 3 + ix) * 3, (iy * 3 + ix + 1) * 3);
      assert.ok(Math.abs(row[0] - (mean[0] + (ix - 1) * 1.5)) < 1e-4 && Math.abs(row[1] - mean[1]) < 1e-4 && Math.abs(row[2] - (mean[2] + (iy - 1) * 1.5)) < 1e-4, `cell ${iy},${ix}`);
    }
  }
  assert.deepEqual(grid.decoded, await ex.decode(grid.latent, 9));
  const t = await ex.generate({ mode: 'traversal', dim: 1, span: 2, steps: 5, base: 7 });
  assert.deepEqual([t.rows, t.cols], [1, 5]);
  assert.deepEqual(Array.from({ length: 5 }, (_, s) => t.latent[s * 3 + 1]), [-2, -1, 0, 1, 2]);
  for (let s = 0; s < 5; s++) assert.equal(t.latent[s * 3], e.latent[7 * 3]);
  await assert.rejects(ex.generate({ mode: 'prior', count: 4, seed: 1 }), /VAE/);
  await assert.rejects(ex.generate({ mode: 'traversal', dim: 0, span: 1, steps: 3, base: n }), RangeError);
});

test('projection and export carry clusters, projection and labels; no overwrite without the flag', async () => {
  const p = await world.explorer.project('pca', 2);
  assert.equal(p.method, 'none'); // latent 3 -> returned as is
  const csv = join(world.dir, 'emb.csv');
  assert.deepEqual(await world.explorer.exportEmbeddings(csv, 'csv', false), [csv]);
  const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, N_NORMAL + N_ANOMALY + 1);
  assert.match(lines[0], /^index,z0,z1,z2,proj_x,proj_y,proj_z,cluster,error,label,source_line$/);
  await assert.rejects(world.explorer.exportEmbeddings(csv, 'csv', false), FileExistsError);
  const npy = join(world.dir, 'emb.npy');
  await world.explorer.exportEmbeddings(npy, 'npy', false);
  assert.deepEqual(readNpy(npy).data, (await world.explorer.embed()).latent);
});

test('suggestK prefers the planted k on the normal points\' codes', async () => {
  const s = await world.explorer.suggestK(3, 7, 2);
  assert.deepEqual(s.ks, [3, 4, 5, 6, 7]);
  assert.equal(s.silhouettes.length, 5);
  // With the planted anomalies included they may form a cluster of their own, so check k on the normal codes.
  const e = await world.explorer.embed();
  assert.equal((await kCurve(e.latent.subarray(0, N_NORMAL * 3), N_NORMAL, 3, 3, 7, { seed: 2 })).best, K);
});

/** A labelled CSV: class c has its own per-feature template, plus a shared rank-1 style s: x = tanh(t_c + a s). */
function writeLabelledCsv(file: string, perClass: number, dim: number): { labels: string[] } {
  const rand = createNormalRng(17);
  const classes = ['cat', 'dog', 'owl'];
  const templates = classes.map(() => Array.from({ length: dim }, () => rand()));
  const a = Array.from({ length: dim }, () => rand() * 0.5);
  const lines = [[...Array.from({ length: dim }, (_, j) => `f${j}`), 'label'].join(',')];
  const labels: string[] = [];
  // Unbalanced on purpose: 'dog' is the most frequent class.
  classes.forEach((cls, c) => {
    const count = cls === 'dog' ? perClass * 2 : perClass;
    for (let i = 0; i < count; i++) {
      const s = rand();
      lines.push([...templates[c].map((t, j) => Math.tanh(t + a[j] * s).toFixed(5)), cls].join(','));
      labels.push(cls);
    }
  });
  writeFileSync(file, lines.join('\n') + '\n');
  return { labels };
}

test('cvae through the pipeline: embed, sample, decode by class, interpolate and reload use the conditions', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const dir = mkdtempSync(join(tmpdir(), 'le-cvae-explorer-'));
  const dim = 8;
  try {
    const csv = join(dir, 'pets.csv');
    const { labels } = writeLabelledCsv(csv, 40, dim);
    const n = labels.length;
    const result = await runTrainingPipeline({
      datasetPath: csv,
      loadOptions: { labelColumn: 'label' },
      model: { kind: 'cvae', latentDim: 2, hidden: [16], seed: 3 },
      train: { epochs: 15, batchSize: 16, learningRate: 1e-2, validationSplit: 0, patience: 0, seed: 5 },
      outDir: join(dir, 'model'),
    });
    const classes = ['cat', 'dog', 'owl'];
    assert.deepEqual(result.model.config.conditionClasses, classes);
    const condition = conditionMatrix(labels, classes);
    assert.deepEqual(result.condition, condition);
    const explorer = LocalExplorer.fromPipeline(result);
    try {
      const model = result.model;
      const e = await explorer.embed();
      assert.equal(e.codes, undefined);
      assert.equal(e.latent.length, n * 2);
      assert.deepEqual(explorer.info().model.conditionClasses, classes);

      // sample(): reconstruction with the sample's own condition (data units).
      const i = 5;
      const s = await explorer.sample(i);
      assert.equal(s.label, labels[i]);
      const own = reconstruct(model, result.normalized.slice(i * dim, i * dim + dim), 1, undefined, condition.slice(i * 3, i * 3 + 3));
      assert.deepEqual(s.reconstruction, invertNormalizer(result.normalizer, own, dim));
      assert.ok(Math.abs(s.error - e.errors[i]) < 1e-6);
      // The reconstruction is close to the original (trained), and closer than the same code decoded as another class.
      const dist = (u: ArrayLike<number>, v: ArrayLike<number>): number => Math.sqrt(Array.from(u).reduce((acc, x, j) => acc + (x - v[j]) ** 2, 0));
      const asOwl = await explorer.decode(s.latent, 1, 'owl');
      assert.notEqual(labels[i], 'owl');
      assert.ok(dist(s.reconstruction, s.original) < dist(asOwl, s.original), 'own condition reconstructs better than another class');

      // decode(): a class name decodes as that class; the default is the most frequent class ('dog').
      const z = new Float32Array(2);
      const byClass = await Promise.all(classes.map((c) => explorer.decode(z, 1, c)));
      assert.deepEqual(await explorer.decode(z, 1), byClass[1]);
      assert.ok(dist(byClass[0], byClass[2]) > 0.1, 'conditions decode differently');
      await assert.rejects(explorer.decode(z, 1, 'fish'), RangeError);

      // interpolate(): endpoints are sample a's reconstruction; the path uses a's condition throughout.
      const a = 1;
      const b = n - 1;
      assert.notEqual(labels[a], labels[b]);
      const path = await explorer.interpolate(a, b, 5, 'linear');
      const sa = await explorer.sample(a);
      for (let t = 0; t < dim; t++) assert.ok(Math.abs(path.decoded[t] - sa.reconstruction[t]) < 1e-5);
      const last = await explorer.decode(path.latent.slice(4 * 2), 1, labels[a]);
      for (let t = 0; t < dim; t++) assert.ok(Math.abs(path.decoded[4 * dim + t] - last[t]) < 1e-5);

      // cluster(): centroids decode fine with their members' majority class.
      const c = await explorer.cluster(3, 1);
      assert.equal(c.decodedCentroids.length, 3 * dim);
      assert.ok(c.decodedCentroids.every(Number.isFinite));

      // Reload from disk: the label column and classes come back, and so do the embeddings.
      const reloaded = await LocalExplorer.load(result.outDir);
      try {
        assert.deepEqual((await reloaded.embed()).latent, e.latent);
        assert.deepEqual(await reloaded.decode(z, 1, 'cat'), byClass[0]);
      } finally {
        reloaded.dispose();
      }
      // Same codes as the inference helpers given each sample's condition.
      assert.deepEqual(e.latent, encodeRows(model, result.normalized, n, undefined, condition));
    } finally {
      explorer.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak');
});

test('models with discrete codes get codes in the embedding', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const base = createModel(defaultModelConfig('dense', [4], { latentDim: 3, hidden: [8], seed: 1 }));
  // Stand-in for a VQ-VAE: the code of a row is the argmax of its latent vector.
  const model: Autoencoder = { ...base, codeIndices: (x) => tf.tidy(() => tf.argMax<tf.Tensor1D>(base.encode(x), 1)) };
  const n = 300;
  const rand = createNormalRng(4);
  const features = Float32Array.from({ length: n * 4 }, () => rand());
  const dataset: Dataset = {
    name: 'codes', source: '/virtual/codes.csv', format: 'csv', kind: 'table', n, dim: 4, sampleShape: [4], features,
    columns: ['a', 'b', 'c', 'd'], refs: Array.from({ length: n }, (_, i) => ({ file: '/virtual/codes.csv', index: i })),
  };
  const explorer = new LocalExplorer({ model, normalizer: fitNormalizer(features, n, 4, 'none', false), dataset, history: [], backend: 'cpu' });
  try {
    const e = await explorer.embed();
    assert.ok(e.codes instanceof Int32Array);
    assert.equal(e.codes.length, n);
    for (let i = 0; i < n; i++) {
      const row = Array.from(e.latent.subarray(i * 3, i * 3 + 3));
      assert.equal(e.codes[i], row.indexOf(Math.max(...row)));
    }
  } finally {
    explorer.dispose();
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak');
});

test('corrupt: the model reconstructs a noisy or masked sample closer to the clean one than the damage left it', async () => {
  const mse = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
  for (const mode of ['noise', 'mask'] as const) {
    let damaged = 0, repaired = 0;
    for (let i = 0; i < 20; i++) {
      const s = await world.explorer.sample(i);
      const r = await world.explorer.corrupt(i, mode, mode === 'noise' ? 0.2 : 0.25, i);
      assert.equal(r.corrupted.length, s.original.length);
      damaged += mse(r.corrupted, s.original);
      repaired += mse(r.reconstruction, s.original);
      assert.ok(Number.isFinite(r.error) && r.error >= 0);
    }
    assert.ok(repaired < 0.6 * damaged, `${mode}: reconstruction MSE ${repaired / 20} vs corrupted ${damaged / 20}`);
  }
  await assert.rejects(world.explorer.corrupt(10_000, 'noise', 0.1, 0), RangeError);
});
