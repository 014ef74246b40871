/** Shared helpers for the backend tests: seeded inputs and "run the same thing on cpu and on wasm". */
import { tf } from '../../../src/core/tf';
import { createNormalRng } from '../../../src/common/random';

/** `n` standard-normal floats from `seed`. */
export function randomData(n: number, seed: number): Float32Array {
  const r = createNormalRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r();
  return out;
}

/** Largest absolute element-wise difference (shapes must match in length). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Switches to `backend`, runs `build` inside tf.tidy, reads every output back and disposes them. The tensors `build`
 * creates must be made inside it (from plain arrays), so each backend computes from the same numbers.
 */
export async function runOn(backend: string, build: () => tf.Tensor | tf.Tensor[]): Promise<{ values: Float32Array[]; shapes: number[][] }> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} unavailable`);
  await tf.ready();
  const out = tf.tidy(build);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  const shapes = list.map((t) => t.shape);
  tf.dispose(list);
  return { values, shapes };
}
