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

/**
 * The codes `request` asks for, `rows x cols` of them row-major (`rows * cols x latentDim`). `baseCode(index)` gives
 * a sample's code, or the mean code when `index` is undefined; it is only called for grids and traversals.
 * Prior draws need a model with a prior ({@link hasPrior}).
 */
export function generatedCodes(
  request: GenerateRequest,
  model: { kind: ModelKind; latentDim: number },
  baseCode: (index: number | undefined) => Float32Array,
): { latent: Float32Array; rows: number; cols: number } {
  switch (request.mode) {
    case 'grid':
      return { latent: latentGrid(baseCode(request.base), request.dimX, request.dimY, request.span, request.steps, request.steps), rows: request.steps, cols: request.steps };
    case 'traversal':
      return { latent: traversal(baseCode(request.base), request.dim, linspace(-request.span, request.span, request.steps)), rows: 1, cols: request.steps };
    case 'prior':
      if (!hasPrior(model.kind)) throw new Error('Sampling from the prior needs a VAE or CVAE model.');
      return { latent: samplePrior(request.count, model.latentDim, request.seed), rows: 1, cols: request.count };
  }
}
