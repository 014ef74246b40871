import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import {
  adjustedRandIndex,
  clusterSummary,
  elbow,
  hungarian,
  hungarianAccuracy,
  kmeans,
  kmeansPlusPlus,
  silhouette,
  suggestK,
} from '../../../src/core/analysis/kmeans';
import { createRng } from '../../../src/core/random';
import { gaussianBlobs } from './helpers';

test('k-means recovers separable blobs exactly (ARI 1) with both kernels', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const b = gaussianBlobs(600, 8, 5, 0.3, 1);
  for (const kernel of ['plain', 'tfjs'] as const) {
    const r = kmeans(b.x, b.n, b.d, { k: 5, seed: 3, kernel });
    assert.equal(adjustedRandIndex(r.assignments, b.truth), 1, kernel);
    assert.equal(hungarianAccuracy(r.assignments, b.truth), 1);
    // Each centroid is the mean of its members.
    for (let c = 0; c < 5; c++) {
      let count = 0;
      let sum0 = 0;
      for (let i = 0; i < b.n; i++) if (r.assignments[i] === c) {
        count++;
        sum0 += b.x[i * b.d];
      }
      assert.ok(Math.abs(sum0 / count - r.centroids[c * b.d]) < 1e-4);
    }
  }
  assert.equal(tf.memory().numTensors, before);
});

test('k-means is deterministic for a seed and inertia matches a direct computation', () => {
  const b = gaussianBlobs(400, 6, 4, 1.5, 2, 2);
  const r1 = kmeans(b.x, b.n, b.d, { k: 4, seed: 9 });
  const r2 = kmeans(b.x, b.n, b.d, { k: 4, seed: 9 });
  assert.deepEqual(r1.assignments, r2.assignments);
  assert.deepEqual(r1.centroids, r2.centroids);
  let direct = 0;
  for (let i = 0; i < b.n; i++) {
    for (let t = 0; t < b.d; t++) {
      const diff = b.x[i * b.d + t] - r1.centroids[r1.assignments[i] * b.d + t];
      direct += diff * diff;
    }
  }
  assert.ok(Math.abs(direct - r1.inertia) / direct < 1e-5, `${direct} vs ${r1.inertia}`);
  assert.ok(r1.iterations >= 1 && r1.iterations <= 100);
});

test('tfjs and plain kernels agree', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const b = gaussianBlobs(500, 10, 6, 2, 5, 2);
  const init = kmeansPlusPlus(b.x, b.n, b.d, 6, 4);
  const p = kmeans(b.x, b.n, b.d, { k: 6, init, kernel: 'plain', maxIter: 30 });
  const t = kmeans(b.x, b.n, b.d, { k: 6, init, kernel: 'tfjs', maxIter: 30 });
  assert.ok(adjustedRandIndex(p.assignments, t.assignments) > 0.99);
  assert.ok(Math.abs(p.inertia - t.inertia) / p.inertia < 1e-4);
  assert.equal(tf.memory().numTensors, before);
});

test('empty clusters are re-seeded: k clusters survive even with duplicate points', () => {
  // 20 copies of one point and 5 distinct far points; random init may pick duplicates.
  const d = 2;
  const x = new Float32Array(25 * d);
  for (let i = 20; i < 25; i++) {
    x[i * d] = 100 * (i - 19);
    x[i * d + 1] = -50 * (i - 19);
  }
  const r = kmeans(x, 25, d, { k: 6, seed: 1, init: 'random', nInit: 3 });
  const sizes = clusterSummary(x, 25, d, r.assignments, r.centroids, 6).sizes;
  assert.equal(sizes.filter((s) => s > 0).length, 6);
  assert.ok(r.inertia < 1e-6);
});

test('silhouette: high for separated blobs, near 0 for a random split, and suggestK finds k', () => {
  const b = gaussianBlobs(300, 5, 4, 0.4, 7);
  const good = silhouette(b.x, b.n, b.d, b.truth, 4);
  assert.ok(good > 0.7, `silhouette ${good}`);
  const rand = createRng(5);
  const random = Int32Array.from({ length: b.n }, () => Math.floor(rand() * 4));
  assert.ok(Math.abs(silhouette(b.x, b.n, b.d, random, 4)) < 0.2);
  // Hand-computed: points 0, 1 | 10, 11 on a line -> mean of 9.5/10.5 and 8.5/9.5 (twice each).
  const line = Float32Array.from([0, 1, 10, 11]);
  const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
  assert.ok(Math.abs(silhouette(line, 4, 1, Int32Array.from([0, 0, 1, 1]), 2) - expected) < 1e-9);
  const sampled = silhouette(b.x, b.n, b.d, b.truth, 4, { sampleSize: 100, seed: 1 });
  assert.ok(Math.abs(sampled - good) < 0.1);
  const s = suggestK(b.x, b.n, b.d, 2, 7, { seed: 1 });
  assert.deepEqual(s.ks, [2, 3, 4, 5, 6, 7]);
  assert.equal(s.best, 4);
  const inertias = elbow(b.x, b.n, b.d, [1, 2, 4, 6], 1);
  for (let i = 1; i < inertias.length; i++) assert.ok(inertias[i] < inertias[i - 1]);
});

test('clusterSummary lists nearest members closest first', () => {
  const x = Float32Array.from([0, 0, 1, 0, 3, 0, 10, 0, 11, 0]);
  const summary = clusterSummary(x, 5, 2, Int32Array.from([0, 0, 0, 1, 1]), Float32Array.from([0.9, 0, 10.2, 0]), 2, 2);
  assert.deepEqual(summary.sizes, [3, 2]);
  assert.deepEqual(summary.nearest, [[1, 0], [3, 4]]);
});

test('ARI and Hungarian accuracy behave as defined', () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1, 2, 2], ['b', 'b', 'a', 'a', 'c', 'c']), 1);
  // Known value: sklearn adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4 / 7) < 1e-12);
  assert.equal(hungarianAccuracy([2, 2, 0, 0, 1, 1], [0, 0, 1, 1, 2, 2]), 1);
  assert.equal(hungarianAccuracy([0, 0, 0, 1], [0, 0, 1, 1]), 0.75);
  // 3x3 assignment problem with a unique optimum (cost 5: rows -> cols 1, 0, 2).
  assert.deepEqual(hungarian([[4, 1, 3], [2, 0, 5], [3, 2, 2]]), [1, 0, 2]);
});
