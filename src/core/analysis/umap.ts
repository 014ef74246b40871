/**
 * UMAP (McInnes, Healy & Melville 2018) via `umap-js`: builds a fuzzy k-nearest-neighbour graph of the latent codes
 * and lays it out in 2 or 3 dimensions by stochastic gradient descent on a cross-entropy between the high- and
 * low-dimensional fuzzy graphs. All randomness (NN-descent, initial layout, negative sampling) comes from a seeded
 * `createRng`, so the same seed gives the same layout.
 */
import { UMAP } from 'umap-js';
import { createRng } from '../random';

export interface UmapOptions {
  nComponents: 2 | 3;
  /** Size of the local neighbourhood (larger: more global structure). Default 15. */
  nNeighbors?: number;
  /** How tightly points may pack in the layout. Default 0.1. */
  minDist?: number;
  /** Optimisation epochs; default chosen by umap-js from n. */
  nEpochs?: number;
  seed?: number;
}

/** Embeds `n x d` rows into `n x nComponents` coordinates. */
export function umapEmbed(data: Float32Array, n: number, d: number, options: UmapOptions): Float32Array {
  const dims = options.nComponents;
  if (n < 2) return new Float32Array(n * dims);
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(data.subarray(i * d, i * d + d));
  const umap = new UMAP({
    nComponents: dims,
    nNeighbors: Math.max(2, Math.min(options.nNeighbors ?? 15, n - 1)),
    minDist: options.minDist ?? 0.1,
    nEpochs: options.nEpochs,
    random: createRng(options.seed ?? 0),
  });
  const embedding = umap.fit(rows);
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) out[i * dims + c] = embedding[i][c];
  return out;
}
