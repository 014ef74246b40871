import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { bruteForceKnn, exactKnn, knnRecall } from '../../../src/core/analysis/knn';
import { fitGmm } from '../../../src/core/analysis/gmm';
import { dbscan, hdbscan, suggestEps } from '../../../src/core/analysis/density';
import { NOISE, confusionMatrix, normalizedMutualInfo, scoreClustering, trustworthiness } from '../../../src/core/analysis/clusterMetrics';
import { adjustedRandIndex } from '../../../src/core/analysis/labelAgreement';
import { clusterWithMethod, elbowOf, kCurve } from '../../../src/core/analysis/clusterPipeline';
import { createNormalRng, createRng } from '../../../src/common/random';
import { gaussianBlobs } from './helpers';

interface SklearnFixture {
  x: number[][];
  y: number[];
  gmm: Record<'full' | 'diag', { means: number[][]; weights: number[]; loglik: number; covariances: number[][][] | number[][] }>;
  labelsA: number[];
  labelsB: number[];
  nmi: number;
  ari: number;
  embedding: number[][];
  trustworthiness5: number;
}

const fixture = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/clustering/sklearn.json'), 'utf8')) as SklearnFixture;
const fx = Float32Array.from(fixture.x.flat());

/** Blobs plus uniform background noise: `k` tight 2D groups of `per` points and `noise` points spread widely. */
function blobsWithNoise(k: number, per: number, noise: number, seed: number): { x: Float32Array; n: number; truth: Int32Array } {
  const g = createNormalRng(seed);
  const u = createRng(seed + 1);
  const n = k * per + noise;
  const x = new Float32Array(n * 2);
  const truth = new Int32Array(n).fill(NOISE);
  for (let c = 0; c < k; c++) {
    const cx = 20 * Math.cos((2 * Math.PI * c) / k);
    const cy = 20 * Math.sin((2 * Math.PI * c) / k);
    for (let i = 0; i < per; i++) {
      const r = c * per + i;
      x[r * 2] = cx + g() * 0.8;
      x[r * 2 + 1] = cy + g() * 0.8;
      truth[r] = c;
    }
  }
  for (let r = k * per; r < n; r++) {
    x[r * 2] = (u() - 0.5) * 80;
    x[r * 2 + 1] = (u() - 0.5) * 80;
  }
  return { x, n, truth };
}

test('exact kNN (wasm GEMM, worker threads) equals the float64 brute force, for any thread count', async () => {
  const b = gaussianBlobs(2500, 13, 6, 1, 4); // n above the small-input cut-off, odd width
  const ref = bruteForceKnn(b.x, b.n, b.d, 12);
  for (const threads of [1, 2]) {
    const r = await exactKnn(b.x, b.n, b.d, 12, { threads });
    assert.equal(knnRecall(r, ref), 1, `threads ${threads}`);
    assert.deepEqual(r.indices, ref.indices);
    for (let e = 0; e < ref.distances.length; e++) assert.ok(Math.abs(r.distances[e] - ref.distances[e]) <= 1e-5 * (1 + ref.distances[e]));
  }
  // The point itself is never its own neighbour and distances ascend.
  for (let i = 0; i < b.n; i++) {
    for (let a = 0; a < 12; a++) {
      assert.notEqual(ref.indices[i * 12 + a], i);
      if (a > 0) assert.ok(ref.distances[i * 12 + a] >= ref.distances[i * 12 + a - 1]);
    }
  }
});

test('exact kNN reports progress and stops on abort', async () => {
  const b = gaussianBlobs(4000, 8, 3, 1, 2);
  let last = 0;
  await exactKnn(b.x, b.n, b.d, 5, { onProgress: (done, total) => {
    assert.equal(total, 4000);
    last = done;
  } });
  assert.equal(last, 4000);
  const ac = new AbortController();
  ac.abort(Object.assign(new Error('stop'), { name: 'AbortError' }));
  await assert.rejects(exactKnn(b.x, b.n, b.d, 5, { signal: ac.signal }), /stop/);
  const ac2 = new AbortController();
  const p = exactKnn(gaussianBlobs(20000, 16, 3, 1, 2).x, 20000, 16, 15, { signal: ac2.signal, threads: 1 });
  setTimeout(() => ac2.abort(Object.assign(new Error('late stop'), { name: 'AbortError' })), 20);
  await assert.rejects(p, /late stop/);
});

test('Gaussian mixture matches scikit-learn on planted Gaussians (full and diagonal covariances)', () => {
  const n = fixture.y.length;
  for (const cov of ['full', 'diag'] as const) {
    const ref = fixture.gmm[cov];
    const r = fitGmm(fx, n, 3, { k: 3, covariance: cov, seed: 1, nInit: 3, tol: 1e-6, maxIter: 500 });
    assert.ok(Math.abs(r.logLikelihood - ref.loglik) < 1e-3, `${cov}: loglik ${r.logLikelihood} vs ${ref.loglik}`);
    const order = [0, 1, 2].sort((a, b) => r.means[a * 3] - r.means[b * 3]);
    order.forEach((j, o) => {
      for (let t = 0; t < 3; t++) assert.ok(Math.abs(r.means[j * 3 + t] - ref.means[o][t]) < 1e-3, `${cov} mean ${o},${t}`);
      assert.ok(Math.abs(r.weights[j] - ref.weights[o]) < 1e-4);
      if (cov === 'full') {
        const c = ref.covariances[o] as number[][];
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) assert.ok(Math.abs(r.covariances[j * 9 + a * 3 + b] - c[a][b]) < 1e-3);
      }
    });
    // Posteriors are probabilities and the hard labels recover the planted groups.
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += r.probabilities[i * 3 + j];
      assert.ok(Math.abs(s - 1) < 1e-5);
    }
    assert.ok(adjustedRandIndex(r.assignments, fixture.y) > 0.95);
  }
  // Seeded: same seed, same fit.
  const a = fitGmm(fx, n, 3, { k: 3, seed: 5 });
  const b = fitGmm(fx, n, 3, { k: 3, seed: 5 });
  assert.deepEqual(a.probabilities, b.probabilities);
});

test('NMI, ARI and trustworthiness agree with scikit-learn; confusion matrix counts', () => {
  assert.ok(Math.abs(normalizedMutualInfo(fixture.labelsA, fixture.labelsB) - fixture.nmi) < 1e-10);
  assert.ok(Math.abs(adjustedRandIndex(fixture.labelsA, fixture.labelsB) - fixture.ari) < 1e-10);
  assert.equal(normalizedMutualInfo([0, 0, 1, 1], [5, 5, 7, 7]), 1);
  const emb = Float32Array.from(fixture.embedding.flat());
  assert.ok(Math.abs(trustworthiness(fx, 3, emb, 2, fixture.y.length, 5) - fixture.trustworthiness5) < 1e-6);
  const m = confusionMatrix([1, 1, 0, -1, 0], ['b', 'a', 'a', 'b', 'a']);
  assert.deepEqual(m.clusters, [-1, 0, 1]);
  assert.deepEqual(m.classes, ['a', 'b']);
  assert.deepEqual(m.counts, [[0, 1], [2, 0], [1, 1]]);
  // Noise is never matched to a class: 3 of 5 right.
  assert.equal(scoreClustering([1, 1, 0, -1, 0], ['b', 'a', 'a', 'b', 'a']).accuracy, 3 / 5);
});

test('DBSCAN and HDBSCAN find planted blobs and leave the background as noise', async () => {
  const b = blobsWithNoise(4, 150, 60, 3);
  for (const [name, run] of [['dbscan', () => dbscan(b.x, b.n, 2, { minPts: 8 })], ['hdbscan', () => hdbscan(b.x, b.n, 2, { minClusterSize: 30 })]] as const) {
    const r = await run();
    assert.equal(r.k, 4, name);
    const inBlobs = Array.from(b.truth).map((t, i) => (t === NOISE ? -1 : i)).filter((i) => i >= 0);
    assert.equal(adjustedRandIndex(inBlobs.map((i) => r.assignments[i]), inBlobs.map((i) => b.truth[i])), 1, name);
    let noiseCaught = 0;
    for (let i = 0; i < b.n; i++) if (b.truth[i] === NOISE && r.assignments[i] === NOISE) noiseCaught++;
    // HDBSCAN keeps points that fall out of a selected cluster in it (with a low membership strength), as `hdbscan` does.
    assert.ok(noiseCaught >= (name === 'dbscan' ? 50 : 25), `${name}: noise caught ${noiseCaught} / 60`);
    assert.ok(r.noise >= noiseCaught);
  }
  const h = await hdbscan(b.x, b.n, 2, { minClusterSize: 30 });
  let strayStrength = 0;
  let strays = 0;
  let blobStrength = 0;
  for (let i = 0; i < b.n; i++) {
    const p = h.probabilities![i];
    assert.ok(p >= 0 && p <= 1);
    if (h.assignments[i] === NOISE) assert.equal(p, 0);
    else if (b.truth[i] === NOISE) {
      strayStrength += p;
      strays++;
    } else blobStrength += p / 600;
  }
  assert.ok(strays === 0 || strayStrength / strays < blobStrength / 2, `strays ${strayStrength / strays} vs blobs ${blobStrength}`);
  // DBSCAN with an explicit tiny radius: nothing is core, everything is noise.
  const none = await dbscan(b.x, b.n, 2, { minPts: 8, eps: 1e-6 });
  assert.equal(none.k, 0);
  assert.equal(none.noise, b.n);
  const knn = bruteForceKnn(b.x, b.n, 2, 16);
  const eps = suggestEps(knn, 8);
  assert.ok(eps > 0.3 && eps < 10, `eps ${eps}`);
});

test('UMAP clustering pipeline: seeded, separates blobs, reports progress and cancels', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const b = gaussianBlobs(1500, 16, 5, 1, 9);
  const stages = new Set<string>();
  const r1 = await clusterWithMethod(b.x, b.n, b.d, 5, { method: 'umap-gmm', seed: 3, onProgress: (p) => stages.add(p.stage) });
  const r2 = await clusterWithMethod(b.x, b.n, b.d, 5, { method: 'umap-gmm', seed: 3 });
  assert.deepEqual(r1.assignments, r2.assignments);
  assert.deepEqual(r1.probabilities, r2.probabilities);
  assert.deepEqual([...stages].sort(), ['cluster', 'graph', 'knn', 'layout']);
  assert.ok(adjustedRandIndex(r1.assignments, b.truth) > 0.99);
  for (const method of ['umap-kmeans', 'kmeans', 'gmm', 'hdbscan'] as const) {
    const r = await clusterWithMethod(b.x, b.n, b.d, 5, { method, seed: 1 });
    assert.ok(scoreClustering(r.assignments, b.truth).accuracy > 0.95, method);
  }
  const ac = new AbortController();
  const p = clusterWithMethod(b.x, b.n, b.d, 5, {
    method: 'umap-kmeans',
    seed: 4,
    signal: ac.signal,
    onProgress: (q) => {
      if (q.stage === 'layout' && q.done >= 8) ac.abort(Object.assign(new Error('user cancel'), { name: 'AbortError' }));
    },
  });
  await assert.rejects(p, /user cancel/);
  assert.equal(tf.memory().numTensors, before);
});

test('k curve: silhouette peaks at the planted k, elbow of a bent curve', async () => {
  const b = gaussianBlobs(600, 4, 4, 0.3, 2);
  const c = await kCurve(b.x, b.n, b.d, 2, 30, { seed: 1, sampleSize: 400 });
  assert.equal(c.ks[0], 2);
  assert.equal(c.ks.at(-1), 30);
  assert.equal(c.best, 4);
  assert.equal(elbowOf([1, 2, 3, 4, 5, 6], [100, 50, 10, 8, 6, 4]), 3);
  const tiny = await kCurve(b.x, 6, b.d, 2, 30, { seed: 1 });
  assert.equal(tiny.ks.at(-1), 5); // capped by n - 1
});
