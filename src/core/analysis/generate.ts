/**
 * The codes the Generate tab decodes: a 2D grid or a one-dimension traversal around a base code, or draws from the
 * VAE prior. Computed beside the codes (in the explorer), so only the `rows x cols` generated rows ever cross a
 * thread or process boundary.
 */
import type { GenerateRequest } from '../explorer';
import type { ModelKind } from '../models/types';
import { latentGrid, samplePrior, traversal } from './latentOps';

/** Evenly spaced values from `lo` to `hi` inclusive (`steps >= 2`). */
export function linspace(lo: number, hi: number, steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * i) / (steps - 1));
}

/** Mean of the `n` rows of `latent` (`n x d`), accumulated in double precision; zeros when `n` is 0. */
export function meanCode(latent: Float32Array, n: number, d: number): Float32Array {
  const sum = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sum[j] += latent[i * d + j];
  return Float32Array.from(sum, (s) => (n > 0 ? s / n : 0));
}

/** Model kinds with a standard normal prior to sample from. */
export function hasPrior(kind: ModelKind): boolean {
  return kind === 'vae' || kind === 'cvae';
}

/** Per-dimension mean and standard deviation of `n x d` codes. */
export interface CodeMoments {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Mean and (population) standard deviation of each latent dimension, in float64:
 * `std_j = sqrt(mean_i (z_ij - mean_j)^2)`. A constant dimension gets std 0.
 */
export function codeMoments(latent: Float32Array, n: number, d: number): CodeMoments {
  const mean = meanCode(latent, n, d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const t = latent[i * d + j] - mean[j]; sq[j] += t * t; }
  return { mean, std: Float32Array.from(sq, (s) => (n > 0 ? Math.sqrt(s / n) : 0)) };
}

/** Rescales the offsets from `center` along `dims` of every `d`-wide code in `codes` by `std[dim]`, in place. */
function scaleOffsets(codes: Float32Array, center: Float32Array, dims: number[], std: Float32Array): void {
  const d = center.length;
  for (let o = 0; o < codes.length; o += d) for (const j of dims) codes[o + j] = center[j] + (codes[o + j] - center[j]) * std[j];
}

/**
 * The codes `request` asks for, `rows x cols` of them row-major (`rows * cols x latentDim`). `baseCode(index)` gives
 * a sample's code, or the mean code when `index` is undefined; it is only called for grids and traversals.
 * Prior draws need a model with a prior ({@link hasPrior}). With `unit: 'std'`, `moments()` gives the codes' per-dimension
 * mean and std: a grid spans `center ± span * std` along its two dimensions, a traversal `mean ± span * std`.
 */
export function generatedCodes(
  request: GenerateRequest,
  model: { kind: ModelKind; latentDim: number },
  baseCode: (index: number | undefined) => Float32Array,
  moments?: () => CodeMoments,
): { latent: Float32Array; rows: number; cols: number } {
  const m = request.unit === 'std' && request.mode !== 'prior' ? moments?.() : undefined;
  if (request.unit === 'std' && request.mode !== 'prior' && !m) throw new Error('generate: spans in standard deviations need the codes\' moments');
  switch (request.mode) {
    case 'grid': {
      const center = baseCode(request.base);
      const latent = latentGrid(center, request.dimX, request.dimY, request.span, request.steps, request.steps);
      if (m) scaleOffsets(latent, center, [request.dimX, request.dimY], m.std);
      return { latent, rows: request.steps, cols: request.steps };
    }
    case 'traversal': {
      const values = linspace(-request.span, request.span, request.steps).map((v) => (m ? m.mean[request.dim] + v * m.std[request.dim] : v));
      return { latent: traversal(baseCode(request.base), request.dim, values), rows: 1, cols: request.steps };
    }
    case 'prior':
      if (!hasPrior(model.kind)) throw new Error('Sampling from the prior needs a VAE or CVAE model.');
      return { latent: samplePrior(request.count, model.latentDim, request.seed), rows: 1, cols: request.count };
  }
}
