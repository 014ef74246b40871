/**
 * 2D/3D views of the latent space for the scatter plot: PCA (linear, fast, with explained variance), UMAP
 * (non-linear neighbourhood layout; ./fastUmap.ts, seconds for 60,000 points) or, when the latent already has at most 3 dimensions, the codes themselves.
 */
import type { ProjectionMethod, ProjectionResult } from './results';
import { fitPca, pcaTransform } from './pca';
import { fastUmap } from './fastUmap';
import type { UmapProgress } from './fastUmap';

/**
 * Projects `n x d` latent codes to `dims` coordinates with `method`. A latent with d <= 3 is returned as is (method
 * `none`): a 3D latent asked for in 2D is also kept in 3D, and a 2D (or 1D) latent asked for in 3D is zero-padded.
 */
export async function project(
  latent: Float32Array,
  n: number,
  d: number,
  method: ProjectionMethod,
  dims: 2 | 3,
  seed = 0,
  control: { onProgress?: (p: UmapProgress) => void; signal?: AbortSignal } = {},
): Promise<ProjectionResult> {
  if (d <= 3 || method === 'none') {
    if (d > 3) throw new Error(`method 'none' needs a latent of at most 3 dimensions, got ${d}`);
    const outDims: 2 | 3 = d === 3 || dims === 3 ? 3 : 2;
    if (outDims === d) return { method: 'none', dims: outDims, coords: Float32Array.from(latent.subarray(0, n * d)) };
    const coords = new Float32Array(n * outDims);
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) coords[i * outDims + t] = latent[i * d + t];
    return { method: 'none', dims: outDims, coords };
  }
  if (method === 'pca') {
    const pca = fitPca(latent, n, d, dims);
    return { method, dims, coords: pcaTransform(pca, latent, n), explainedVariance: pca.explainedVarianceRatio };
  }
  return { method: 'umap', dims, coords: await fastUmap(latent, n, d, { nComponents: dims, seed, onProgress: control.onProgress, signal: control.signal }) };
}
