/**
 * Feature normalisation: an affine map per feature, `x' = (x - offset[j]) / scale[j]`, fitted on the training data
 * and stored (as plain JSON) next to the model so that decoded outputs can be mapped back to data units.
 *
 * - `minmax`:   offset = min, scale = max - min, so the fitted data lies in [0, 1] (suits a sigmoid decoder output).
 * - `standard`: offset = mean, scale = population standard deviation, so each feature has mean 0 and variance 1.
 * - `none`:     offset = 0, scale = 1 (identity).
 *
 * A constant feature (max = min, or zero variance) gets scale 1, so nothing is ever divided by zero.
 * With `perFeature = false` one offset/scale pair is fitted over all values (the usual choice for images, where
 * every pixel shares the same units); the arrays then have length 1.
 */
import type { Dataset } from './dataset';

export type NormalizationKind = 'minmax' | 'standard' | 'none';

/** x' = (x - offset[j]) / scale[j]; serialisable to JSON. perFeature=false uses one offset/scale for all features (images). */
export interface Normalizer {
  kind: NormalizationKind;
  perFeature: boolean;
  offset: number[];
  scale: number[];
}

/** A scale that is zero, negative zero or not finite would blow up the map: fall back to 1. */
function safeScale(s: number): number {
  return Number.isFinite(s) && s > 0 ? s : 1;
}

/**
 * Fits a normaliser on `n x dim` row-major `features`. Statistics are accumulated in float64 in one pass
 * (min/max) or two passes (mean, then the sum of squared deviations, which is numerically stabler than E[x²]-E[x]²).
 */
export function fitNormalizer(features: Float32Array, n: number, dim: number, kind: NormalizationKind, perFeature: boolean): Normalizer {
  if (features.length < n * dim) throw new RangeError(`fitNormalizer: features has ${features.length} values, expected ${n} x ${dim}`);
  const groups = perFeature ? dim : 1;
  const group = (j: number): number => (perFeature ? j : 0);
  const offset = new Array<number>(groups).fill(0);
  const scale = new Array<number>(groups).fill(1);
  if (kind === 'none' || n === 0 || dim === 0) return { kind, perFeature, offset, scale };

  if (kind === 'minmax') {
    const lo = new Float64Array(groups).fill(Infinity);
    const hi = new Float64Array(groups).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      const row = i * dim;
      for (let j = 0; j < dim; j++) {
        const v = features[row + j];
        const g = group(j);
        if (v < lo[g]) lo[g] = v;
        if (v > hi[g]) hi[g] = v;
      }
    }
    for (let g = 0; g < groups; g++) {
      offset[g] = Number.isFinite(lo[g]) ? lo[g] : 0;
      scale[g] = safeScale(hi[g] - lo[g]);
    }
    return { kind, perFeature, offset, scale };
  }

  // standard: mean, then population variance around it.
  const count = perFeature ? n : n * dim;
  const sum = new Float64Array(groups);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) sum[group(j)] += features[row + j];
  }
  const mean = Array.from(sum, (s) => s / count);
  const sq = new Float64Array(groups);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) {
      const d = features[row + j] - mean[group(j)];
      sq[group(j)] += d * d;
    }
  }
  for (let g = 0; g < groups; g++) {
    offset[g] = mean[g];
    scale[g] = safeScale(Math.sqrt(sq[g] / count));
  }
  return { kind, perFeature, offset, scale };
}

function checkShape(norm: Normalizer, data: Float32Array, dim: number): void {
  if (dim <= 0 || data.length % dim !== 0) throw new RangeError(`normalizer: ${data.length} values is not a whole number of rows of ${dim}`);
  const expected = norm.perFeature ? dim : 1;
  if (norm.offset.length !== expected || norm.scale.length !== expected) {
    throw new RangeError(`normalizer: fitted for ${norm.offset.length} feature(s), data has ${dim}`);
  }
}

/** Returns a new array `x' = (x - offset[j]) / scale[j]` for every row of `data` (`dim` values per row). */
export function applyNormalizer(norm: Normalizer, data: Float32Array, dim: number): Float32Array {
  checkShape(norm, data, dim);
  const out = new Float32Array(data.length);
  if (!norm.perFeature) {
    const o = norm.offset[0];
    const s = norm.scale[0];
    for (let k = 0; k < data.length; k++) out[k] = (data[k] - o) / s;
    return out;
  }
  for (let k = 0; k < data.length; k += dim) {
    for (let j = 0; j < dim; j++) out[k + j] = (data[k + j] - norm.offset[j]) / norm.scale[j];
  }
  return out;
}

/** Returns a new array `x = x' * scale[j] + offset[j]`: the inverse of `applyNormalizer` (back to data units). */
export function invertNormalizer(norm: Normalizer, data: Float32Array, dim: number): Float32Array {
  checkShape(norm, data, dim);
  const out = new Float32Array(data.length);
  if (!norm.perFeature) {
    const o = norm.offset[0];
    const s = norm.scale[0];
    for (let k = 0; k < data.length; k++) out[k] = data[k] * s + o;
    return out;
  }
  for (let k = 0; k < data.length; k += dim) {
    for (let j = 0; j < dim; j++) out[k + j] = data[k + j] * norm.scale[j] + norm.offset[j];
  }
  return out;
}

/** Images: min-max over all pixels (one global pair keeps pixels comparable). Tables and sequences: min-max per feature. */
export function defaultNormalization(ds: Dataset): { kind: NormalizationKind; perFeature: boolean } {
  // Time-series windows: standardised (and the model's output linear), so level shifts stay visible.
  if (ds.kind === 'sequence') return { kind: 'standard', perFeature: true };
  return ds.kind === 'image' ? { kind: 'minmax', perFeature: false } : { kind: 'minmax', perFeature: true };
}
