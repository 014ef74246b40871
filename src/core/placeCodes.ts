/**
 * New codes (another file encoded by a trained model) placed in an existing 2D/3D view of the training codes, so
 * scored data can be drawn over the training set:
 *
 * - `none` (the latent has at most 3 dimensions): the codes themselves, laid out as `project` lays out the training
 *   codes (extra view dimensions zero-padded).
 * - `pca`: the same transform as the view, `y = (z - mean) W^T`, with the mean and components refitted on the
 *   training codes (the fit is deterministic, eigenvector signs included, so it is the view's transform exactly).
 * - `umap`: UMAP has no closed-form transform; each new code is placed like umap-learn's `transform` initialises new
 *   points: at the weighted mean of the view positions of its k nearest training codes (Euclidean, in latent space),
 *   with UMAP's fuzzy membership weights `w_j = exp(-(d_j - rho) / sigma)`, `rho` the distance to the nearest
 *   neighbour and `sigma` the mean of `d_j - rho` (so a code equal to a training code lands next to it, and one
 *   between two groups lands between them). Exact neighbours: O(count x n x d).
 */
import { queryKnn } from './analysis/knn';
import { fitPca, pcaTransform } from './analysis/pca';
import type { ProjectionResult } from './analysis/results';

/** Neighbours a new code is placed against in a UMAP view (umap-learn's default n_neighbors is 15; 10 keeps it local). */
export const PLACEMENT_NEIGHBOURS = 10;

/** Training codes, `n x d`. */
export interface TrainingCodes {
  latent: Float32Array;
  n: number;
  d: number;
}

/** `count x view.dims` positions of `codes` (`count x d`) in `view`, the projection of `train`. */
export function placeCodes(train: TrainingCodes, view: ProjectionResult, codes: Float32Array, count: number, k = PLACEMENT_NEIGHBOURS): Float32Array {
  const { n, d } = train;
  const dims = view.dims;
  if (codes.length !== count * d) throw new RangeError(`expected ${count} x ${d} codes, got ${codes.length} values`);
  if (view.coords.length !== n * dims) throw new RangeError(`the view has ${view.coords.length / dims} points, the training codes ${n}`);
  if (view.method === 'none') {
    const out = new Float32Array(count * dims);
    for (let i = 0; i < count; i++) for (let t = 0; t < Math.min(d, dims); t++) out[i * dims + t] = codes[i * d + t];
    return out;
  }
  if (view.method === 'pca') return pcaTransform(fitPca(train.latent, n, d, dims), codes, count);
  return knnPlacement(train, view.coords, dims, codes, count, Math.max(1, Math.min(k, n)));
}

/** The UMAP placement: weighted mean of the view positions of the k nearest training codes. */
function knnPlacement(train: TrainingCodes, coords: Float32Array, dims: number, codes: Float32Array, count: number, k: number): Float32Array {
  const { indices, distances } = queryKnn(train.latent, train.n, train.d, codes, count, k);
  const out = new Float32Array(count * dims);
  for (let q = 0; q < count; q++) {
    const rho = distances[q * k];
    let sigma = 0;
    for (let j = 0; j < k; j++) sigma += distances[q * k + j] - rho;
    sigma = sigma / k || 1;
    let wSum = 0;
    for (let j = 0; j < k; j++) {
      const w = Math.exp(-(distances[q * k + j] - rho) / sigma);
      wSum += w;
      for (let c = 0; c < dims; c++) out[q * dims + c] += w * coords[indices[q * k + j] * dims + c];
    }
    for (let c = 0; c < dims; c++) out[q * dims + c] /= wSum;
  }
  return out;
}
