/** Squared norm of each row of an `n x d` matrix. */
export function rowSquaredNorms(data: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let t = 0; t < d; t++) s += data[o + t] * data[o + t];
    out[i] = s;
  }
  return out;
}
