/**
 * K-means speed: our Lloyd iterations (src/core/analysis/kmeans.ts) vs scikit-learn's KMeans on the same 60,000 x 32
 * float32 data, k = 10, the same initial centroids, n_init 1, max_iter 20, tol 0, all measured in this run.
 * Like with like: every "ours" row runs exact Lloyd iterations (every point against every centroid, each iteration);
 * they differ only in the assignment kernel (auto = generated wasm SIMD on this thread plus pooled worker threads,
 * the same kernel on one thread, tfjs matMul on the active backend, plain TypeScript). The goal ratio is ours (auto)
 * vs scikit-learn's `lloyd`; its `elkan` (triangle-inequality bounds, same clustering) is printed for reference.
 * Checks that the clusterings agree: label mismatches and the largest centroid difference vs scikit-learn.
 * Times are the best of KMEANS_REPEATS runs (ms per iteration, whole `kmeans` call incl. copying X in); the machine
 * may be shared, so compare rows of one run. Run: `npm run bench:kmeans`. Env: KMEANS_N (default 60000),
 * KMEANS_REPEATS (default 5).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../src/core/tf';
import { initBackend } from '../src/core/backend/backend';
import type { KMeansKernel, KMeansResult } from '../src/core/analysis/kmeans';
import { kmeans, kmeansPlusPlus } from '../src/core/analysis/kmeans';
import { readNpy, writeNpy } from '../src/core/export/npy';
import { createNormalRng } from '../src/common/random';
import { formatTable } from './util';

const N = Number(process.env.KMEANS_N ?? 60000);
const D = 32;
const K = 10;
const MAX_ITER = 20;
const REPEATS = Number(process.env.KMEANS_REPEATS ?? 5);
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

interface SkRun {
  algorithm: string;
  msPerIter: number;
  iterations: number;
  inertia: number;
  threads: number;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let q = 0; q < a.length; q++) m = Math.max(m, Math.abs(a[q] - b[q]));
  return m;
}

async function main(): Promise<void> {
  const backend = await initBackend('auto');
  const x = makeData(N, D, K, 7);
  const init = kmeansPlusPlus(x, N, D, K, 11);
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-bench-'));
  try {
    writeNpy(join(dir, 'x.npy'), x, N, D);
    writeNpy(join(dir, 'init.npy'), init, K, D);
    const timeOurs = (kernel: KMeansKernel, threads?: number): { ms: number; result: KMeansResult } => {
      let ms = Infinity;
      // Two warm-up runs: wasm tier-up, and the worker pool (started on first use) coming up.
      let result = kmeans(x, N, D, { k: K, init, maxIter: MAX_ITER, tol: 0, kernel, threads });
      result = kmeans(x, N, D, { k: K, init, maxIter: MAX_ITER, tol: 0, kernel, threads });
      for (let r = 0; r < REPEATS; r++) {
        const t0 = performance.now();
        result = kmeans(x, N, D, { k: K, init, maxIter: MAX_ITER, tol: 0, kernel, threads });
        ms = Math.min(ms, (performance.now() - t0) / result.iterations);
      }
      return { ms, result };
    };
    const before = tf.memory().numTensors;
    const ours: [string, { ms: number; result: KMeansResult }][] = [
      [`ours lloyd, kernel auto (wasm SIMD, up to ${Math.min(4, availableParallelism())} threads)`, timeOurs('auto')],
      ['ours lloyd, kernel wasm, 1 thread', timeOurs('wasm', 1)],
      [`ours lloyd, kernel tfjs (${backend.name}, 1 thread)`, timeOurs('tfjs')],
      ['ours lloyd, kernel plain TS', timeOurs('plain')],
    ];
    if (tf.memory().numTensors !== before) console.error(`tensor leak: ${tf.memory().numTensors - before}`);
    const py = spawnSync(PYTHON, ['bench/kmeans_sklearn.py', join(dir, 'x.npy'), join(dir, 'init.npy'), String(MAX_ITER), String(REPEATS), dir], { encoding: 'utf8' });
    const sk = new Map<string, SkRun>();
    if (py.status === 0) {
      for (const line of py.stdout.trim().split('\n')) {
        const run = JSON.parse(line) as SkRun;
        sk.set(run.algorithm, run);
      }
    } else console.error(`scikit-learn run failed: ${py.stderr || py.error?.message}`);
    const rows = [['implementation', 'ms/iter', 'iterations', 'inertia']];
    for (const [name, r] of ours) rows.push([name, r.ms.toFixed(2), String(r.result.iterations), r.result.inertia.toExponential(6)]);
    for (const r of sk.values()) rows.push([`scikit-learn ${r.algorithm} (${r.threads} threads)`, r.msPerIter.toFixed(2), String(r.iterations), r.inertia.toExponential(6)]);
    console.log(`k-means ${N} x ${D}, k=${K}, n_init=1, max_iter=${MAX_ITER}, tol=0, same init centroids (load average ${(await import('node:os')).loadavg()[0].toFixed(2)})`);
    console.log(formatTable(rows));
    const auto = ours[0][1];
    for (const [name, r] of ours.slice(1)) {
      const mism = r.result.assignments.reduce((s, l, i) => s + (l === auto.result.assignments[i] ? 0 : 1), 0);
      console.log(`check ${name} vs auto: ${mism} label mismatches, max centroid difference ${maxAbsDiff(r.result.centroids, auto.result.centroids).toExponential(2)}`);
    }
    for (const alg of sk.keys()) {
      const centers = readNpy(join(dir, `sk_${alg}_centers.npy`)).data;
      const labels = readNpy(join(dir, `sk_${alg}_labels.npy`)).data;
      const mism = auto.result.assignments.reduce((s, l, i) => s + (l === labels[i] ? 0 : 1), 0);
      console.log(`check ours (auto) vs scikit-learn ${alg}: ${mism} label mismatches, max centroid difference ${maxAbsDiff(auto.result.centroids, centers).toExponential(2)}`);
    }
    const lloyd = sk.get('lloyd');
    if (lloyd) console.log(`ratio ours(auto)/scikit-learn lloyd: ${(auto.ms / lloyd.msPerIter).toFixed(2)} (goal <= 1.5)`);
    const elkan = sk.get('elkan');
    if (elkan) console.log(`ratio ours(auto)/scikit-learn elkan: ${(auto.ms / elkan.msPerIter).toFixed(2)} (reference only: elkan skips distance computations)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0));
