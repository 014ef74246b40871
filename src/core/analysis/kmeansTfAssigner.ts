/**
 * The `tfjs` k-means assignment kernel: `matMul(X, C^T)` on the active tfjs backend, argmin and sums in JS (see
 * kmeans.ts for when it is chosen).
 */
import { tf } from '../tf';
import { recordNearest, rowSquaredNorms } from './rowNorms';

/**
 * Labels every point with its nearest centroid, fills `dists` (squared distance to it) and returns the inertia;
 * with `sums`/`counts`, also accumulates each cluster's coordinate sums and sizes.
 */
export type Assigner = (centroids: Float32Array, labels: Int32Array, dists: Float64Array, sums?: Float64Array, counts?: Float64Array) => number;


/** Rows of X per matMul (bounds the `rows x k` product tensor). */
const TF_CHUNK = 65536;

/**
 * The tfjs assigner: X lives on the backend in chunks for the whole k-means call; each step uploads C^T (`d x k`),
 * reads back `X C^T` and finishes argmin, inertia and the sums in JS. Call `dispose` when done.
 */
export function createTfAssigner(data: Float32Array, n: number, d: number, k: number, xNorms: Float64Array): { assign: Assigner; dispose: () => void } {
  const chunks: tf.Tensor2D[] = [];
  for (let s = 0; s < n; s += TF_CHUNK) {
    const rows = Math.min(TF_CHUNK, n - s);
    chunks.push(tf.tensor2d(data.subarray(s * d, (s + rows) * d), [rows, d]));
  }
  const cT = new Float32Array(d * k);
  const assign: Assigner = (centroids, labels, dists, sums, counts) => {
    const cNorms = rowSquaredNorms(centroids, k, d);
    for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) cT[t * k + j] = centroids[j * d + t];
    const cTensor = tf.tensor2d(cT, [d, k]);
    let inertia = 0;
    try {
      let start = 0;
      for (const xb of chunks) {
        const prod = tf.matMul(xb, cTensor);
        const dots = prod.dataSync() as Float32Array;
        prod.dispose();
        const rows = xb.shape[0];
        for (let r = 0; r < rows; r++) {
          const i = start + r;
          const o = r * k;
          let best = Infinity;
          let bj = 0;
          for (let j = 0; j < k; j++) {
            const dist = cNorms[j] - 2 * dots[o + j];
            if (dist < best) {
              best = dist;
              bj = j;
            }
          }
          inertia += recordNearest(labels, dists, xNorms, i, bj, best);
        }
        start += rows;
      }
    } finally {
      cTensor.dispose();
    }
    if (sums && counts) {
      for (let i = 0; i < n; i++) {
        const so = labels[i] * d;
        const xo = i * d;
        for (let t = 0; t < d; t++) sums[so + t] += data[xo + t];
        counts[labels[i]] += 1;
      }
    }
    return inertia;
  };
  return { assign, dispose: () => chunks.forEach((c) => c.dispose()) };
}
