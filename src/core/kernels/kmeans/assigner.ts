/**
 * Runs the k-means assignment kernel (generator.ts) on one shared wasm memory, on this thread and the pool's worker
 * threads (threadPool.ts): the whole Lloyd E-step and the sums of the M-step in one call per iteration.
 */
import { MAX_TRANSPOSED_K, buildAssignModule } from './generator';
import { MAX_THREADS, Slot, getPool, runPoolJob } from './threadPool';

export { MAX_THREADS } from './threadPool';

const moduleCache = new Map<string, { bytes: Uint8Array; module: WebAssembly.Module }>();
let simdSupported: boolean | undefined;

/** Whether this runtime has WebAssembly with fixed-width SIMD (validates a generated module once). */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(buildAssignModule(4, true, 4));
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

function compiled(d: number, k: number | undefined): { bytes: Uint8Array; module: WebAssembly.Module } {
  const key = `${d}x${k}`;
  let m = moduleCache.get(key);
  if (!m) {
    const bytes = buildAssignModule(d, true, k);
    m = { bytes, module: new WebAssembly.Module(bytes) };
    if (moduleCache.size >= 32) moduleCache.clear();
    moduleCache.set(key, m);
  }
  return m;
}

/**
 * A shared wasm memory kept between calls (up to ARENA_KEEP_BYTES) so repeated k-means runs on the same data
 * (restarts, suggestK, benches) do not pay fresh page faults; `inUse` makes a second live assigner get its own.
 */
let arena: { memory: WebAssembly.Memory; bytes: number; inUse: boolean } | undefined;
const ARENA_KEEP_BYTES = 256 * 2 ** 20;

function takeMemory(bytes: number): { memory: WebAssembly.Memory; release: () => void } {
  if (arena && !arena.inUse && arena.bytes >= bytes) {
    const a = arena;
    a.inUse = true;
    return { memory: a.memory, release: () => void (a.inUse = false) };
  }
  const pages = Math.ceil(bytes / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  if (bytes <= ARENA_KEEP_BYTES && (!arena || !arena.inUse)) {
    const a = { memory, bytes: pages * 65536, inUse: true };
    arena = a;
    return { memory, release: () => void (a.inUse = false) };
  }
  return { memory, release: () => undefined };
}

export interface WasmAssigner {
  /**
   * Labels every point, fills `dists` (squared distance to its centroid) and returns the inertia; with
   * `sums`/`counts`, adds each cluster's float64 coordinate sums and sizes into them.
   */
  assign: (centroids: Float32Array, labels: Int32Array, dists: Float64Array, sums?: Float64Array, counts?: Float64Array) => number;
  /** `out[i] = ||x_i - x_row||^2` for every point, in float64 (for k-means++ seeding; this thread only). */
  sqDistToRow: (row: number, out: Float64Array) => void;
  /** Hands the wasm memory back for reuse; the assigner must not be used afterwards. */
  dispose: () => void;
}

/** Rows per chunk: a multiple of 4, enough to amortise a claim, at most ~64 chunks (bounds the partial sums). */
function chunkRowsFor(n: number): number {
  return Math.ceil(Math.max(2048, Math.ceil(n / 64)) / 4) * 4;
}

/**
 * Copies the `n x d` data into a shared wasm memory (rows padded to a multiple of 4) and returns an assigner that
 * runs the SIMD kernel over it on this thread plus up to `threads - 1` pool workers (at most MAX_THREADS in all).
 * Results are identical for any thread count. `layout: 'rows'` forces the row-wise scoring (used for
 * k > MAX_TRANSPOSED_K; tests compare both). Throws where WebAssembly SIMD is unavailable (check
 * `wasmSimdSupported` first) or the data exceed the 2 GiB the kernel addresses.
 */
export function createWasmAssigner(data: Float32Array, n: number, d: number, k: number, threads: number, layout: 'auto' | 'rows' = 'auto'): WasmAssigner {
  const dp = Math.ceil(d / 4) * 4;
  const rowBytes = dp * 4;
  const chunkRows = chunkRowsFor(n);
  const nChunks = Math.ceil(n / chunkRows);
  const n4 = Math.ceil(n / 4) * 4;
  const transposed = layout === 'auto' && k <= MAX_TRANSPOSED_K;
  const align = (v: number): number => Math.ceil(v / 16) * 16;
  const offX = 0;
  const offScratch = align(offX + n4 * rowBytes);
  const scratchStride = dp * 16;
  const offC = align(offScratch + MAX_THREADS * scratchStride);
  const offCn = align(offC + k * rowBytes);
  const offLabels = align(offCn + k * 4);
  const offMind = align(offLabels + n4 * 4);
  const offRes = align(offMind + n * 4);
  const offSums = align(offRes + nChunks * 8);
  const sumStride = k * dp * 8;
  const offCounts = align(offSums + nChunks * sumStride);
  const countStride = k * 4;
  const offDist = align(offCounts + nChunks * countStride);
  const end = offDist + n * 8;
  if (end > 2 ** 31) throw new Error(`k-means wasm kernel: ${end} bytes exceed the 2 GiB it addresses`);
  const { module } = compiled(d, transposed ? k : undefined);
  const { memory, release } = takeMemory(end);
  let released = false;
  const dispose = (): void => {
    if (!released) release();
    released = true;
  };
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const kernel = exports.assign as (...args: number[]) => number;
    const dist2 = exports.dist2 as (x: number, n: number, p: number, out: number) => void;
    const buf = memory.buffer;
    const x = new Float32Array(buf, offX, n4 * dp);
    if (dp === d) x.set(data.subarray(0, n * d));
    else {
      x.fill(0, 0, n * dp);
      for (let i = 0; i < n; i++) x.set(data.subarray(i * d, i * d + d), i * dp);
    }
    x.fill(0, n * dp); // pad rows of the last block of 4
    const c = new Float32Array(buf, offC, k * dp);
    c.fill(0);
    const cn = new Float32Array(buf, offCn, k);
    const labelsView = new Int32Array(buf, offLabels, n);
    const mindView = new Float32Array(buf, offMind, n);
    const res = new Float64Array(buf, offRes, nChunks);
    const sumsView = new Float64Array(buf, offSums, nChunks * k * dp);
    const countsView = new Int32Array(buf, offCounts, nChunks * k);
    const distView = new Float64Array(buf, offDist, n);

    const workers = Math.min(threads, MAX_THREADS, nChunks) - 1;
    let p = workers > 0 ? getPool(workers) : undefined;
    let cfg = 0;
    if (p) {
      cfg = p.nextCfg++;
      for (const port of p.ports) port.postMessage({ id: cfg, memory, module });
    }

    const runChunk = (ch: number, doSums: boolean): void => {
      const start = ch * chunkRows;
      const rows = Math.min(chunkRows, n - start);
      res[ch] = kernel(offX + start * rowBytes, offScratch, rows, offC, k, offCn, offLabels + start * 4, offMind + start * 4, doSums ? offSums + ch * sumStride : 0, offCounts + ch * countStride);
    };

    /** Runs every chunk: claimed by this thread and the pool's workers in an open job, or all here. */
    const runAll = (doSums: boolean): void => {
      if (!p) {
        for (let ch = 0; ch < nChunks; ch++) runChunk(ch, doSums);
        return;
      }
      const params: [Slot, number][] = [
        [Slot.Cfg, cfg],
        [Slot.X, offX],
        [Slot.Scratch, offScratch],
        [Slot.ScratchStride, scratchStride],
        [Slot.C, offC],
        [Slot.K, k],
        [Slot.Cn, offCn],
        [Slot.Labels, offLabels],
        [Slot.Mind, offMind],
        [Slot.Sums, offSums],
        [Slot.Counts, offCounts],
        [Slot.N, n],
        [Slot.ChunkRows, chunkRows],
        [Slot.NChunks, nChunks],
        [Slot.Res, offRes],
        [Slot.RowBytes, rowBytes],
        [Slot.SumStride, sumStride],
        [Slot.CountStride, countStride],
        [Slot.DoSums, doSums ? 1 : 0],
      ];
      if (!runPoolJob(p, workers, params, nChunks, (ch) => { runChunk(ch, doSums); })) {
        p = undefined;
        if (doSums) {
          sumsView.fill(0);
          countsView.fill(0);
        }
        for (let ch = 0; ch < nChunks; ch++) runChunk(ch, doSums);
      }
    };

    const assign = (centroids: Float32Array, labels: Int32Array, dists: Float64Array, sums?: Float64Array, counts?: Float64Array): number => {
      if (released) throw new Error('k-means wasm assigner used after dispose');
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) {
          const v = centroids[j * d + t];
          c[j * dp + t] = v;
          s += v * v;
        }
        cn[j] = s;
      }
      const doSums = sums !== undefined && counts !== undefined;
      if (doSums) {
        sumsView.fill(0);
        countsView.fill(0);
      }
      runAll(doSums);
      labels.set(labelsView);
      dists.set(mindView);
      let inertia = 0;
      for (let ch = 0; ch < nChunks; ch++) inertia += res[ch];
      if (doSums) {
        for (let ch = 0; ch < nChunks; ch++) {
          const so = ch * k * dp;
          for (let j = 0; j < k; j++) {
            counts[j] += countsView[ch * k + j];
            for (let t = 0; t < d; t++) sums[j * d + t] += sumsView[so + j * dp + t];
          }
        }
      }
      return inertia;
    };
    const sqDistToRow = (row: number, out: Float64Array): void => {
      if (released) throw new Error('k-means wasm assigner used after dispose');
      if (!Number.isInteger(row) || row < 0 || row >= n) throw new Error(`row ${row} out of range 0..${n - 1}`);
      dist2(offX, n, offX + row * rowBytes, offDist);
      out.set(distView);
    };
    return { assign, sqDistToRow, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
