/**
 * UMAP (McInnes, Healy & Melville 2018) on flat typed arrays: exact kNN on the wasm GEMM (./knn.ts), the fuzzy
 * simplicial set (./umapGraph.ts), and umap-learn's layout optimiser (`optimize_layout_euclidean`): stochastic
 * gradient descent over the graph's edges, each sampled in proportion to its weight, with the attractive gradient
 *
 *     -2ab ||y_i - y_j||^(2(b-1)) / (1 + a ||y_i - y_j||^(2b)) (y_i - y_j)
 *
 * and, for `negativeSampleRate` random points per positive sample, the repulsive one
 *
 *     2 gamma b / ((0.001 + ||y_i - y_k||^2) (1 + a ||y_i - y_k||^(2b))) (y_i - y_k)
 *
 * each coordinate step clipped to +-4, learning rate decaying linearly to 0; a and b fit the curve
 * 1 / (1 + a x^(2b)) to `minDist` / `spread` (umap-js's `findABParams`). The start layout is the data's PCA
 * (scaled to +-10, umap-learn's scale for its spectral start) instead of a spectral embedding: deterministic, cheap
 * and global-structure preserving. Everything random comes from the seed, so the same seed gives the same layout.
 *
 * Plain umap-js takes ~340 s for 60,000 x 16 (NN-descent and sparse matrices on JS objects); this path is measured
 * against it in bench/umap.ts.
 */
import { findABParams } from 'umap-js/dist/umap';
import { createRng, deriveSeed } from '../../common/random';
import { exactKnn } from './knn';
import type { KnnResult } from './knn';
import { fitPca, pcaTransform } from './pca';
import { fuzzySimplicialSet } from './umapGraph';
import type { FuzzyGraph } from './umapGraph';

export type { UmapStage } from './results';
import type { UmapStage } from './results';
import { checkpoint, throwIfAborted } from './abort';

export interface UmapProgress {
  stage: UmapStage;
  /** Work done and in all within the stage (kNN: rows; layout: epochs). */
  done: number;
  total: number;
}

export interface FastUmapOptions {
  nComponents: number;
  /** Neighbourhood size, counting the point itself as umap-learn does. Default 15. */
  nNeighbors?: number;
  /** Default 0.1; 0 packs clusters tightly (better for clustering in the embedding). */
  minDist?: number;
  spread?: number;
  /** Default `defaultUmapEpochs(n)`. */
  nEpochs?: number;
  negativeSampleRate?: number;
  learningRate?: number;
  repulsionStrength?: number;
  seed?: number;
  /** Neighbours already computed (at least `nNeighbors - 1` per point, the point itself excluded). */
  knn?: KnnResult;
  /** The fuzzy graph already computed (from `umapGraph`): the kNN search and `knn` are skipped. */
  graph?: FuzzyGraph;
  /** Threads for the kNN search. */
  threads?: number;
  onProgress?: (p: UmapProgress) => void;
  /** Aborting rejects with the signal's reason (an `AbortError`) at the next epoch or kNN block. */
  signal?: AbortSignal;
}

/** Above this many points the default layout runs LARGE_N_EPOCHS epochs. */
export const LARGE_N = 50000;
const LARGE_N_EPOCHS = 100;

/**
 * Default epochs for n points: umap-js's schedule (500 up to 2,500 points, 400 to 5,000, 300 to 7,500, 200 above;
 * umap-learn uses 500 up to 10,000) and 100 above LARGE_N. Measured in bench/umap.ts: on 10,000 x 16, 500 epochs gave
 * trustworthiness 0.987 like umap-js's 200 (0.988) at 2.5x the time; on 60,000 x 16, 100 epochs take half the CPU
 * time of 200 (14.9 vs 29.8 s) for 0.979 instead of 0.983.
 */
export function defaultUmapEpochs(n: number): number {
  if (n > LARGE_N) return LARGE_N_EPOCHS;
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

/** Restricts a kNN result to its first `k` neighbours per point. */
function truncateKnn(knn: KnnResult, k: number): KnnResult {
  if (knn.k === k) return knn;
  if (knn.k < k) throw new RangeError(`precomputed kNN has ${knn.k} neighbours, ${k} needed`);
  const indices = new Int32Array(knn.n * k);
  const distances = new Float32Array(knn.n * k);
  for (let i = 0; i < knn.n; i++) {
    indices.set(knn.indices.subarray(i * knn.k, i * knn.k + k), i * k);
    distances.set(knn.distances.subarray(i * knn.k, i * knn.k + k), i * k);
  }
  return { n: knn.n, k, indices, distances };
}

/** PCA start layout scaled so the largest coordinate is 10, plus tiny seeded noise (umap-learn's spectral scaling). */
function initialLayout(data: Float32Array, n: number, d: number, dims: number, seed: number): Float32Array {
  const q = Math.min(d, dims);
  const pca = fitPca(data, n, d, q);
  const proj = pcaTransform(pca, data, n);
  const out = new Float32Array(n * dims);
  let maxAbs = 0;
  for (let i = 0; i < n * q; i++) maxAbs = Math.max(maxAbs, Math.abs(proj[i]));
  const scale = maxAbs > 0 ? 10 / maxAbs : 1;
  const rand = createRng(deriveSeed(seed, 1));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dims; c++) {
      const base = c < q ? proj[i * q + c] * scale : 0;
      out[i * dims + c] = base + (c < q ? 1e-4 : 1) * (rand() * 2 - 1);
    }
  }
  return out;
}

/**
 * SGD layout of a fuzzy graph, starting from `embedding` (`n x dims`, updated in place). Edges below
 * `max weight / nEpochs` never get sampled and are dropped, as in umap-learn.
 */
export async function optimizeLayout(
  graph: FuzzyGraph,
  embedding: Float32Array,
  dims: number,
  opts: { nEpochs: number; a: number; b: number; negativeSampleRate: number; learningRate: number; repulsionStrength: number; seed: number; onEpoch?: (epoch: number) => void; signal?: AbortSignal },
): Promise<void> {
  const { nEpochs, a, b, negativeSampleRate, learningRate: initialAlpha, repulsionStrength: gamma } = opts;
  const n = graph.n;
  let maxW = 0;
  for (let e = 0; e < graph.weight.length; e++) maxW = Math.max(maxW, graph.weight[e]);
  const keep: number[] = [];
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e] >= maxW / nEpochs) keep.push(e);
  const m = keep.length;
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const epochsPerSample = new Float64Array(m);
  keep.forEach((e, i) => {
    head[i] = graph.head[e];
    tail[i] = graph.tail[e];
    epochsPerSample[i] = maxW / graph.weight[e];
  });
  const epochsPerNegative = new Float64Array(m);
  for (let i = 0; i < m; i++) epochsPerNegative[i] = epochsPerSample[i] / negativeSampleRate;
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNegative = Float64Array.from(epochsPerNegative);
  // Float64 working copy: no float32 rounding on every store; written back at the end.
  const y = Float64Array.from(embedding);
  const scaleN = n / 4294967296;
  // xorshift32 for the negative samples (cheap enough to draw hundreds of millions).
  let state = (deriveSeed(opts.seed, 2) | 1) >>> 0;
  const twoAB = 2 * a * b;
  const twoGB = 2 * gamma * b;
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const alpha = initialAlpha * (1 - epoch / nEpochs);
    for (let i = 0; i < m; i++) {
      if (nextSample[i] > epoch) continue;
      const j = head[i] * dims;
      const k = tail[i] * dims;
      let d2 = 0;
      for (let c = 0; c < dims; c++) {
        const diff = y[j + c] - y[k + c];
        d2 += diff * diff;
      }
      if (d2 > 0) {
        const q = Math.exp(b * Math.log(d2)); // d2^b; exp(log) is ~3x faster than Math.pow in V8
        const coeff = (-twoAB * q) / (d2 * (a * q + 1));
        for (let c = 0; c < dims; c++) {
          let g = coeff * (y[j + c] - y[k + c]);
          g = g > 4 ? 4 : g < -4 ? -4 : g;
          y[j + c] += g * alpha;
          y[k + c] -= g * alpha;
        }
      }
      nextSample[i] += epochsPerSample[i];
      const nNeg = Math.floor((epoch - nextNegative[i]) / epochsPerNegative[i]);
      for (let p = 0; p < nNeg; p++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const kk = Math.floor((state >>> 0) * scaleN) * dims; // uniform in 0..n-1 without an integer division
        let s2 = 0;
        for (let c = 0; c < dims; c++) {
          const diff = y[j + c] - y[kk + c];
          s2 += diff * diff;
        }
        if (s2 > 0) {
          const coeff = twoGB / ((0.001 + s2) * (a * Math.exp(b * Math.log(s2)) + 1));
          for (let c = 0; c < dims; c++) {
            let g = coeff * (y[j + c] - y[kk + c]);
            g = g > 4 ? 4 : g < -4 ? -4 : g;
            y[j + c] += g * alpha;
          }
        } else if (j !== kk) {
          for (let c = 0; c < dims; c++) y[j + c] += 4 * alpha;
        }
      }
      nextNegative[i] += nNeg * epochsPerNegative[i];
    }
    opts.onEpoch?.(epoch + 1);
    if ((epoch & 3) === 3) await checkpoint(opts.signal);
  }
  embedding.set(y);
}

/**
 * UMAP's fuzzy graph of `n x d` rows: exact kNN with `nNeighbors - 1` neighbours (or `options.knn`), then the fuzzy
 * simplicial set. It does not depend on the seed or the layout settings, so several layouts can share it.
 */
export async function umapGraph(
  data: Float32Array,
  n: number,
  d: number,
  options: Pick<FastUmapOptions, 'nNeighbors' | 'knn' | 'threads' | 'onProgress' | 'signal'>,
): Promise<FuzzyGraph> {
  const { signal, onProgress } = options;
  // A single point has no neighbours, so no edges.
  if (n < 2) return { n, head: new Int32Array(0), tail: new Int32Array(0), weight: new Float32Array(0) };
  const k = Math.max(1, Math.min((options.nNeighbors ?? 15) - 1, n - 1));
  const knn = options.knn
    ? truncateKnn(options.knn, k)
    : await exactKnn(data, n, d, k, { threads: options.threads, signal, onProgress: (done, total) => onProgress?.({ stage: 'knn', done, total }) });
  throwIfAborted(signal);
  onProgress?.({ stage: 'graph', done: 0, total: 1 });
  const graph = fuzzySimplicialSet(knn);
  onProgress?.({ stage: 'graph', done: 1, total: 1 });
  return graph;
}

/** Embeds `n x d` rows into `n x nComponents` coordinates (see the module comment). */
export async function fastUmap(data: Float32Array, n: number, d: number, options: FastUmapOptions): Promise<Float32Array> {
  const dims = options.nComponents;
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`nComponents must be a positive integer, got ${dims}`);
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  if (n < 3) return new Float32Array(n * dims);
  const seed = options.seed ?? 0;
  const graph = options.graph ?? (await umapGraph(data, n, d, options));
  throwIfAborted(signal);
  const nEpochs = options.nEpochs ?? defaultUmapEpochs(n);
  const { a, b } = findABParams(options.spread ?? 1, options.minDist ?? 0.1);
  const embedding = initialLayout(data, n, d, dims, seed);
  await optimizeLayout(graph, embedding, dims, {
    nEpochs,
    a,
    b,
    negativeSampleRate: options.negativeSampleRate ?? 5,
    learningRate: options.learningRate ?? 1,
    repulsionStrength: options.repulsionStrength ?? 1,
    seed,
    signal,
    onEpoch: (epoch) => onProgress?.({ stage: 'layout', done: epoch, total: nEpochs }),
  });
  return embedding;
}
