/** Synthetic data with known structure for the analysis, export and explorer tests. */
import { createNormalRng } from '../../../src/common/random';
import type { FuzzyGraph } from '../../../src/core/analysis/umapGraph';

export interface Blobs {
  x: Float32Array;
  n: number;
  d: number;
  truth: Int32Array;
  centers: Float32Array;
}

/**
 * `n` points in `d` dimensions around `k` random centres (coordinates ~ N(0, spread^2)), isotropic noise `sigma`,
 * point i in cluster `i % k` (shuffled-looking but known).
 */
export function gaussianBlobs(n: number, d: number, k: number, sigma: number, seed: number, spread = 5): Blobs {
  const rand = createNormalRng(seed);
  const centers = Float32Array.from({ length: k * d }, () => rand() * spread);
  const x = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = (i * 7 + 3) % k;
    truth[i] = c;
    for (let t = 0; t < d; t++) x[i * d + t] = centers[c * d + t] + rand() * sigma;
  }
  return { x, n, d, truth, centers };
}

/** An undirected weighted graph with each edge listed in both directions, as UMAP's fuzzy graph lists them. */
export function graphOf(n: number, edges: [number, number, number][]): FuzzyGraph {
  const head: number[] = [];
  const tail: number[] = [];
  const weight: number[] = [];
  for (const [a, b, w] of edges) {
    head.push(a, b);
    tail.push(b, a);
    weight.push(w, w);
  }
  return { n, head: Int32Array.from(head), tail: Int32Array.from(tail), weight: Float32Array.from(weight) };
}
