/**
 * K-means clustering of latent codes (Lloyd's algorithm with greedy k-means++ seeding), plus the scores used to
 * pick a clustering: the silhouette, which the k curve (clusterPipeline.ts) uses (agreement with true labels:
 * labelAgreement.ts).
 *
 * The assignment step finds, for each point x, the centroid c minimising `||c||^2 - 2 x.c` (the `||x||^2` term is
 * the same for every centroid, so it only matters for the inertia), with `||c||^2` precomputed once per iteration.
 * Kernels, chosen by measurement (bench/kmeans.ts, 60,000 x 32, k = 10, ms per Lloyd iteration on the 2-core dev
 * machine, scikit-learn lloyd with 2 threads ~1.8):
 * - `wasm` (default where WebAssembly SIMD exists; ~1.3 with 2 threads, ~2.2 with 1): a generated SIMD module
 *   (src/core/kernels/kmeans) that fuses the assignment, the direct squared distance to the winner and the float64
 *   centroid sums in one pass over a copy of X kept in wasm memory for the whole call; rows are split into fixed
 *   chunks shared by this thread and pooled worker threads (`threads`), partial results folded in chunk order, so
 *   any thread count gives the same result;
 * - `tfjs` (~12 on wasm): `matMul(X, C^T)` on the tfjs backend with X uploaded once per call, argmin and sums in JS;
 * - `plain` (~33): a TypeScript loop over Float32Arrays (float64 dot products), used where WebAssembly SIMD is
 *   missing and for small problems where set-up dominates.
 */
import { createRng, deriveSeed } from '../../common/random';
import { availableParallelism } from 'node:os';
import { MAX_THREADS, createWasmAssigner, wasmSimdSupported } from '../kernels/kmeans/assigner';
import type { Assigner } from './kmeansTfAssigner';
import { recordNearest, rowSquaredNorms } from './rowNorms';
import { createTfAssigner } from './kmeansTfAssigner';

export interface KMeansOptions {
  k: number;
  /** Independent restarts; the run with the lowest inertia wins. Default 4. */
  nInit?: number;
  seed?: number;
  /** Lloyd iterations per run. Default 100. */
  maxIter?: number;
  /**
   * Convergence tolerance, relative to the data: a run stops when the squared Frobenius norm of the centroid shift
   * is at most `tol * mean(per-feature variance)` (scikit-learn's convention). 0 runs all `maxIter` iterations.
   */
  tol?: number;
  /** `k-means++` (default), `random` (k distinct points), or explicit `k x d` initial centroids (forces nInit 1). */
  init?: 'k-means++' | 'random' | Float32Array;
  /** Assignment kernel; default `auto`. All give the same clustering up to float32 rounding in near-ties. */
  kernel?: KMeansKernel;
  /**
   * Threads for the `wasm` kernel (this one plus `threads - 1` pooled workers); default: the available cores, at
   * most 4. The result is the same for every value.
   */
  threads?: number;
}

export interface KMeansResult {
  assignments: Int32Array;
  /** `k x d`. */
  centroids: Float32Array;
  /** Sum of squared distances from each point to its centroid. */
  inertia: number;
  /** Lloyd iterations run by the winning restart. */
  iterations: number;
}

function checkShape(data: Float32Array, n: number, d: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1) throw new Error(`bad shape ${n} x ${d}`);
  if (data.length < n * d) throw new Error(`data has ${data.length} values, expected ${n} x ${d} = ${n * d}`);
}

/** Squared Euclidean distance between row `i` of `a` and row `j` of `b`, both `d` wide. */
function sqDist(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  const ao = i * d;
  const bo = j * d;
  for (let t = 0; t < d; t++) {
    const diff = a[ao + t] - b[bo + t];
    s += diff * diff;
  }
  return s;
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii 2007, as in scikit-learn): the first centre is a uniform pick; each next
 * centre is the best of `2 + ln k` candidates drawn with probability proportional to D(x)^2, the squared distance to
 * the nearest centre chosen so far, "best" meaning the one that lowers the total potential sum D(x)^2 the most.
 * `sqDistToRow(r, out)`, when given, must fill `out[i] = ||x_i - x_r||^2` (float64): the wasm kernel's version makes
 * the seeding ~3x faster (60,000 x 32, k = 10: 155 -> 57 ms) and agrees with the loop here up to float64 rounding.
 */
export function kmeansPlusPlus(
  data: Float32Array,
  n: number,
  d: number,
  k: number,
  seed: number,
  sqDistToRow?: (row: number, out: Float64Array) => void,
): Float32Array {
  const rand = createRng(seed);
  const centroids = new Float32Array(k * d);
  const nTrials = 2 + Math.floor(Math.log(k));
  const first = Math.floor(rand() * n);
  centroids.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  if (sqDistToRow) sqDistToRow(first, closest);
  else for (let i = 0; i < n; i++) closest[i] = sqDist(data, i, data, first, d);
  let potential = 0;
  for (let i = 0; i < n; i++) potential += closest[i];
  const toCandidate = new Float64Array(sqDistToRow ? n : 0);
  const trial = new Float64Array(n);
  const bestTrial = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity;
    let bestIdx = 0;
    for (let t = 0; t < nTrials; t++) {
      // Sample an index with probability closest[i] / potential (cumulative search).
      let r = rand() * potential;
      let idx = n - 1;
      for (let i = 0; i < n; i++) {
        r -= closest[i];
        if (r < 0) {
          idx = i;
          break;
        }
      }
      if (potential <= 0) idx = Math.floor(rand() * n);
      let pot = 0;
      if (sqDistToRow) {
        sqDistToRow(idx, toCandidate);
        for (let i = 0; i < n; i++) {
          const dd = Math.min(closest[i], toCandidate[i]);
          trial[i] = dd;
          pot += dd;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const dd = Math.min(closest[i], sqDist(data, i, data, idx, d));
          trial[i] = dd;
          pot += dd;
        }
      }
      if (pot < bestPot) {
        bestPot = pot;
        bestIdx = idx;
        bestTrial.set(trial);
      }
    }
    centroids.set(data.subarray(bestIdx * d, bestIdx * d + d), c * d);
    closest.set(bestTrial);
    potential = bestPot;
  }
  return centroids;
}

/** `k` distinct data points chosen uniformly (seeded). */
function randomInit(data: Float32Array, n: number, d: number, k: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const centroids = new Float32Array(k * d);
  const chosen = new Set<number>();
  for (let c = 0; c < k; c++) {
    let idx = Math.floor(rand() * n);
    while (chosen.has(idx) && chosen.size < n) idx = Math.floor(rand() * n);
    chosen.add(idx);
    centroids.set(data.subarray(idx * d, idx * d + d), c * d);
  }
  return centroids;
}

/**
 * One assignment pass: labels each point with its nearest centroid, returns the inertia and, when `sums`/`counts`
 * are given, accumulates each cluster's coordinate sums and sizes for the next update (fused, one pass over data).
 * `dists` receives each point's squared distance to its centroid.
 */
export function assignPoints(
  data: Float32Array,
  n: number,
  d: number,
  centroids: Float32Array,
  k: number,
  xNorms: Float64Array,
  labels: Int32Array,
  dists: Float64Array,
  sums?: Float64Array,
  counts?: Float64Array,
): number {
  const cNorms = rowSquaredNorms(centroids, k, d);
  const d4 = d - (d % 4);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    let best = Infinity;
    let bj = 0;
    for (let j = 0; j < k; j++) {
      const co = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t < d4; t += 4) {
        s0 += data[xo + t] * centroids[co + t];
        s1 += data[xo + t + 1] * centroids[co + t + 1];
        s2 += data[xo + t + 2] * centroids[co + t + 2];
        s3 += data[xo + t + 3] * centroids[co + t + 3];
      }
      for (; t < d; t++) s0 += data[xo + t] * centroids[co + t];
      const dist = cNorms[j] - 2 * (s0 + s1 + s2 + s3);
      if (dist < best) {
        best = dist;
        bj = j;
      }
    }
    inertia += recordNearest(labels, dists, xNorms, i, bj, best);
    if (sums && counts) {
      const so = bj * d;
      for (let t = 0; t < d; t++) sums[so + t] += data[xo + t];
      counts[bj] += 1;
    }
  }
  return inertia;
}

/** Mean of the per-feature variances: the scale that makes `tol` relative to the data. */
function meanVariance(data: Float32Array, n: number, d: number): number {
  let total = 0;
  for (let t = 0; t < d; t++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + t];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const diff = data[i * d + t] - mean;
      v += diff * diff;
    }
    total += v / n;
  }
  return total / d;
}

/** Which assignment kernel `kmeans` uses. `auto`: wasm where supported and n k d >= 2^14, else plain. */
export type KMeansKernel = 'auto' | 'wasm' | 'tfjs' | 'plain';

/** Picks the kernel: see the file comment for the measurements behind `auto`. */
function pickKernel(kernel: KMeansKernel, n: number, d: number, k: number): 'wasm' | 'tfjs' | 'plain' {
  if (kernel === 'wasm') {
    if (!wasmSimdSupported()) throw new Error('k-means kernel wasm: WebAssembly SIMD is not available in this runtime');
    return 'wasm';
  }
  if (kernel !== 'auto') return kernel;
  return wasmSimdSupported() && n * d * k >= 1 << 14 ? 'wasm' : 'plain';
}

/** Default thread count for the wasm kernel: the available cores, at most 4, and one per 2^18 multiply-adds. */
function defaultThreads(n: number, d: number, k: number): number {
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : 1;
  return Math.max(1, Math.min(MAX_THREADS, cores, Math.floor((n * d * k) / (1 << 18))));
}

/**
 * Lloyd iterations from given centroids: assign every point to its nearest centroid, move each centroid to the
 * mean of its points. An emptied cluster is re-seeded with the point farthest from its current centroid (so k
 * clusters always survive). Ends with a final assignment so labels match the returned centroids.
 */
function lloyd(data: Float32Array, n: number, d: number, k: number, init: Float32Array, maxIter: number, tolAbs: number, assign: Assigner): KMeansResult {
  let centroids = Float32Array.from(init);
  const labels = new Int32Array(n);
  const dists = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    sums.fill(0);
    counts.fill(0);
    assign(centroids, labels, dists, sums, counts);
    const next = new Float32Array(k * d);
    const taken = new Set<number>();
    for (let j = 0; j < k; j++) {
      if (counts[j] > 0) {
        for (let t = 0; t < d; t++) next[j * d + t] = sums[j * d + t] / counts[j];
        continue;
      }
      // Empty cluster: take the point currently farthest from its centroid that no other empty cluster took.
      let far = -1;
      let farDist = -1;
      for (let i = 0; i < n; i++) {
        if (dists[i] > farDist && !taken.has(i)) {
          farDist = dists[i];
          far = i;
        }
      }
      taken.add(far);
      next.set(data.subarray(far * d, far * d + d), j * d);
    }
    let shift = 0;
    for (let q = 0; q < next.length; q++) {
      const diff = next[q] - centroids[q];
      shift += diff * diff;
    }
    centroids = next;
    iterations = it + 1;
    if (shift <= tolAbs) break;
  }
  const inertia = assign(centroids, labels, dists);
  return { assignments: labels, centroids, inertia, iterations };
}

/**
 * K-means: minimises the within-cluster sum of squares `sum_i ||x_i - c_{a(i)}||^2` by Lloyd iterations from
 * `nInit` seeded initialisations and keeps the best. Same data, options and seed give the same result.
 */
export function kmeans(data: Float32Array, n: number, d: number, options: KMeansOptions): KMeansResult {
  checkShape(data, n, d);
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  if (k > n) throw new Error(`k (${k}) exceeds the number of points (${n})`);
  const seed = options.seed ?? 0;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-4;
  const init = options.init ?? 'k-means++';
  const nInit = init instanceof Float32Array ? 1 : Math.max(1, options.nInit ?? 4);
  const tolAbs = tol > 0 ? tol * meanVariance(data, n, d) : 0;
  const kernel = pickKernel(options.kernel ?? 'auto', n, d, k);
  let fastKernel: { assign: Assigner; sqDistToRow?: (row: number, out: Float64Array) => void; dispose: () => void } | undefined;
  if (kernel === 'wasm') {
    const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads(n, d, k)));
    try {
      fastKernel = createWasmAssigner(data, n, d, k, threads);
    } catch (e) {
      if (options.kernel === 'wasm') throw e;
      // auto: data too large for a 32-bit wasm memory (or allocation failed): the plain kernel below.
    }
  } else if (kernel === 'tfjs') {
    fastKernel = createTfAssigner(data, n, d, k, rowSquaredNorms(data, n, d));
  }
  const plainAssigner = (): Assigner => {
    const xNorms = rowSquaredNorms(data, n, d);
    return (centroids, labels, dists, sums, counts) => assignPoints(data, n, d, centroids, k, xNorms, labels, dists, sums, counts);
  };
  const assign: Assigner = fastKernel ? fastKernel.assign : plainAssigner();
  let best: KMeansResult | undefined;
  try {
    for (let run = 0; run < nInit; run++) {
      const runSeed = deriveSeed(seed, run);
      let start: Float32Array;
      if (init instanceof Float32Array) {
        if (init.length !== k * d) throw new Error(`init centroids have ${init.length} values, expected ${k} x ${d}`);
        start = init;
      } else {
        start = init === 'random' ? randomInit(data, n, d, k, runSeed) : kmeansPlusPlus(data, n, d, k, runSeed, fastKernel?.sqDistToRow);
      }
      const result = lloyd(data, n, d, k, start, maxIter, tolAbs, assign);
      if (!best || result.inertia < best.inertia) best = result;
    }
  } finally {
    fastKernel?.dispose();
  }
  if (!best) throw new RangeError(`kmeans needs nInit >= 1, got ${nInit}`);
  return best;
}

/** Sizes of each of `k` clusters. */
export function clusterSizes(assignments: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const a of assignments) sizes[a]++;
  return sizes;
}

export interface ClusterSummary {
  sizes: number[];
  /** Per cluster, up to `nNearest` member indices, closest to the centroid first. */
  nearest: number[][];
}

/** Cluster sizes and the members nearest each centroid (ties broken by index). */
export function clusterSummary(
  data: Float32Array,
  n: number,
  d: number,
  assignments: Int32Array,
  centroids: Float32Array,
  k: number,
  nNearest = 8,
): ClusterSummary {
  const members: { i: number; dist: number }[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    members[c].push({ i, dist: sqDist(data, i, centroids, c, d) });
  }
  return {
    sizes: members.map((m) => m.length),
    nearest: members.map((m) => m.sort((a, b) => a.dist - b.dist || a.i - b.i).slice(0, nNearest).map((e) => e.i)),
  };
}

/**
 * Mean silhouette coefficient `s(i) = (b - a) / max(a, b)`, where `a` is the mean distance from i to the other
 * members of its cluster and `b` the smallest mean distance to another cluster's members (Euclidean). Points in
 * singleton clusters score 0. Computed on a seeded sample of at most `sampleSize` points (O(m^2 d)). Range [-1, 1].
 */
export function silhouette(
  data: Float32Array,
  n: number,
  d: number,
  assignments: Int32Array,
  k: number,
  options: { sampleSize?: number; seed?: number } = {},
): number {
  checkShape(data, n, d);
  const m = Math.min(n, options.sampleSize ?? 2000);
  let idx: Int32Array;
  if (m === n) {
    idx = new Int32Array(n).map((_, i) => i);
  } else {
    // Partial Fisher-Yates: the first m entries are a uniform sample without replacement.
    const all = new Int32Array(n).map((_, i) => i);
    const rand = createRng(options.seed ?? 0);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rand() * (n - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    idx = all.slice(0, m);
  }
  const labels = Int32Array.from(idx, (i) => assignments[i]);
  const sizes = new Float64Array(k);
  for (const l of labels) sizes[l]++;
  let nonEmpty = 0;
  for (const s of sizes) if (s > 0) nonEmpty++;
  if (nonEmpty < 2) return 0;
  const sample = new Float32Array(m * d);
  for (let r = 0; r < m; r++) sample.set(data.subarray(idx[r] * d, idx[r] * d + d), r * d);
  const distSums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < m; i++) {
    distSums.fill(0);
    for (let j = 0; j < m; j++) if (j !== i) distSums[labels[j]] += Math.sqrt(sqDist(sample, i, sample, j, d));
    const own = labels[i];
    if (sizes[own] <= 1) continue;
    const a = distSums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, distSums[c] / sizes[c]);
    const denom = Math.max(a, b);
    total += denom > 0 ? (b - a) / denom : 0;
  }
  return total / m;
}
