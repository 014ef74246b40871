/**
 * Walks through latent space: interpolation paths between two codes, 2D grids and 1D traversals around a code,
 * and draws from the standard normal prior (for VAEs). All functions return row-major `rows x d` Float32Arrays.
 */
import type { InterpolationMode } from './results';
import { createNormalRng } from '../../common/random';

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/**
 * `steps` codes from `a` to `b`, endpoints exact. `linear`: `(1 - t) a + t b`. `spherical` (slerp, Shoemake 1985):
 * `sin((1 - t) w) / sin w * a + sin(t w) / sin w * b` with `w` the angle between a and b, which follows the great
 * circle and keeps the norm when |a| = |b|; falls back to linear when a and b are (anti)parallel or zero, where the
 * formula is ill-conditioned.
 */
export function interpolate(a: Float32Array, b: Float32Array, steps: number, mode: InterpolationMode = 'linear'): Float32Array {
  const d = a.length;
  if (b.length !== d) throw new Error(`interpolate: endpoints differ in length (${d} vs ${b.length})`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`interpolate: steps must be an integer >= 2, got ${steps}`);
  const out = new Float32Array(steps * d);
  const na = norm(a);
  const nb = norm(b);
  let omega = 0;
  if (mode === 'spherical' && na > 0 && nb > 0) {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += a[t] * b[t];
    omega = Math.acos(Math.max(-1, Math.min(1, dot / (na * nb))));
  }
  const useSlerp = mode === 'spherical' && omega > 1e-4 && Math.PI - omega > 1e-4;
  const sinOmega = Math.sin(omega);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    const wa = useSlerp ? Math.sin((1 - t) * omega) / sinOmega : 1 - t;
    const wb = useSlerp ? Math.sin(t * omega) / sinOmega : t;
    for (let j = 0; j < d; j++) out[s * d + j] = wa * a[j] + wb * b[j];
  }
  out.set(a, 0);
  out.set(b, (steps - 1) * d);
  return out;
}

/** `count` evenly spaced values from `center - span` to `center + span` (just `center` when count is 1). */
function ramp(center: number, span: number, count: number): number[] {
  if (count === 1) return [center];
  return Array.from({ length: count }, (_, i) => center - span + (2 * span * i) / (count - 1));
}

/**
 * A `stepsY x stepsX` grid of codes around `center`, varying latent dimension `dimX` along rows' x and `dimY`
 * along y by `+-span`; other dimensions stay at `center`. Row-major: cell (iy, ix) is row `iy * stepsX + ix`.
 */
export function latentGrid(center: Float32Array, dimX: number, dimY: number, span: number, stepsX: number, stepsY: number): Float32Array {
  const d = center.length;
  for (const dim of [dimX, dimY]) if (!Number.isInteger(dim) || dim < 0 || dim >= d) throw new Error(`latentGrid: dimension ${dim} out of range 0..${d - 1}`);
  const xs = ramp(center[dimX], span, stepsX);
  const ys = ramp(center[dimY], span, stepsY);
  const out = new Float32Array(stepsX * stepsY * d);
  for (let iy = 0; iy < stepsY; iy++) {
    for (let ix = 0; ix < stepsX; ix++) {
      const o = (iy * stepsX + ix) * d;
      out.set(center, o);
      out[o + dimX] = xs[ix];
      out[o + dimY] = ys[iy];
    }
  }
  return out;
}

/** One code per value in `values`: `base` with latent dimension `dim` set to that value. */
export function traversal(base: Float32Array, dim: number, values: number[]): Float32Array {
  const d = base.length;
  if (!Number.isInteger(dim) || dim < 0 || dim >= d) throw new Error(`traversal: dimension ${dim} out of range 0..${d - 1}`);
  const out = new Float32Array(values.length * d);
  values.forEach((v, i) => {
    out.set(base, i * d);
    out[i * d + dim] = v;
  });
  return out;
}

/** `count x d` draws from the standard normal N(0, I), the VAE prior. Seeded. */
export function samplePrior(count: number, d: number, seed = 0): Float32Array {
  const rand = createNormalRng(seed);
  const out = new Float32Array(count * d);
  for (let i = 0; i < out.length; i++) out[i] = rand();
  return out;
}
