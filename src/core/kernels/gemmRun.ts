/**
 * Running the generated GEMM (gemm.ts) on a wasm heap, on one thread or split over the compute pool.
 *
 * A product is split into blocks of whole rows of C (or, when C has few rows, of whole 8-column blocks), one per
 * thread. A block is computed by its own module, generated for the block's size with the whole product's leading
 * dimensions (`lda`, `ldc`) and the same B layout, on pointers offset to the block. Each element of C is a chain of
 * multiply-adds over k in increasing order in passes of the same length, started from the same value (0, the bias
 * or C), whatever block it is in; so a split product is bit-identical to the whole one, for any thread count.
 */
import { compileFor } from './wasm/assembler';
import { enableRelaxedSimd } from './wasm/features';
import { heapMemory } from './tfjsWasm';
import type { HeapBackend } from './tfjsWasm';
import { buildGemmModule, gemmPacksB } from './gemm';
import type { GemmSpec } from './gemm';
import { computeThreads, runParts } from './computePool';
import type { PoolCall } from './computePool';

export interface GemmExports {
  gemm: (a: number, b: number, c: number, bias: number) => void;
  pack?: (src: number, dst: number) => void;
}

/** A compiled GEMM module and its instance on one heap. */
export interface CompiledGemm {
  module: WebAssembly.Module;
  exports: GemmExports;
}

/** Compiled modules by spec (a training run uses a few dozen; the cap only guards odd workloads). */
const cache = new Map<string, CompiledGemm>();
/** The heap the cached instances import (a re-created wasm backend has a new one). */
let cacheMemory: WebAssembly.Memory | undefined;
const CACHE_MAX = 512;

/**
 * Products with fewer multiply-adds than this run on one thread: a few tens of µs of work, of which a hand-off to
 * the pool (and the operands' trip to the other core's cache) takes most of what the split saves (measured on 2
 * cores: the autoencoder's 128 x 64 x 32 products took 16-24 µs on one thread and 27-45 µs split in two).
 */
export const GEMM_SPLIT_MIN_FMAS = 1 << 19;

function specKey(s: GemmSpec): string {
  return [s.m, s.n, s.k, +s.transA, +s.transB, +s.bias, +s.relu, +(s.fma === true), +(s.accumulate === true), s.lda ?? '', s.ldc ?? '', +gemmPacksB(s)].join(',');
}

/** The module for `spec`, instantiated on `memory` (compiled once per spec and heap). */
export function compiledGemm(spec: GemmSpec, memory: WebAssembly.Memory): CompiledGemm {
  if (memory !== cacheMemory) {
    cache.clear();
    cacheMemory = memory;
  }
  const key = specKey(spec);
  let c = cache.get(key);
  if (c === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    const module = compileFor(buildGemmModule(spec), memory);
    c = { module, exports: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports };
    cache.set(key, c);
  }
  return c;
}

/** Number of compiled GEMM modules (for stats). */
export function compiledGemmCount(): number {
  return cache.size;
}

/** Byte offsets of one product's operands: A, B (packed where the spec packs), C and the bias (0 = none). */
export interface GemmOperands {
  a: number;
  b: number;
  c: number;
  bias: number;
}

/** The call that computes rows `[r0, r1)` of C. */
export function gemmRowsCall(spec: GemmSpec, memory: WebAssembly.Memory, r0: number, r1: number, o: GemmOperands): PoolCall {
  if (r0 === 0 && r1 === spec.m) return { module: compiledGemm(spec, memory).module, fn: 'gemm', args: [o.a, o.b, o.c, o.bias] };
  const sub: GemmSpec = { ...spec, m: r1 - r0, packB: gemmPacksB(spec), ldc: spec.ldc ?? spec.n };
  if (spec.transA) sub.lda = spec.lda ?? spec.m;
  const rowStepA = spec.transA ? 4 : spec.k * 4;
  const module = compiledGemm(sub, memory).module;
  return { module, fn: 'gemm', args: [o.a + r0 * rowStepA, o.b, o.c + r0 * (spec.ldc ?? spec.n) * 4, o.bias] };
}

/** The call that computes columns `[j0, j1)` of C (j0 a multiple of 8; j1 one too, or N). */
export function gemmColumnsCall(spec: GemmSpec, memory: WebAssembly.Memory, j0: number, j1: number, o: GemmOperands): PoolCall {
  if (j0 === 0 && j1 === spec.n) return { module: compiledGemm(spec, memory).module, fn: 'gemm', args: [o.a, o.b, o.c, o.bias] };
  const packed = gemmPacksB(spec);
  const sub: GemmSpec = { ...spec, n: j1 - j0, packB: packed, ldc: spec.ldc ?? spec.n };
  if (spec.transA) sub.lda = spec.lda ?? spec.m;
  const module = compiledGemm(sub, memory).module;
  // Packed B: the panel of columns j0.. starts at float j0·K; plain B: column j0 of row 0.
  const b = o.b + (packed ? j0 * spec.k * 4 : j0 * 4);
  return { module, fn: 'gemm', args: [o.a, b, o.c + j0 * 4, o.bias === 0 ? 0 : o.bias + j0 * 4] };
}

/** `parts` ranges `[from, to)` of `total` in whole blocks of `step` (the last ends at total), as even as the blocks allow. */
export function blockRanges(total: number, step: number, parts: number): [number, number][] {
  const per = Math.ceil(total / parts / step) * step;
  const out: [number, number][] = [];
  for (let from = 0; from < total; from += per) out.push([from, Math.min(total, from + per)]);
  return out;
}

/** How a product is split: into blocks of rows (multiples of 4) or of columns (multiples of 8), or not at all. */
interface SplitPlan {
  by: 'none' | 'rows' | 'columns';
  blocks: [number, number][];
}

/**
 * The split for `threads` threads: blocks of rows (multiples of 4) or of columns (multiples of 8). Every row block
 * reads all of B and every column block all of A, so where both balance the work about as well (the largest block
 * within 10%) the split that re-reads the smaller operand wins: columns when N > M (a dense layer's forward and
 * input-gradient products at batch sizes below the layer width), else rows; otherwise the better balanced one. None
 * below GEMM_SPLIT_MIN_FMAS.
 */
function planSplit(spec: GemmSpec, threads: number): SplitPlan {
  if (threads <= 1 || spec.m * spec.n * spec.k < GEMM_SPLIT_MIN_FMAS) return { by: 'none', blocks: [[0, spec.m]] };
  const rows = blockRanges(spec.m, 4, threads);
  const cols = blockRanges(spec.n, 8, threads);
  const rowWork = Math.max(...rows.map(([f, t]) => t - f)) * spec.n;
  const colWork = Math.max(...cols.map(([f, t]) => t - f)) * spec.m;
  const balanced = Math.max(rowWork, colWork) <= 1.1 * Math.min(rowWork, colWork);
  const byColumns = balanced ? spec.n > spec.m : colWork < rowWork;
  return byColumns ? { by: 'columns', blocks: cols } : { by: 'rows', blocks: rows };
}

/** The product as parts for `threads` threads (see `planSplit`); one part where it does not split. */
export function gemmSplit(spec: GemmSpec, memory: WebAssembly.Memory, o: GemmOperands, threads = computeThreads()): PoolCall[][] {
  const plan = planSplit(spec, threads);
  if (plan.by === 'columns') return plan.blocks.map(([f, t]) => [gemmColumnsCall(spec, memory, f, t, o)]);
  return plan.blocks.map(([f, t]) => [gemmRowsCall(spec, memory, f, t, o)]);
}

/**
 * Packing B and the product as one job, for a spec that packs B and a product split into column blocks: each part
 * packs its own panels of B (from `src`, as the spec stores B, into `o.b`) and then computes its columns, which read
 * only those panels, so no thread waits for the others between the two. Undefined where the product does not split
 * by columns (then B is packed first, see `gemmJob`). The panels and every element of C are the same as packed and
 * computed whole.
 */
export function packedGemmSplit(spec: GemmSpec, memory: WebAssembly.Memory, src: number, o: GemmOperands, threads = computeThreads()): PoolCall[][] | undefined {
  if (!gemmPacksB(spec)) return undefined;
  const plan = planSplit(spec, threads);
  if (plan.by !== 'columns') return undefined;
  return plan.blocks.map(([f, t]) => [packColumnsCall(spec, memory, f, t, src, o.b), gemmColumnsCall(spec, memory, f, t, o)]);
}

/** B operands of at least this many floats are packed by the compute pool's threads, in column blocks. */
export const PACK_SPLIT_MIN_FLOATS = 1 << 16;

/**
 * Packs B (`src`, as the spec stores it) into the column panels the spec's GEMM reads (`dst`, K·N floats), split
 * into blocks of 8-column panels over the compute pool (a copy: any split gives the same bytes).
 */
export function runPack(spec: GemmSpec, memory: WebAssembly.Memory, src: number, dst: number, threads = computeThreads()): void {
  const { pack } = compiledGemm(spec, memory).exports;
  if (pack === undefined) throw new Error('GEMM: this spec reads B unpacked');
  const parts = packParts(spec, memory, src, dst, threads);
  if (parts.length === 1) {
    pack(src, dst);
    return;
  }
  runParts(memory, parts);
}

/** Packing B (`src`, as the spec stores it) into `dst` as compute-pool parts: `runPack`'s split, as a job to merge. */
export function packParts(spec: GemmSpec, memory: WebAssembly.Memory, src: number, dst: number, threads = computeThreads()): PoolCall[][] {
  const blocks = blockRanges(spec.n, 8, threads);
  if (threads <= 1 || spec.k * spec.n < PACK_SPLIT_MIN_FLOATS || blocks.length < 2) return [[{ module: compiledGemm(spec, memory).module, fn: 'pack', args: [src, dst] }]];
  return blocks.map(([j0, j1]) => [packColumnsCall(spec, memory, j0, j1, src, dst)]);
}

/** The call that packs the panels of columns `[j0, j1)` of B (`src`, as the spec stores it) into `dst` (all panels). */
function packColumnsCall(spec: GemmSpec, memory: WebAssembly.Memory, j0: number, j1: number, src: number, dst: number): PoolCall {
  const sub: GemmSpec = { ...spec, n: j1 - j0, packB: gemmPacksB(spec), ldc: spec.ldc ?? spec.n };
  if (spec.transA) sub.lda = spec.lda ?? spec.m;
  // Bᵀ is stored [N, K] (column j0 starts row j0), B [K, N] (column j0 of row 0); panels start at float j0·K.
  const from = src + (spec.transB ? j0 * spec.k * 4 : j0 * 4);
  return { module: compiledGemm(sub, memory).module, fn: 'pack', args: [from, dst + j0 * spec.k * 4] };
}

/**
 * `C = op(A)·B` (see `GemmSpec`) on the heap, split over the compute pool. B must already be packed where the spec
 * packs (`compiledGemm(spec, memory).exports.pack`).
 */
export function runGemm(spec: GemmSpec, memory: WebAssembly.Memory, o: GemmOperands, threads = computeThreads()): void {
  const parts = gemmSplit(spec, memory, o, threads);
  if (parts.length === 1) {
    compiledGemm(spec, memory).exports.gemm(o.a, o.b, o.c, o.bias);
    return;
  }
  runParts(memory, parts);
}

/** Whether the generated GEMMs multiply-add with relaxed SIMD (decided when the fixes are registered). */
let gemmFma = false;

/**
 * Whether the generated GEMMs use `f32x4.relaxed_madd` (FMA); `on` switches it (true only takes where the engine has
 * relaxed SIMD). For tests and benchmarks; `registerWasmKernelFixes` turns it on wherever available.
 */
export function wasmGemmFma(on?: boolean): boolean {
  if (on !== undefined) gemmFma = on && enableRelaxedSimd();
  return gemmFma;
}

/** A product as compute-pool jobs: packing B (none where it needs no job of its own), then the product's parts. */
export interface GemmJob {
  pack: PoolCall[][];
  parts: PoolCall[][];
}

/**
 * `C = op(A)·B (+ bias)` as pool jobs, B at `src` as the spec stores it. Where the spec packs B (into `o.b`), the
 * packing is in the same job as the product where that splits into column blocks (`packedGemmSplit`), else a job
 * before it.
 */
export function gemmJob(spec: GemmSpec, memory: WebAssembly.Memory, src: number, o: GemmOperands, threads = computeThreads()): GemmJob {
  if (!gemmPacksB(spec)) return { pack: [], parts: gemmSplit(spec, memory, { ...o, b: src }, threads) };
  const fused = packedGemmSplit(spec, memory, src, o, threads);
  if (fused !== undefined) return { pack: [], parts: fused };
  return { pack: packParts(spec, memory, src, o.b, threads), parts: gemmSplit(spec, memory, o, threads) };
}

/** Runs a `gemmJob`: its packing, then its product. */
export function runGemmJob(memory: WebAssembly.Memory, job: GemmJob): void {
  if (job.pack.length > 0) runParts(memory, job.pack);
  runParts(memory, job.parts);
}

/**
 * Runs one generated GEMM on heap offsets (split over the compute pool), packing B into a scratch buffer where the
 * module packs (`gemmJob`).
 */
export function heapGemm(heap: HeapBackend, spec: GemmSpec, a: number, b: number, c: number, bias = 0): void {
  const memory = heapMemory(heap);
  const { pack } = compiledGemm(spec, memory).exports;
  if (pack === undefined) {
    runGemm(spec, memory, { a, b, c, bias });
    return;
  }
  const scratch = heap.makeOutput([spec.k, spec.n], 'float32');
  try {
    runGemmJob(memory, gemmJob(spec, memory, b, { a, b: heap.getMemoryOffset(scratch.dataId), c, bias }));
  } finally {
    heap.disposeData(scratch.dataId);
  }
}

