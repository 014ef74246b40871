/** Small synthetic datasets for model and training tests (seeded, in [0, 1]). */
import { createNormalRng, createRng } from '../../../src/common/random';

/** `n x dim` rows of rank-`rank` structure squashed into (0, 1): x = sigmoid(A z), z ~ N(0, I). */
export function lowRankData(n: number, dim: number, rank: number, seed: number): Float32Array {
  const rnd = createNormalRng(seed);
  const A = Array.from({ length: dim * rank }, () => rnd());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: rank }, () => rnd());
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += A[j * rank + r] * z[r];
      x[i * dim + j] = 1 / (1 + Math.exp(-s));
    }
  }
  return x;
}


/** Mean of an array. */
export function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

/** `n` images `size x size` (one channel), each a Gaussian blob (sigma `size / 6`) at a random position. */
export function blobImages(n: number, size: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const x = new Float32Array(n * size * size);
  const s2 = 2 * (size / 6) ** 2;
  for (let i = 0; i < n; i++) {
    const cy = rand() * (size - 1);
    const cx = rand() * (size - 1);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) x[i * size * size + r * size + c] = Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / s2);
    }
  }
  return x;
}
