/**
 * Exact k-nearest neighbours (Euclidean) by brute force in blocks, for UMAP's graph and the density clusterings.
 *
 * For a block of query rows Q the squared distances to every row x_j are `||x_j||^2 - 2 q.x_j (+ ||q||^2)`: the dot
 * products are one GEMM `Q (-2X)^T + ||x||^2` on the project's generated WebAssembly SIMD GEMM (`buildGemmModule`, X packed into
 * column panels once), and a scan keeps, per query, the best `k + KNN_SLACK` candidates (strict `<` while the
 * columns go up, so ties keep the lower index); the scan's filter (`value < current k-th best`) is a generated SIMD
 * function (./knnScan.ts) run on chunks of the row, so JavaScript only sees the few values that pass. The candidates' distances are then recomputed directly in float64
 * from the (centred) data and the best k kept, so float32 cancellation in the GEMM form can only matter when the
 * k-th and the (k + KNN_SLACK + 1)-th neighbours agree to float32 precision. Blocks are claimed by worker threads
 * through an atomic counter and each query's result depends only on the data, so any thread count gives the same
 * answer. 60,000 x 16 is ~58 GFLOP of products plus a 3.6e9-entry scan: seconds, not minutes.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { buildGemmModule } from '../kernels/gemm';
import { withSharedMemoryImport } from '../kernels/wasm/assembler';
import { wasmSimdSupported } from '../kernels/kmeans/assigner';
import { buildScanModule } from './knnScan';
import { throwIfAborted } from './abort';

/** Extra candidates kept from the float32 scan before the exact float64 re-ranking. */
const KNN_SLACK = 4;
/** Query rows per GEMM block (C block = rows x n floats per thread). */
const BLOCK_ROWS = 64;
/** Columns per SIMD scan call (the threshold tightens between calls); a multiple of 4. */
const SCAN_CHUNK = 1024;
/** Below this many points the plain float64 loop is used (worker start-up would dominate). */
const SMALL_N = 1024;
const MAX_THREADS = 4;

export interface KnnResult {
  n: number;
  k: number;
  /** `n x k` neighbour indices, nearest first, the point itself excluded. */
  indices: Int32Array;
  /** `n x k` Euclidean distances matching `indices`. */
  distances: Float32Array;
}

export interface KnnOptions {
  /** Worker threads (default: available cores, at most 4). The result does not depend on it. */
  threads?: number;
  /** Called with (rows done, rows in all) while the search runs. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects the promise with the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
}

function checkArgs(data: Float32Array, n: number, d: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1 || data.length < n * d) throw new Error(`bad shape ${n} x ${d}`);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`k must be in 1..${n - 1}, got ${k}`);
}

/** Mean-centred float64 copy of the data (distances are unchanged; smaller norms mean less float32 cancellation). */
function centred(data: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t];
  for (let t = 0; t < d; t++) mean[t] /= n;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) out[i * d + t] = data[i * d + t] - mean[t];
  return out;
}

/** Plain float64 brute force (reference for tests, and the path for small n). Ties go to the lower index. */
export function bruteForceKnn(data: Float32Array, n: number, d: number, k: number): KnnResult {
  checkArgs(data, n, d, k);
  return queryKnn(data, n, d, data, n, k, true);
}

/**
 * The `k` nearest of `n x d` reference rows to each of `count x d` query rows, by plain float64 brute force
 * (O(count x n x d)); with `excludeSelf`, query i is reference row i and is not its own neighbour. Ties go to the
 * lower index. The result has `count` rows.
 */
export function queryKnn(reference: Float32Array, n: number, d: number, queries: Float32Array, count: number, k: number, excludeSelf = false): KnnResult {
  const indices = new Int32Array(count * k);
  const distances = new Float32Array(count * k);
  const best = new Float64Array(k);
  const bestIdx = new Int32Array(k);
  for (let i = 0; i < count; i++) {
    best.fill(Infinity);
    bestIdx.fill(-1);
    for (let j = 0; j < n; j++) {
      if (excludeSelf && j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = queries[i * d + t] - reference[j * d + t];
        s += diff * diff;
      }
      if (s < best[k - 1]) {
        let p = k - 1;
        while (p > 0 && best[p - 1] > s) {
          best[p] = best[p - 1];
          bestIdx[p] = bestIdx[p - 1];
          p--;
        }
        best[p] = s;
        bestIdx[p] = j;
      }
    }
    for (let c = 0; c < k; c++) {
      indices[i * k + c] = bestIdx[c];
      distances[i * k + c] = Math.sqrt(best[c]);
    }
  }
  return { n: count, k, indices, distances };
}

/**
 * Worker body (CommonJS, `eval: true`). Job: `{ memory, module, p }`; claims blocks of query rows through the atomic
 * counter at `p.ctrl`, runs the GEMM for the block, scans each row for the best `kk` float32 candidates, re-ranks
 * them in float64 from the centred data and writes the best `k`. Stops early when the stop slot is set.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const buf0 = (memory) => memory.buffer;
parentPort.on('message', (job) => {
  try {
    const { memory, module, scanModule, p } = job;
    const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
    const scan = new WebAssembly.Instance(scanModule, { env: { memory } }).exports.scan;
    const candOff = p.cand + job.index * p.candStride;
    const cand = new Int32Array(buf0(memory), candOff, p.np);
    const buf = memory.buffer;
    const ctrl = new Int32Array(buf, p.ctrl, 4);
    const c = new Float32Array(buf, p.c + job.index * p.cStride, p.bq * p.np);
    const x64 = new Float64Array(buf, p.x64, p.n * p.d);
    const outIdx = new Int32Array(buf, p.outIdx, p.n * p.k);
    const outDist = new Float32Array(buf, p.outDist, p.n * p.k);
    const kk = p.kk, k = p.k, d = p.d, np = p.np, n = p.n;
    const cv = new Float32Array(kk), ci = new Int32Array(kk);
    const ev = new Float64Array(kk), ei = new Int32Array(kk);
    for (;;) {
      if (Atomics.load(ctrl, 1) !== 0) break;
      const b = Atomics.add(ctrl, 0, 1);
      if (b >= p.nBlocks) break;
      const row0 = b * p.bq;
      gemm(p.x + row0 * p.rowBytes, p.packed, p.c + job.index * p.cStride, p.xn);
      const rows = Math.min(p.bq, n - row0);
      for (let r = 0; r < rows; r++) {
        const i = row0 + r;
        cv.fill(Infinity); ci.fill(-1);
        let worst = Infinity;
        const off = r * np;
        const seed = Math.min(np, 64);
        for (let j = 0; j < seed; j++) {
          const v = c[off + j];
          if (v < worst && j !== i) {
            let q = kk - 1;
            while (q > 0 && cv[q - 1] > v) { cv[q] = cv[q - 1]; ci[q] = ci[q - 1]; q--; }
            cv[q] = v; ci[q] = j; worst = cv[kk - 1];
          }
        }
        for (let s0 = seed; s0 < np; s0 += p.chunk) {
          const len = Math.min(p.chunk, np - s0);
          const count = scan(p.c + job.index * p.cStride + (off + s0) * 4, len, worst, candOff);
          for (let e = 0; e < count; e++) {
            const j = s0 + cand[e];
            const v = c[off + j];
            if (v < worst && j !== i) {
              let q = kk - 1;
              while (q > 0 && cv[q - 1] > v) { cv[q] = cv[q - 1]; ci[q] = ci[q - 1]; q--; }
              cv[q] = v; ci[q] = j; worst = cv[kk - 1];
            }
          }
        }
        let m = 0;
        for (let a = 0; a < kk; a++) {
          const j = ci[a];
          if (j < 0) continue;
          let s = 0;
          for (let t = 0; t < d; t++) { const diff = x64[i * d + t] - x64[j * d + t]; s += diff * diff; }
          let q = m++;
          while (q > 0 && (ev[q - 1] > s || (ev[q - 1] === s && ei[q - 1] > j))) { ev[q] = ev[q - 1]; ei[q] = ei[q - 1]; q--; }
          ev[q] = s; ei[q] = j;
        }
        for (let a = 0; a < k; a++) { outIdx[i * k + a] = ei[a]; outDist[i * k + a] = Math.sqrt(ev[a]); }
      }
      Atomics.add(ctrl, 2, rows);
    }
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});
`;

/**
 * Exact k nearest neighbours of every row (itself excluded), nearest first, on the generated wasm GEMM and worker
 * threads; small inputs (or no WebAssembly SIMD) use `bruteForceKnn`.
 */
export async function exactKnn(data: Float32Array, n: number, d: number, k: number, options: KnnOptions = {}): Promise<KnnResult> {
  checkArgs(data, n, d, k);
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  if (n < SMALL_N || !wasmSimdSupported()) {
    const r = bruteForceKnn(data, n, d, k);
    onProgress?.(n, n);
    return r;
  }
  const x64 = centred(data, n, d);
  const dp = Math.ceil(d / 4) * 4;
  const np = Math.ceil(n / 8) * 8;
  const bq = BLOCK_ROWS;
  const nBlocks = Math.ceil(n / bq);
  const xRows = Math.max(np, nBlocks * bq);
  const kk = Math.min(k + KNN_SLACK, n - 1);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), MAX_THREADS, nBlocks));
  const align = (v: number): number => Math.ceil(v / 64) * 64;
  const rowBytes = dp * 4;
  const layout = { ctrl: 0, x: 64, packed: 0, xn: 0, x64: 0, outIdx: 0, outDist: 0, c: 0 };
  layout.packed = align(layout.x + xRows * rowBytes);
  layout.xn = align(layout.packed + np * rowBytes);
  layout.x64 = align(layout.xn + np * 4);
  layout.outIdx = align(layout.x64 + n * d * 8);
  layout.outDist = align(layout.outIdx + n * k * 4);
  layout.c = align(layout.outDist + n * k * 4);
  const cStride = align(bq * np * 4);
  const cand = align(layout.c + Math.max(threads * cStride, np * rowBytes));
  const candStride = align(np * 4);
  const end = cand + threads * candStride;
  if (end > 2 ** 31) throw new Error(`kNN: ${end} bytes exceed the 2 GiB the wasm kernels address`);
  const pages = Math.ceil(end / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const buf = memory.buffer;
  const x = new Float32Array(buf, layout.x, xRows * dp);
  const xn = new Float32Array(buf, layout.xn, np);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = Math.fround(x64[i * d + t]);
      x[i * dp + t] = v;
      s += v * v;
    }
    xn[i] = s;
  }
  xn.fill(Infinity, n); // padding columns are never candidates
  new Float64Array(buf, layout.x64, n * d).set(x64);
  // The GEMM's bias adds ||x_j||^2, and B = -2 X (in the C block's place until packed), so C holds the distances.
  const module = new WebAssembly.Module(withSharedMemoryImport(buildGemmModule({ m: bq, n: np, k: dp, transA: false, transB: true, bias: true, relu: false }), true));
  const inst = new WebAssembly.Instance(module, { env: { memory } }).exports as { pack: (b: number, dst: number) => void };
  const minus2x = new Float32Array(buf, layout.c, np * dp);
  for (let i = 0; i < np * dp; i++) minus2x[i] = -2 * x[i];
  inst.pack(layout.c, layout.packed);
  minus2x.fill(0);

  const ctrl = new Int32Array(buf, layout.ctrl, 4);
  const p = { ...layout, n, d, k, kk, np, bq, nBlocks, rowBytes, cStride, cand, candStride, chunk: SCAN_CHUNK };
  const scanModule = new WebAssembly.Module(buildScanModule());
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const stop = (): void => void Atomics.store(ctrl, 1, 1);
  signal?.addEventListener('abort', stop);
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    if (onProgress) timer = setInterval(() => onProgress(Math.min(n, Atomics.load(ctrl, 2)), n), 100);
    const results = await Promise.all(
      workers.map(
        (w, index) =>
          new Promise<{ ok: boolean; error?: string }>((resolve) => {
            w.once('message', resolve);
            w.once('error', (e) => resolve({ ok: false, error: String(e) }));
            w.postMessage({ memory, module, scanModule, p, index });
          }),
      ),
    );
    throwIfAborted(signal);
    const failed = results.find((r) => !r.ok);
    if (failed) throw new Error(`kNN worker failed: ${failed.error}`);
    onProgress?.(n, n);
    return {
      n,
      k,
      indices: Int32Array.from(new Int32Array(buf, layout.outIdx, n * k)),
      distances: Float32Array.from(new Float32Array(buf, layout.outDist, n * k)),
    };
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', stop);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Fraction of the true k neighbours (from `truth`) that `approx` found, over all points. */
export function knnRecall(approx: KnnResult, truth: KnnResult): number {
  const { n } = truth;
  const k = Math.min(approx.k, truth.k);
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const set = new Set<number>();
    for (let a = 0; a < k; a++) set.add(truth.indices[i * truth.k + a]);
    for (let a = 0; a < k; a++) if (set.has(approx.indices[i * approx.k + a])) hit++;
  }
  return hit / (n * k);
}
