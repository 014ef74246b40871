/**
 * Scores of a clustering against known classes, and of an embedding against its source:
 * - normalised mutual information, `NMI = I(C; Y) / ((H(C) + H(Y)) / 2)` (scikit-learn's default, arithmetic mean);
 * - the cluster x class confusion (contingency) matrix;
 * - `scoreClustering`: Hungarian accuracy, NMI and ARI together, noise (cluster -1) counted as its own group for NMI
 *   and ARI and as wrong for accuracy (it cannot be matched to a class);
 * - trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`): how many of a point's k nearest
 *   neighbours in the embedding were not among its k nearest in the source, penalised by their source rank.
 */
import { adjustedRandIndex, hungarian } from './labelAgreement';

/** Label of points a density clustering leaves out (DBSCAN / HDBSCAN noise). */
export const NOISE = -1;

export type { ConfusionMatrix } from './results';
import type { ConfusionMatrix } from './results';

const naturalCompare = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });

/** Cluster x class counts. */
export function confusionMatrix(pred: ArrayLike<number>, truth: ArrayLike<number | string>): ConfusionMatrix {
  if (pred.length !== truth.length) throw new Error(`label arrays differ in length: ${pred.length} vs ${truth.length}`);
  const clusters = [...new Set(Array.from(pred))].sort((a, b) => a - b);
  const classes = [...new Set(Array.from(truth, String))].sort(naturalCompare);
  const ci = new Map(clusters.map((c, i) => [c, i]));
  const yi = new Map(classes.map((c, i) => [c, i]));
  const counts = clusters.map(() => new Array<number>(classes.length).fill(0));
  // Both maps were built from these very arrays, so every lookup hits (the -1 is never used).
  const predIndex = Array.from(pred, (p) => ci.get(p) ?? -1);
  const truthIndex = Array.from(truth, (y) => yi.get(String(y)) ?? -1);
  for (let i = 0; i < pred.length; i++) counts[predIndex[i]][truthIndex[i]]++;
  return { clusters, classes, counts };
}

function entropy(sums: number[], n: number): number {
  let h = 0;
  for (const s of sums) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

/** Normalised mutual information (arithmetic normalisation); 1 when both labelings are a single group. */
export function normalizedMutualInfo(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  if (a.length !== b.length) throw new Error(`label arrays differ in length: ${a.length} vs ${b.length}`);
  const ids = new Map<string, number>();
  const codes = Array.from(a, (v) => {
    const key = String(v);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  });
  return nmiFromCounts(confusionMatrix(codes, b).counts, a.length);
}

function nmiFromCounts(counts: number[][], n: number): number {
  if (n === 0) return 1;
  const rows = counts.map((r) => r.reduce((s, v) => s + v, 0));
  const cols = counts[0] ? counts[0].map((_, j) => counts.reduce((s, r) => s + r[j], 0)) : [];
  const ha = entropy(rows, n);
  const hb = entropy(cols, n);
  if (ha === 0 && hb === 0) return 1;
  let mi = 0;
  for (let i = 0; i < counts.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      const v = counts[i][j];
      if (v > 0) mi += (v / n) * Math.log((v * n) / (rows[i] * cols[j]));
    }
  }
  const denom = (ha + hb) / 2;
  return denom > 0 ? Math.max(0, mi / denom) : 0;
}

export interface ClusteringScores {
  /** Hungarian-matched accuracy (noise points count as wrong). */
  accuracy: number;
  nmi: number;
  ari: number;
  /** Distinct classes in the truth. */
  classes: number;
  confusion: ConfusionMatrix;
}

/** Accuracy, NMI, ARI and the confusion matrix of `pred` (noise = -1) against class labels. */
export function scoreClustering(pred: ArrayLike<number>, truth: ArrayLike<number | string>): ClusteringScores {
  const confusion = confusionMatrix(pred, truth);
  const n = pred.length;
  const real = confusion.clusters.map((c, i) => ({ c, i })).filter((e) => e.c !== NOISE);
  const size = Math.max(real.length, confusion.classes.length);
  const cost = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, y) => (r < real.length && y < confusion.classes.length ? -confusion.counts[real[r].i][y] : 0)));
  const match = size > 0 ? hungarian(cost) : [];
  let correct = 0;
  for (let r = 0; r < real.length; r++) if (match[r] < confusion.classes.length) correct += confusion.counts[real[r].i][match[r]];
  return {
    accuracy: n > 0 ? correct / n : 1,
    nmi: nmiFromCounts(confusion.counts, n),
    ari: adjustedRandIndex(Array.from(pred), Array.from(truth, String)),
    classes: confusion.classes.length,
    confusion,
  };
}

/**
 * Trustworthiness of an embedding `y` (`n x dy`) of `x` (`n x dx`) at neighbourhood size k, computed on all n
 * points (O(n^2); pass a sample for large n). 1 = every embedded neighbour was a source neighbour.
 */
export function trustworthiness(x: Float32Array, dx: number, y: Float32Array, dy: number, n: number, k: number): number {
  if (k >= n / 2) throw new RangeError(`k must be below n / 2 (${n / 2}), got ${k}`);
  const dist = (a: Float32Array, d: number, i: number, j: number): number => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = a[i * d + t] - a[j * d + t];
      s += v * v;
    }
    return s;
  };
  const order = new Int32Array(n - 1);
  const rank = new Int32Array(n);
  const dsrc = new Float64Array(n);
  const demb = new Float64Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      dsrc[j] = dist(x, dx, i, j);
      demb[j] = dist(y, dy, i, j);
      order[m++] = j;
    }
    const src = Array.from(order).sort((a, b) => dsrc[a] - dsrc[b] || a - b);
    src.forEach((j, r) => (rank[j] = r + 1));
    const emb = Array.from(order).sort((a, b) => demb[a] - demb[b] || a - b);
    for (let r = 0; r < k; r++) {
      const j = emb[r];
      if (rank[j] > k) penalty += rank[j] - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
