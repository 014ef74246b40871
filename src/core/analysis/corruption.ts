/**
 * Corruptions for the denoising / occlusion demo: damage one sample, then let the model reconstruct it. Both work on
 * normalised values (so `level` means the same on every dataset) and are seeded.
 * - `noise`: additive Gaussian noise x + level * eps, eps ~ N(0, 1) per feature.
 * - `mask`: occlusion. Images (`[h, w, c]`) get a square patch covering `level` of the area set to the value of
 *   the darkest pixel (0 after min-max); other shapes get a random `level` fraction of features set to their minimum.
 */
import { createNormalRng, createRng, shuffledIndices } from '../../common/random';

export type CorruptionMode = 'noise' | 'mask';

export const CORRUPTION_MODES: readonly CorruptionMode[] = ['noise', 'mask'];

/**
 * A corrupted copy of `x` (one sample, normalised, flattened in `sampleShape` order). `level` in [0, 1]: the noise
 * standard deviation, or the masked fraction. The patch of an image is placed at a seeded random position.
 */
export function corruptSample(x: Float32Array, sampleShape: number[], mode: CorruptionMode, level: number, seed: number): Float32Array {
  if (!(level >= 0 && level <= 1)) throw new RangeError(`corruption level must be in [0, 1], got ${level}`);
  const out = Float32Array.from(x);
  if (mode === 'noise') {
    const rnd = createNormalRng(seed);
    for (let i = 0; i < out.length; i++) out[i] += level * rnd();
    return out;
  }
  let lo = Infinity;
  for (const v of x) lo = Math.min(lo, v);
  if (!Number.isFinite(lo)) return out;
  if (sampleShape.length === 3) {
    const [h, w, c] = sampleShape;
    const side = Math.round(Math.sqrt(level) * Math.min(h, w));
    if (side === 0) return out;
    const rand = createRng(seed);
    const top = Math.floor(rand() * (h - side + 1));
    const left = Math.floor(rand() * (w - side + 1));
    for (let r = top; r < top + side; r++) {
      for (let col = left; col < left + side; col++) for (let ch = 0; ch < c; ch++) out[(r * w + col) * c + ch] = lo;
    }
    return out;
  }
  const count = Math.round(level * x.length);
  const order = shuffledIndices(x.length, seed);
  for (let i = 0; i < count; i++) out[order[i]] = lo;
  return out;
}
