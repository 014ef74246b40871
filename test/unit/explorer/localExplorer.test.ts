/**
 * End to end on data with known structure: 5 Gaussian clusters on a 3-D manifold embedded in 20-D (fixed random
 * linear map + tanh) -> dense autoencoder (real createModel + trainAutoencoder, cpu backend, few epochs) ->
 * LocalExplorer: k-means on the codes recovers the clusters, reconstruction error flags planted off-manifold
 * points, interpolation endpoints decode to the endpoints' reconstructions, exports work, no tensors leak.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../src/core/tf';
import type { Dataset } from '../../../src/core/data/dataset';
import { applyNormalizer, fitNormalizer } from '../../../src/core/data/normalize';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { defaultTrainOptions, trainAutoencoder } from '../../../src/core/training/train';
import { LocalExplorer } from '../../../src/core/localExplorer';
import { adjustedRandIndex, suggestK } from '../../../src/core/analysis/kmeans';
import { rocAuc } from '../../../src/core/analysis/anomaly';
import { FileExistsError, readNpy } from '../../../src/core/export';
import { createNormalRng } from '../../../src/core/random';

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

test('projection and export carry clusters, projection and labels; no overwrite without the flag', async () => {
  const p = await world.explorer.project('pca', 2);
  assert.equal(p.method, 'none'); // latent 3 -> returned as is
  const csv = join(world.dir, 'emb.csv');
  assert.deepEqual(await world.explorer.exportEmbeddings(csv, 'csv', false), [csv]);
  const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, N_NORMAL + N_ANOMALY + 1);
  assert.match(lines[0], /^index,z0,z1,z2,proj_x,proj_y,proj_z,cluster,error,label,source_file/);
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
  assert.equal(suggestK(e.latent.subarray(0, N_NORMAL * 3), N_NORMAL, 3, 3, 7, { seed: 2 }).best, K);
});
