/**
 * UMAP's fuzzy simplicial set (McInnes, Healy & Melville 2018, section 3; umap-learn's `fuzzy_simplicial_set`) from
 * a k-nearest-neighbour graph, in flat typed arrays.
 *
 * For each point i with neighbour distances d_i1 <= ... <= d_ik (itself excluded), rho_i is the distance to the
 * nearest neighbour at a positive distance and sigma_i solves, by bisection,
 *
 *     sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2(k + 1)
 *
 * (k + 1 = umap-learn's n_neighbors, which counts the point itself). The directed membership strengths
 * w_ij = exp(-max(0, d_ij - rho_i) / sigma_i) are then symmetrised with the probabilistic t-conorm
 * w = w_ij + w_ji - w_ij w_ji, giving an undirected graph returned as a list of directed edges (both directions).
 */
import type { KnnResult } from './knn';

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;
const BISECTION_STEPS = 64;

export interface FuzzyGraph {
  n: number;
  /** Edge e goes from `head[e]` to `tail[e]` with weight `weight[e]`; each undirected edge appears in both directions. */
  head: Int32Array;
  tail: Int32Array;
  weight: Float32Array;
}

/** rho and sigma per point (see the module comment). */
export function smoothKnnDistances(knn: KnnResult): { rho: Float64Array; sigma: Float64Array } {
  const { n, k, distances } = knn;
  const target = Math.log2(k + 1);
  const rho = new Float64Array(n);
  const sigma = new Float64Array(n);
  let meanAll = 0;
  for (let e = 0; e < n * k; e++) meanAll += distances[e];
  meanAll /= n * k;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let r = 0;
    for (let j = 0; j < k; j++) {
      if (distances[o + j] > 0) {
        r = distances[o + j];
        break;
      }
    }
    rho[i] = r;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const dd = distances[o + j] - r;
        psum += dd > 0 ? Math.exp(-dd / mid) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    let meanI = 0;
    for (let j = 0; j < k; j++) meanI += distances[o + j];
    meanI /= k;
    sigma[i] = Math.max(mid, MIN_K_DIST_SCALE * (r > 0 ? meanI : meanAll));
  }
  return { rho, sigma };
}

/** The symmetrised fuzzy graph of a kNN result (see the module comment). */
export function fuzzySimplicialSet(knn: KnnResult): FuzzyGraph {
  const { n, k, indices, distances } = knn;
  const { rho, sigma } = smoothKnnDistances(knn);
  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const e = i * k + j;
      const dd = distances[e] - rho[i];
      w[e] = indices[e] === i || indices[e] < 0 ? 0 : dd <= 0 ? 1 : Math.exp(-dd / sigma[i]);
    }
  }
  /** Weight of the directed edge a -> b, 0 if b is not among a's neighbours. */
  const directed = (a: number, b: number): number => {
    for (let j = 0; j < k; j++) if (indices[a * k + j] === b) return w[a * k + j];
    return 0;
  };
  const head: number[] = [];
  const tail: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const e = i * k + j;
      const t = indices[e];
      if (t < 0 || t === i) continue;
      const wij = w[e];
      const wji = directed(t, i);
      const s = wij + wji - wij * wji;
      if (s <= 0) continue;
      head.push(i);
      tail.push(t);
      weight.push(s);
      if (wji === 0 && !knnHas(indices, k, t, i)) {
        // t does not list i: this direction only comes from here.
        head.push(t);
        tail.push(i);
        weight.push(s);
      }
    }
  }
  return { n, head: Int32Array.from(head), tail: Int32Array.from(tail), weight: Float32Array.from(weight) };
}

function knnHas(indices: Int32Array, k: number, a: number, b: number): boolean {
  for (let j = 0; j < k; j++) if (indices[a * k + j] === b) return true;
  return false;
}
