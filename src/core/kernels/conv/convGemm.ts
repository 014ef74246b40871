/**
 * Convolutions as GEMMs over patch matrices (im2col.ts), in chunks of images, on the wasm backend's heap, split over
 * the compute pool (computePool.ts): within a chunk each thread takes a range of images, writes their patch rows
 * and computes their rows of the product (forward conv, input gradient: the rows of one image are one image's
 * output), or the chunk's patch matrix is written by image ranges and then the product split by gemmRun.ts (filter
 * gradient: every row of the product sums over all images). Each output element is computed by the same
 * instructions whatever the split, so results do not depend on the thread count.
 */
import type { tf } from '../../tf';
import type { GemmSpec } from '../gemm';
import type { GemmExports } from '../gemmRun';
import { compiledGemm, gemmRowsCall, heapGemm, runGemm, wasmGemmFma } from '../gemmRun';
import { heapMemory } from '../tfjsWasm';
import type { HeapBackend } from '../tfjsWasm';
import { computeThreads, runParts } from '../computePool';
import type { PoolCall } from '../computePool';
import { IM2COL_MAX_CHANNELS, compiledIm2col } from './im2col';
import type { ConvGeometry } from './im2col';

/** Most floats of a chunk's patch matrix (4 MiB: it stays in cache between im2col and the GEMM that reads it). */
const CONV_CHUNK_FLOATS = 1 << 20;

/** How often a convolution gradient ran as GEMMs (for tests and benches; `reset` zeroes it). */
const convGemmStats = { forward: 0, filter: 0, input: 0 };

/** Calls of the GEMM paths of Conv2D / Conv2DBackpropFilter / Conv2DBackpropInput since the last reset. */
export function wasmConvGemmStats(reset = false): { forward: number; filter: number; input: number } {
  const out = { ...convGemmStats };
  if (reset) convGemmStats.forward = convGemmStats.filter = convGemmStats.input = 0;
  return out;
}

/** Most floats of one image's patch matrix (64 MiB); larger images keep the XNNPACK paths. */
export const CONV_MAX_IMAGE_FLOATS = 1 << 24;

/** The im2col geometry of a conv (NHWC, dilation 1, at most IM2COL_MAX_CHANNELS input channels, one image's patch
 *  matrix within CONV_MAX_IMAGE_FLOATS), else undefined. */
function convGeometry(info: tf.backend_util.Conv2DInfo): ConvGeometry | undefined {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.inChannels > IM2COL_MAX_CHANNELS) return undefined;
  if (info.outHeight < 1 || info.outWidth < 1) return undefined;
  if (info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels > CONV_MAX_IMAGE_FLOATS) return undefined;
  return {
    h: info.inHeight, w: info.inWidth, ci: info.inChannels, oh: info.outHeight, ow: info.outWidth,
    kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth, top: info.padInfo.top, left: info.padInfo.left,
  };
}

/** The geometry, patch width `n = KH·KW·Ci` and `co` of a conv on float32 tensors the GEMM paths take, else undefined. */
function convGemmPlan(info: tf.backend_util.Conv2DInfo, ...tensors: tf.TensorInfo[]): { g: ConvGeometry; n: number; co: number } | undefined {
  const g = convGeometry(info);
  if (g === undefined || tensors.some((t) => t.dtype !== 'float32')) return undefined;
  return { g, n: g.kh * g.kw * g.ci, co: info.outChannels };
}

/** The panel packer of a GEMM module built to pack B once for every row block. */
function packPanels(exports: GemmExports): (src: number, dst: number) => void {
  if (!exports.pack) throw new Error('the GEMM module exports no pack function');
  return exports.pack;
}

/** Images per chunk: as many as keep the chunk's patch matrix within CONV_CHUNK_FLOATS (at least one). */
function imagesPerChunk(g: ConvGeometry, batch: number): number {
  return Math.max(1, Math.min(batch, Math.floor(CONV_CHUNK_FLOATS / (g.oh * g.ow * g.kh * g.kw * g.ci))));
}

/**
 * Calls `chunk(b0, b1, rows, cols)` for the batch in chunks of `imagesPerChunk` images `[b0, b1)` (`rows` output
 * pixels), with `cols` the byte offset of a patch-matrix buffer of a chunk's size (freed afterwards).
 */
function forEachImageChunk(heap: HeapBackend, g: ConvGeometry, batch: number, chunk: (b0: number, b1: number, rows: number, cols: number) => void): void {
  const per = imagesPerChunk(g, batch);
  const rowsPerImage = g.oh * g.ow;
  const cols = heap.makeOutput([per * rowsPerImage, g.kh * g.kw * g.ci], 'float32');
  try {
    for (let b0 = 0; b0 < batch; b0 += per) {
      const b1 = Math.min(batch, b0 + per);
      chunk(b0, b1, (b1 - b0) * rowsPerImage, heap.getMemoryOffset(cols.dataId));
    }
  } finally {
    heap.disposeData(cols.dataId);
  }
}

/** Image ranges `[c0, c1)` of the chunk `[b0, b1)`, one per thread (fewer when the chunk has fewer images). */
function imageRanges(b0: number, b1: number): [number, number][] {
  const parts = Math.min(computeThreads(), b1 - b0);
  const out: [number, number][] = [];
  for (let p = 0; p < parts; p++) out.push([b0 + Math.floor(((b1 - b0) * p) / parts), b0 + Math.floor(((b1 - b0) * (p + 1)) / parts)]);
  return out;
}

/** The calls writing the patch rows of images `[c0, c1)` of the chunk starting at image b0 into `cols`. */
function im2colCall(module: WebAssembly.Module, g: ConvGeometry, x: number, cols: number, b0: number, c0: number, c1: number): PoolCall {
  return { module, fn: 'im2col', args: [x, cols + (c0 - b0) * g.oh * g.ow * g.kh * g.kw * g.ci * 4, c0, c1] };
}

/**
 * The convolution itself as GEMMs: per chunk of images, `y = cols · W` (W read as `[KH·KW·Ci, Co]`, packed once),
 * each thread doing the patch rows and product rows of its images; or for a single output channel
 * `yᵀ = Wᵀ · colsᵀ` (same memory; needs OH·OW divisible by 4). Undefined where it does not apply (see
 * `backpropFilterGemm`).
 */
export function conv2dGemm(heap: HeapBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const plan = convGemmPlan(info, x, filter);
  if (plan === undefined) return undefined;
  const { g, n, co } = plan;
  const wide = co % 4 === 0;
  if (!wide && !(co === 1 && n % 4 === 0 && (g.oh * g.ow) % 4 === 0)) return undefined;
  const out = heap.makeOutput([info.batchSize, g.oh, g.ow, co], 'float32');
  const memory = heapMemory(heap);
  const fma = wasmGemmFma();
  const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
  const im = compiledIm2col(g, memory);
  const rpi = g.oh * g.ow;
  if (!wide) {
    forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
      runParts(memory, imageRanges(b0, b1).map(([c0, c1]) => [im2colCall(im.module, g, off(x), cols, b0, c0, c1)]));
      heapGemm(heap, { m: 1, n: rows, k: n, transA: true, transB: true, bias: false, relu: false, fma }, off(filter), cols, off(out) + b0 * rpi * 4);
    });
    convGemmStats.forward++;
    return out;
  }
  const packed = heap.makeOutput([n, co], 'float32');
  try {
    let packedDone = false;
    forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
      const spec: GemmSpec = { m: rows, n: co, k: n, transA: false, transB: false, bias: false, relu: false, fma, packB: true };
      if (!packedDone) packPanels(compiledGemm(spec, memory).exports)(off(filter), off(packed)); // the same panels for every m
      packedDone = true;
      const o = { a: cols, b: off(packed), c: off(out) + b0 * rpi * co * 4, bias: 0 };
      const ranges = imageRanges(b0, b1);
      if (ranges.length === 1) {
        im.exports.im2col(off(x), cols, b0, b1);
        runGemm(spec, memory, o);
        return;
      }
      runParts(memory, ranges.map(([c0, c1]) => [
        im2colCall(im.module, g, off(x), cols, b0, c0, c1),
        gemmRowsCall(spec, memory, (c0 - b0) * rpi, (c1 - b0) * rpi, o),
      ]));
    });
  } finally {
    heap.disposeData(packed.dataId);
  }
  convGemmStats.forward++;
  return out;
}

/**
 * The filter gradient as GEMMs: per chunk of images, `dW += colsᵀ · dy` (cols = im2col(x), `[rows, KH·KW·Ci]`; dy
 * `[rows, Co]`), or for a single output channel `dWᵀ += dyᵀ · cols` (same memory). Undefined where it does not apply
 * (see `convGeometry`; Co divisible by 4, or Co = 1 with KH·KW·Ci divisible by 4).
 */
export function backpropFilterGemm(heap: HeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const plan = convGemmPlan(info, x, dy);
  if (plan === undefined) return undefined;
  const { g, n, co } = plan;
  const wide = co % 4 === 0;
  if (!wide && !(co === 1 && n % 4 === 0)) return undefined;
  const out = heap.makeOutput([g.kh, g.kw, g.ci, co], 'float32');
  const memory = heapMemory(heap);
  const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
  const im = compiledIm2col(g, memory);
  forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
    runParts(memory, imageRanges(b0, b1).map(([c0, c1]) => [im2colCall(im.module, g, off(x), cols, b0, c0, c1)]));
    const dyChunk = off(dy) + b0 * g.oh * g.ow * co * 4;
    const spec: GemmSpec = { m: wide ? n : 1, n: wide ? co : n, k: rows, transA: true, transB: false, bias: false, relu: false, fma: wasmGemmFma(), accumulate: b0 > 0 };
    heapGemm(heap, spec, wide ? cols : dyChunk, wide ? dyChunk : cols, off(out));
  });
  convGemmStats.filter++;
  return out;
}

/**
 * The input gradient (and conv2dTranspose forward) as GEMMs: per chunk of images, `cols = dy · Wᵀ` (W read as
 * `[KH·KW·Ci, Co]`, packed once) and `dx = col2im(cols)`, each thread doing the product rows and col2im of its
 * images. Undefined where it does not apply (see `convGeometry`; Co and KH·KW·Ci divisible by 4).
 */
export function backpropInputGemm(heap: HeapBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const plan = convGemmPlan(info, dy, filter);
  if (plan === undefined) return undefined;
  const { g, n, co } = plan;
  if (co % 4 !== 0 || n % 4 !== 0) return undefined;
  const dx = heap.makeOutput([info.batchSize, g.h, g.w, g.ci], 'float32');
  const packed = heap.makeOutput([co, n], 'float32');
  try {
    const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
    const memory = heapMemory(heap);
    const im = compiledIm2col(g, memory);
    const rpi = g.oh * g.ow;
    forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
      const spec: GemmSpec = { m: rows, n, k: co, transA: false, transB: true, bias: false, relu: false, fma: wasmGemmFma() };
      if (b0 === 0) packPanels(compiledGemm(spec, memory).exports)(off(filter), off(packed)); // the same panels for every m
      const o = { a: off(dy) + b0 * rpi * co * 4, b: off(packed), c: cols, bias: 0 };
      const ranges = imageRanges(b0, b1);
      if (ranges.length === 1) {
        runGemm(spec, memory, o);
        im.exports.col2im(cols, off(dx), b0, b1);
        return;
      }
      runParts(memory, ranges.map(([c0, c1]) => [
        gemmRowsCall(spec, memory, (c0 - b0) * rpi, (c1 - b0) * rpi, o),
        { module: im.module, fn: 'col2im', args: [cols + (c0 - b0) * rpi * n * 4, off(dx), c0, c1] },
      ]));
    });
  } finally {
    heap.disposeData(packed.dataId);
  }
  convGemmStats.input++;
  return dx;
}
