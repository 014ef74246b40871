/** The pure anomaly scores on planted data: outliers rank on top; Mahalanobis against a direct computation; thresholds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNormalRng } from '../../../src/common/random';
import { rocAuc } from '../../../src/core/analysis/anomaly';
import {
  combineScores, fitGaussian, knnScores, mahalanobisScores, mseScores, residualVariance, robustScale, smoothedErrorScores, standardizedErrorScores,
} from '../../../src/core/analysis/anomalyScores';
import { thresholdAtFpr } from '../../../src/core/analysis/anomalyModel';
import { defaultAnomalyLabels, evaluateAnomalies, rocCurve } from '../../../src/core/analysis/anomalyReport';

/** `n` correlated Gaussian codes in `d` dimensions: z = A e, e ~ N(0, I). */
function correlated(n: number, d: number, seed: number, a?: number[]): { x: Float32Array; a: number[] } {
  const r = createNormalRng(seed);
  const mix = a ?? Array.from({ length: d * d }, () => r());
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const e = Array.from({ length: d }, () => r());
    for (let s = 0; s < d; s++) {
      let v = 0;
      for (let t = 0; t < d; t++) v += mix[s * d + t] * e[t];
      x[i * d + s] = v + 1.5;
    }
  }
  return { x, a: mix };
}

/** Solves A y = b by Gaussian elimination with partial pivoting (an independent route to S^-1 c). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * y[k];
    y[r] = s / m[r][r];
  }
  return y;
}

test('Mahalanobis distance equals (z - mu)^T S^-1 (z - mu) computed directly', () => {
  const d = 5;
  const n = 400;
  const { x } = correlated(n, d, 3);
  const ridge = 1e-3;
  const fit = fitGaussian(x, n, d, ridge);
  const mu = Array.from({ length: d }, (_, t) => { let s = 0; for (let i = 0; i < n; i++) s += x[i * d + t]; return s / n; });
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => { let s = 0; for (let i = 0; i < n; i++) s += (x[i * d + a] - mu[a]) * (x[i * d + b] - mu[b]); return s / n; }));
  const trace = cov.reduce((s, row, a) => s + row[a], 0);
  cov.forEach((row, a) => (row[a] += (ridge * trace) / d));
  const q = correlated(20, d, 9).x;
  const got = mahalanobisScores(q, 20, d, fit);
  for (let i = 0; i < 20; i++) {
    const c = Array.from({ length: d }, (_, t) => q[i * d + t] - mu[t]);
    const y = solve(cov, c);
    const want = c.reduce((s, v, t) => s + v * y[t], 0);
    assert.ok(Math.abs(got[i] - want) <= 1e-4 * Math.max(1, want), `row ${i}: ${got[i]} vs ${want}`);
  }
});

test('latent kNN and Mahalanobis rank planted outliers on top', () => {
  const d = 4;
  const ref = correlated(300, d, 5);
  const normal = correlated(200, d, 6, ref.a).x;
  const r = createNormalRng(8);
  // Outliers: well outside the reference cloud along random directions.
  const outliers = Float32Array.from({ length: 20 * d }, () => 1.5 + 12 * Math.sign(r()) + r());
  const codes = new Float32Array([...normal, ...outliers]);
  const isOut = Array.from({ length: 220 }, (_, i) => i >= 200);
  const knn = knnScores(codes, 220, d, ref.x, 300, 5);
  const fit = fitGaussian(ref.x, 300, d);
  const maha = mahalanobisScores(codes, 220, d, fit);
  assert.ok(rocAuc(knn, isOut) > 0.99, `kNN AUROC ${rocAuc(knn, isOut)}`);
  assert.ok(rocAuc(maha, isOut) > 0.99, `Mahalanobis AUROC ${rocAuc(maha, isOut)}`);
});

test('kNN score is the mean distance to the k nearest reference points', () => {
  const ref = Float32Array.from([0, 0, 3, 0, 0, 4, 10, 10]);
  const got = knnScores(Float32Array.from([0, 0]), 1, 2, ref, 4, 3);
  assert.ok(Math.abs(got[0] - (0 + 3 + 4) / 3) < 1e-6);
  // k larger than the reference is clamped.
  assert.ok(Math.abs(knnScores(Float32Array.from([0, 0]), 1, 2, ref, 4, 99)[0] - (0 + 3 + 4 + Math.hypot(10, 10)) / 4) < 1e-5);
});

test('standardised error weighs a residual by how well that feature is usually reconstructed', () => {
  const n = 200;
  const dim = 4;
  const r = createNormalRng(11);
  // Normal rows: feature 0 always reconstructed within ~0.1, features 1-3 within ~0.5 (above the variance floor).
  const x = new Float32Array(n * dim);
  const rec = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) rec[i * dim + j] = x[i * dim + j] + r() * (j === 0 ? 0.1 : 0.5);
  const v = residualVariance(x, rec, n, dim);
  // Two test rows with the same squared error, on the quiet feature and on a noisy one.
  const tx = new Float32Array(2 * dim);
  const trec = Float32Array.from([0.5, 0, 0, 0, 0, 0.5, 0, 0]);
  // A floor keeps a never-wrong feature from dividing by zero: its variance is at least 5% of the mean variance.
  const floored = residualVariance(new Float32Array(dim), new Float32Array(dim), 1, dim);
  assert.ok(floored.every((q) => q > 0));
  const mse = mseScores(tx, trec, 2, dim);
  assert.equal(mse[0], mse[1]);
  const z = standardizedErrorScores(tx, trec, 2, dim, v);
  assert.ok(z[0] > 15 * z[1], `quiet-feature error ${z[0]} vs noisy-feature error ${z[1]}`);
  // Every normal row scores near 1 on average (chi-square / dim).
  const zn = standardizedErrorScores(x, rec, n, dim, v);
  const meanZ = zn.reduce((s, q) => s + q, 0) / n;
  assert.ok(Math.abs(meanZ - 1) < 1e-4, `mean standardised error of the fitting rows ${meanZ}`);
});

/** Direct (non-separable) Gaussian smoothing of one residual over the axes `spatial` of `shape`, channels last. */
function smoothDirect(r: Float32Array, shape: number[], sigma: number): number[] {
  const radius = Math.round(4 * sigma);
  const g = (t: number): number => (Math.abs(t) <= radius ? Math.exp(-(t * t) / (2 * sigma * sigma)) : 0);
  let norm = 0;
  for (let t = -radius; t <= radius; t++) norm += g(t);
  const [h, w, c] = shape.length === 3 ? shape : [shape[0], 1, shape[1]];
  const wide = shape.length === 3;
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let yy = 0; yy < h; yy++) {
          for (let xx = 0; xx < w; xx++) {
            const k = (g(yy - y) / norm) * (wide ? g(xx - x) / norm : xx === x ? 1 : 0);
            s += k * r[(yy * w + xx) * c + ch];
          }
        }
        out.push(s);
      }
    }
  }
  return out;
}

test('smoothed error equals the mean square of the Gaussian-smoothed residual (images and sequences)', () => {
  const r = createNormalRng(5);
  for (const [shape, sigma] of [[[6, 7, 2], 1], [[9, 3], 0.75]] as const) {
    const dim = shape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: 3 * dim }, () => r());
    const rec = Float32Array.from({ length: 3 * dim }, () => r());
    const got = smoothedErrorScores(x, rec, 3, shape, sigma);
    for (let i = 0; i < 3; i++) {
      const res = Float32Array.from({ length: dim }, (_, j) => x[i * dim + j] - rec[i * dim + j]);
      const want = smoothDirect(res, [...shape], sigma).reduce((s, v) => s + v * v, 0) / dim;
      assert.ok(Math.abs(got[i] - want) < 1e-5 * want, `${shape.join('x')} row ${i}: ${got[i]} vs ${want}`);
    }
  }
  // Flat rows have no neighbouring features: the plain MSE.
  const x = Float32Array.from({ length: 20 }, () => r());
  assert.deepEqual(Array.from(smoothedErrorScores(x, new Float32Array(20), 2, [10], 1)), Array.from(mseScores(x, new Float32Array(20), 2, 10)));
});

test('smoothed error ranks a coherent residual region above scattered pixel errors of the same MSE', () => {
  const side = 12;
  const dim = side * side;
  const x = new Float32Array(2 * dim);
  const rec = new Float32Array(2 * dim);
  // Row 0: a checkerboard of +-0.5 over a 6x6 patch (edges slightly off place); row 1: a solid 6x6 block of 0.5.
  for (let y = 3; y < 9; y++) {
    for (let c = 3; c < 9; c++) {
      rec[y * side + c] = (y + c) % 2 === 0 ? 0.5 : -0.5;
      rec[dim + y * side + c] = 0.5;
    }
  }
  const mse = mseScores(x, rec, 2, dim);
  assert.equal(mse[0], mse[1]);
  const sm = smoothedErrorScores(x, rec, 2, [side, side, 1], 1);
  assert.ok(sm[1] > 20 * sm[0], `block ${sm[1]} vs checkerboard ${sm[0]}`);
});

test('combined score: an outlier in either part ranks above every normal row', () => {
  const r = createNormalRng(2);
  const a = Float32Array.from({ length: 100 }, () => 1 + 0.1 * r());
  const b = Float32Array.from({ length: 100 }, () => 1000 + 100 * r());
  a[7] = 3; // outlier in the small-unit score
  b[42] = 2000; // outlier in the large-unit score
  const combined = combineScores([a, b], [robustScale(a), robustScale(b)]);
  const order = Array.from(combined.keys()).sort((i, j) => combined[j] - combined[i]);
  assert.deepEqual(new Set(order.slice(0, 2)), new Set([7, 42]));
});

test('thresholdAtFpr gives the requested false-positive rate on its calibration scores and about it on fresh normal scores', () => {
  const r = createNormalRng(4);
  const cal = Float32Array.from({ length: 2000 }, () => r());
  for (const fpr of [0.01, 0.05, 0.2]) {
    const t = thresholdAtFpr(cal, fpr);
    assert.ok(Math.abs(t.expectedFpr - fpr) < 1e-9, `fpr ${fpr}: ${t.expectedFpr}`);
    const fresh = Float32Array.from({ length: 20000 }, () => r());
    const observed = fresh.reduce((c, s) => c + (s > t.threshold ? 1 : 0), 0) / fresh.length;
    assert.ok(Math.abs(observed - fpr) < 0.4 * fpr + 0.005, `fpr ${fpr}: observed ${observed} on fresh normal scores`);
  }
  assert.throws(() => thresholdAtFpr(cal, 0));
  assert.throws(() => thresholdAtFpr([], 0.1));
});

test('evaluation: precision, recall and ROC curve at a threshold', () => {
  const scores = [0.1, 0.2, 0.3, 0.9, 0.8, 0.35];
  const labels = ['ok', 'ok', 'ok', 'bad', 'bad', 'bad'];
  const ev = evaluateAnomalies(scores, labels, ['bad'], 0.32);
  assert.equal(ev.truePositives, 3);
  assert.equal(ev.falsePositives, 0);
  assert.equal(ev.precision, 1);
  assert.equal(ev.recall, 1);
  assert.equal(ev.auroc, 1);
  const ev2 = evaluateAnomalies(scores, labels, ['bad'], 0.85);
  assert.equal(ev2.recall, 1 / 3);
  const roc = rocCurve(scores, labels.map((l) => l === 'bad'));
  assert.equal(roc.fpr[0], 0);
  assert.equal(roc.tpr.at(-1), 1);
  assert.equal(roc.fpr.at(-1), 1);
  for (let i = 1; i < roc.fpr.length; i++) assert.ok(roc.fpr[i] >= roc.fpr[i - 1] && roc.tpr[i] >= roc.tpr[i - 1]);
  assert.throws(() => evaluateAnomalies(scores, labels, ['none'], 0.5));
  assert.ok(rocCurve(Float32Array.from({ length: 5000 }, (_, i) => i), Array.from({ length: 5000 }, (_, i) => i % 3 === 0)).fpr.length <= 101);
  assert.deepEqual(defaultAnomalyLabels(['normal', 'anomaly']), ['anomaly']);
  assert.deepEqual(defaultAnomalyLabels(['a', 'b']), []);
});
