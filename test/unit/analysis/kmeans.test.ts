import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { clusterSummary, kmeans, kmeansPlusPlus, silhouette } from '../../../src/core/analysis/kmeans';
import { kCurve } from '../../../src/core/analysis/clusterPipeline';
import { adjustedRandIndex, hungarian, hungarianAccuracy } from '../../../src/core/analysis/labelAgreement';
import { createWasmAssigner, wasmSimdSupported } from '../../../src/core/kernels/kmeans/assigner';
import { createRng } from '../../../src/common/random';
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

test('silhouette: high for separated blobs, near 0 for a random split, and the k curve finds k', async () => {
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
  const s = await kCurve(b.x, b.n, b.d, 2, 7, { seed: 1 });
  assert.deepEqual(s.ks, [2, 3, 4, 5, 6, 7]);
  assert.equal(s.best, 4);
  for (let i = 1; i < s.inertias.length; i++) assert.ok(s.inertias[i] < s.inertias[i - 1]);
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

/** Index of the nearest centroid by direct float64 squared distance (lowest index on ties), and that distance. */
function nearest(x: Float32Array, i: number, c: Float32Array, k: number, d: number): { j: number; dist: number } {
  let best = Infinity;
  let bj = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = x[i * d + t] - c[j * d + t];
      s += diff * diff;
    }
    if (s < best) {
      best = s;
      bj = j;
    }
  }
  return { j: bj, dist: best };
}

/** Textbook Lloyd with the same empty-cluster rule as kmeans(): the reference the fast kernels must reproduce. */
function naiveLloyd(x: Float32Array, n: number, d: number, k: number, init: Float32Array, iters: number): { labels: Int32Array; centroids: Float32Array; inertia: number } {
  let c = Float32Array.from(init);
  const labels = new Int32Array(n);
  const dists = new Float64Array(n);
  const assignAll = (): number => {
    let inertia = 0;
    for (let i = 0; i < n; i++) {
      const r = nearest(x, i, c, k, d);
      labels[i] = r.j;
      dists[i] = r.dist;
      inertia += r.dist;
    }
    return inertia;
  };
  for (let it = 0; it < iters; it++) {
    assignAll();
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let t = 0; t < d; t++) sums[labels[i] * d + t] += x[i * d + t];
    }
    const next = new Float32Array(k * d);
    const taken = new Set<number>();
    for (let j = 0; j < k; j++) {
      if (counts[j] > 0) {
        for (let t = 0; t < d; t++) next[j * d + t] = sums[j * d + t] / counts[j];
        continue;
      }
      let far = -1;
      for (let i = 0; i < n; i++) if (!taken.has(i) && (far < 0 || dists[i] > dists[far])) far = i;
      taken.add(far);
      next.set(x.subarray(far * d, far * d + d), j * d);
    }
    c = next;
  }
  return { labels, centroids: c, inertia: assignAll() };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let q = 0; q < a.length; q++) m = Math.max(m, Math.abs(a[q] - b[q]));
  return m;
}

test('wasm kernel: one assignment step equals the direct reference exactly, ties to the lowest index', () => {
  assert.ok(wasmSimdSupported(), 'this Node has WebAssembly SIMD');
  const rand = createRng(21);
  let ties = 0;
  const cases = [[1, 7], [3, 7], [4, 7], [5, 7], [8, 7], [13, 7], [32, 7], [70, 7], [6, 1], [2, 13], [9, 16], [3, 5, 6], [4, 2, 3]];
  for (const [d, k, n = 701] of cases) {
    // Small integers: every dot product and distance is exact in float32, so exact ties abound.
    const x = Float32Array.from({ length: n * d }, () => Math.floor(rand() * 9) - 4);
    const c = Float32Array.from({ length: k * d }, () => Math.floor(rand() * 5) - 2);
    if (k > 3) c.set(c.subarray(0, d), 3 * d); // centroid 3 duplicates centroid 0: it must never win
    for (const [threads, layout] of [[1, 'auto'], [3, 'auto'], [1, 'rows']] as const) {
      const a = createWasmAssigner(x, n, d, k, threads, layout);
      const labels = new Int32Array(n);
      const dists = new Float64Array(n);
      const sums = new Float64Array(k * d);
      const counts = new Float64Array(k);
      const inertia = a.assign(c, labels, dists, sums, counts);
      a.dispose();
      const refSums = new Float64Array(k * d);
      const refCounts = new Float64Array(k);
      let refInertia = 0;
      for (let i = 0; i < n; i++) {
        const r = nearest(x, i, c, k, d);
        assert.equal(labels[i], r.j, `d ${d} ${layout} row ${i}`);
        assert.equal(dists[i], r.dist);
        refInertia += r.dist;
        refCounts[r.j]++;
        for (let t = 0; t < d; t++) refSums[r.j * d + t] += x[i * d + t];
        let m = 0;
        for (let j = 0; j < k; j++) if (j !== 3 && nearest(x, i, c.subarray(j * d, j * d + d), 1, d).dist === r.dist) m++;
        if (m > 1) ties++;
      }
      if (k > 3) assert.equal(counts[3], 0);
      assert.equal(inertia, refInertia);
      assert.deepEqual(counts, refCounts);
      assert.deepEqual(sums, refSums);
    }
  }
  assert.ok(ties > 500, `only ${ties} rows with a tie between distinct centroids`);
});

test('wasm kernel: full Lloyd runs match a naive float64 reference, for any thread count', () => {
  for (const [d, k] of [[3, 4], [32, 10]] as const) {
    const b = gaussianBlobs(3000, d, k, 2.5, 40 + d, 2);
    const init = kmeansPlusPlus(b.x, b.n, b.d, k, 8);
    const ref = naiveLloyd(b.x, b.n, d, k, init, 15);
    const runs = [1, 2, 3].map((threads) => kmeans(b.x, b.n, d, { k, init, maxIter: 15, tol: 0, kernel: 'wasm', threads }));
    for (const r of runs) {
      assert.deepEqual(r.assignments, ref.labels, `d ${d}`);
      assert.ok(maxAbsDiff(r.centroids, ref.centroids) < 1e-5, `d ${d}: centroid diff ${maxAbsDiff(r.centroids, ref.centroids)}`);
      assert.ok(Math.abs(r.inertia - ref.inertia) / ref.inertia < 1e-6, `d ${d}: inertia ${r.inertia} vs ${ref.inertia}`);
      // Same result bit for bit whatever the number of threads (chunked partial sums are folded in order).
      assert.deepEqual(r.centroids, runs[0].centroids);
      assert.equal(r.inertia, runs[0].inertia);
    }
    const plain = kmeans(b.x, b.n, d, { k, init, maxIter: 15, tol: 0, kernel: 'plain' });
    assert.deepEqual(plain.assignments, ref.labels);
  }
});

test('wasm kernel: empty clusters are re-seeded like the reference', () => {
  // 4 tight groups of duplicate integer points; init puts three centroids on one point and one far away from all.
  const d = 6;
  const n = 4000;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) x[i * d + t] = ((i % 4) * 10 + (t === (i % d) ? 1 : 0)) * (t % 2 ? -1 : 1);
  const k = 6;
  const init = new Float32Array(k * d);
  for (let j = 0; j < 3; j++) init.set(x.subarray(0, d), j * d);
  init.fill(500, 5 * d);
  const ref = naiveLloyd(x, n, d, k, init, 6);
  const r = kmeans(x, n, d, { k, init, maxIter: 6, tol: 0, kernel: 'wasm', threads: 2 });
  assert.deepEqual(r.assignments, ref.labels);
  assert.ok(maxAbsDiff(r.centroids, ref.centroids) < 1e-5);
  assert.ok(Math.abs(r.inertia - ref.inertia) <= 1e-6 * Math.max(1, ref.inertia));
  const sizes = clusterSummary(x, n, d, r.assignments, r.centroids, k).sizes;
  assert.equal(sizes.filter((s) => s > 0).length, k);
});

test('auto kernel is deterministic and leaks no tensors on a bench-sized problem', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const b = gaussianBlobs(20000, 16, 8, 3, 77, 2);
  const r1 = kmeans(b.x, b.n, b.d, { k: 8, seed: 2, nInit: 2, maxIter: 10 });
  const r2 = kmeans(b.x, b.n, b.d, { k: 8, seed: 2, nInit: 2, maxIter: 10, threads: 1 });
  assert.deepEqual(r1.assignments, r2.assignments);
  assert.deepEqual(r1.centroids, r2.centroids);
  assert.equal(r1.inertia, r2.inertia);
  assert.equal(tf.memory().numTensors, before);
});

test('wasm kernel: k-means++ seeding with the wasm distances picks the same centres as the plain loop', () => {
  for (const [d, k] of [[7, 8], [32, 10]] as const) {
    const b = gaussianBlobs(5000, d, k, 3, 90 + d, 2);
    const a = createWasmAssigner(b.x, b.n, d, k, 1);
    try {
      const out = new Float64Array(b.n);
      a.sqDistToRow(17, out);
      for (let i = 0; i < b.n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (b.x[i * d + t] - b.x[17 * d + t]) ** 2;
        assert.ok(Math.abs(out[i] - s) <= 1e-12 * s, `row ${i}: ${out[i]} vs ${s}`);
      }
      for (const seed of [1, 2, 3]) {
        assert.deepEqual(kmeansPlusPlus(b.x, b.n, d, k, seed, a.sqDistToRow), kmeansPlusPlus(b.x, b.n, d, k, seed));
      }
    } finally {
      a.dispose();
    }
  }
});
