/**
 * The embedding while it trains: after each epoch, encode a fixed, seeded sample of the data (at most `maxPoints`
 * rows, so the cost per epoch stays small) and lay it out in 2D for the panel's live scatter.
 *
 * Layout: a latent of 1 or 2 dimensions is plotted as is; a wider one goes through PCA fitted on this epoch's codes.
 * PCA axes are only defined up to sign, and refitting every epoch would make the picture flip from one frame to the
 * next; each component is therefore flipped when its dot product with the previous frame's component is negative,
 * so successive frames stay oriented alike.
 */
import type { Autoencoder } from '../models/types';
import { encode } from '../inference';
import { shuffledIndices } from '../../common/random';
import { fitPca, pcaTransform } from './pca';

/** Default cap on the number of points encoded per epoch. */
export const LIVE_EMBEDDING_POINTS = 5000;

export interface LiveEmbeddingFrame {
  /** Dataset row of each point, ascending. */
  indices: Int32Array;
  /** `indices.length x 2` coordinates. */
  coords: Float32Array;
  /** `none` when the codes are plotted directly (latent <= 2), else `pca`. */
  method: 'none' | 'pca';
  /** PCA only: fraction of variance of the two axes. */
  explainedVariance?: number[];
}

export interface LiveEmbeddingOptions {
  maxPoints?: number;
  seed?: number;
  /** Per-row condition vectors of the whole dataset (CVAE), `n x c`. */
  condition?: Float32Array;
}

/** Tracks one training run: `frame(model)` after each epoch. */
export interface LiveEmbedding {
  readonly indices: Int32Array;
  frame(model: Autoencoder): LiveEmbeddingFrame;
}

/** Rows `indices` of a row-major `? x dim` matrix, copied. */
function gather(x: Float32Array, dim: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((r, i) => out.set(x.subarray(r * dim, r * dim + dim), i * dim));
  return out;
}

/**
 * Picks the sample once (seeded, sorted so the panel can map points back to rows) and returns a tracker that
 * encodes it with the current weights on each call.
 */
export function createLiveEmbedding(normalized: Float32Array, n: number, dim: number, opts: LiveEmbeddingOptions = {}): LiveEmbedding {
  const max = Math.max(1, Math.floor(opts.maxPoints ?? LIVE_EMBEDDING_POINTS));
  const indices = n <= max ? Int32Array.from({ length: n }, (_, i) => i) : shuffledIndices(n, opts.seed ?? 0).slice(0, max).sort();
  const rows = gather(normalized, dim, indices);
  const condition = opts.condition ? gather(opts.condition, opts.condition.length / n, indices) : undefined;
  let previous: Float64Array | undefined;
  return {
    indices,
    frame(model: Autoencoder): LiveEmbeddingFrame {
      const d = model.config.latentDim;
      const m = indices.length;
      const codes = encode(model, rows, m, undefined, condition);
      if (d <= 2) {
        const coords = new Float32Array(m * 2);
        for (let i = 0; i < m; i++) for (let t = 0; t < d; t++) coords[i * 2 + t] = codes[i * d + t];
        return { indices, coords, method: 'none' };
      }
      const pca = fitPca(codes, m, d, 2);
      if (previous) {
        for (let c = 0; c < 2; c++) {
          let dot = 0;
          for (let t = 0; t < d; t++) dot += pca.components[c * d + t] * previous[c * d + t];
          if (dot < 0) for (let t = 0; t < d; t++) pca.components[c * d + t] = -pca.components[c * d + t];
        }
      }
      previous = Float64Array.from(pca.components);
      return { indices, coords: pcaTransform(pca, codes, m), method: 'pca', explainedVariance: pca.explainedVarianceRatio };
    },
  };
}
