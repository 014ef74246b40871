/**
 * K-means speed: our Lloyd iterations (src/core/analysis/kmeans.ts, plain TS kernel) vs scikit-learn's KMeans
 * (algorithm='lloyd') on the same 60,000 x 32 float32 data, k = 10, the same initial centroids, n_init 1,
 * max_iter 20, tol 0, both measured in this run. Times both assignment kernels (auto = tfjs matMul on wasm/native,
 * plain TS loop) and a tfjs transposed-matMul + argMin step, for the record of why `auto` picks what it picks. Run: `npm run bench:kmeans`.
 * Env: KMEANS_N (default 60000), KMEANS_REPEATS (default 3).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../src/core/tf';
import { initBackend } from '../src/core/backend/backend';
import type { KMeansKernel, KMeansResult } from '../src/core/analysis/kmeans';
import { kmeans, kmeansPlusPlus } from '../src/core/analysis/kmeans';
import { writeNpy } from '../src/core/export/npy';
import { createNormalRng } from '../src/core/random';
import { formatTable } from './util';

const N = Number(process.env.KMEANS_N ?? 60000);
const D = 32;
const K = 10;
const MAX_ITER = 20;
const REPEATS = Number(process.env.KMEANS_REPEATS ?? 3);
const PYTHON = '/usr/bin/python3';

/** Overlapping Gaussian blobs (so Lloyd keeps moving for all MAX_ITER iterations). */
function makeData(n: number, d: number, k: number, seed: number): Float32Array {
  const rand = createNormalRng(seed);
  const centers = Float32Array.from({ length: k * d }, () => rand() * 1.5);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let t = 0; t < d; t++) x[i * d + t] = centers[c * d + t] + rand() * 2;
  }
  return x;
}

/** ms per assignment step with tfjs: argMin(||c||^2 - 2 X C^T) in chunks of 8192 rows, labels read back. */
async function timeTfAssign(x: Float32Array, n: number, d: number, c: Float32Array, k: number): Promise<number> {
  const chunk = 8192;
  const run = async (): Promise<void> => {
    const cT = tf.tensor2d(c, [k, d]);
    const cNorm = tf.tidy(() => cT.square().sum(1));
    for (let s = 0; s < n; s += chunk) {
      const rows = Math.min(chunk, n - s);
      const labels = tf.tidy(() => {
        const xb = tf.tensor2d(x.subarray(s * d, (s + rows) * d), [rows, d]);
        return cNorm.sub(tf.matMul(xb, cT, false, true).mul(2)).argMin(1);
      });
      await labels.data();
      labels.dispose();
    }
    cT.dispose();
    cNorm.dispose();
  };
  await run();
  const reps = 5;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) await run();
  return (performance.now() - t0) / reps;
}

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  const x = makeData(N, D, K, 7);
  const init = kmeansPlusPlus(x, N, D, K, 11);
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-bench-'));
  try {
    writeNpy(join(dir, 'x.npy'), x, N, D);
    writeNpy(join(dir, 'init.npy'), init, K, D);
    const timeOurs = (kernel: KMeansKernel): { ms: number; result: KMeansResult } => {
      let ms = Infinity;
      let result = kmeans(x, N, D, { k: K, init, maxIter: MAX_ITER, tol: 0, kernel });
      for (let r = 0; r < REPEATS; r++) {
        const t0 = performance.now();
        result = kmeans(x, N, D, { k: K, init, maxIter: MAX_ITER, tol: 0, kernel });
        ms = Math.min(ms, (performance.now() - t0) / result.iterations);
      }
      return { ms, result };
    };
    const before = tf.memory().numTensors;
    const auto = timeOurs('auto');
    const plain = timeOurs('plain');
    const tfMs = await timeTfAssign(x, N, D, init, K);
    if (tf.memory().numTensors !== before) console.error(`tensor leak: ${tf.memory().numTensors - before}`);
    const py = spawnSync(PYTHON, ['bench/kmeans_sklearn.py', join(dir, 'x.npy'), join(dir, 'init.npy'), String(MAX_ITER), String(REPEATS)], { encoding: 'utf8' });
    let sk: { msPerIter: number; iterations: number; inertia: number; threads: number } | undefined;
    if (py.status === 0) sk = JSON.parse(py.stdout.trim().split('\n').pop()!);
    else console.error(`scikit-learn run failed: ${py.stderr || py.error?.message}`);
    const rows = [
      ['implementation', 'ms/iter', 'iterations', 'inertia'],
      [`ours, kernel auto (backend ${backend.name}, 1 thread)`, auto.ms.toFixed(2), String(auto.result.iterations), auto.result.inertia.toExponential(6)],
      ['ours, kernel plain TS', plain.ms.toFixed(2), String(plain.result.iterations), plain.result.inertia.toExponential(6)],
      [`tfjs ${backend.name} transposed matMul+argMin (assign only)`, tfMs.toFixed(2), '-', '-'],
    ];
    if (sk) rows.push([`scikit-learn lloyd (${sk.threads} threads)`, sk.msPerIter.toFixed(2), String(sk.iterations), sk.inertia.toExponential(6)]);
    console.log(`k-means ${N} x ${D}, k=${K}, n_init=1, max_iter=${MAX_ITER}, tol=0, same init centroids`);
    console.log(formatTable(rows));
    if (sk) console.log(`ratio ours(auto)/sklearn: ${(auto.ms / sk.msPerIter).toFixed(2)} (goal <= 1.5)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
