/**
 * The project's own kernel fixes for `@tensorflow/tfjs-backend-wasm` 4.22 in Node.
 *
 * 1. `BatchMatMul` / `_FusedMatMul`. The stock wasm kernel handles `transposeA/B` with a strided scalar loop that is
 *    ~24x slower than the plain case, and every backward pass of a dense layer hits it (dW = xᵀ·dy, dx = dy·Wᵀ);
 *    even the plain case re-packs the right operand for XNNPACK on every call in training (the packed weights are
 *    cached by tensor id, and each step brings new tensors). Unbatched float32 products with N divisible by 4 (bias
 *    and relu fused) run a WebAssembly SIMD GEMM generated per shape (`buildGemmModule`) directly on the backend's
 *    heap; a transposed A costs nothing there (only the constant strides change) and a transposed B one 4 x 4
 *    shuffle transpose. Other shapes transpose the operand explicitly (one wasm `Transpose`) and call the stock
 *    kernel untransposed; bias, activation and prelu/leaky-relu attrs pass through unchanged. The GEMM multiply-adds
 *    with relaxed-SIMD FMA where the engine has it (src/core/wasm/features.ts; `LATENT_EXPLORER_WASM_FMA=0` turns it
 *    off): 44-54 GFLOP/s on one Zen 4 core against 36-43 for f32x4 mul + add.
 * 2. Convolutions: `Conv2D`, `Conv2DBackpropFilter` (which the wasm backend does not have at all, so no conv model
 *    could train on it) and `Conv2DBackpropInput` (conv2dTranspose forward and the conv input gradient; a scalar C++
 *    loop on stock wasm) run, for NHWC float32 with dilation 1 and at most 64 input channels, as im2col + the
 *    generated GEMM in chunks of images (src/core/backend/im2col.ts):
 *
 *        y = cols · W          dW = colsᵀ · dy          dx = col2im(dy · Wᵀ)
 *
 *    with cols the patch matrix of x (one row per output pixel, `KH·KW·Ci` columns) and W read as `[KH·KW·Ci, Co]`
 *    (Co divisible by 4, or a single output channel; see each function). That took the conv AE step (batch 128,
 *    Fashion-MNIST) from ~150 ms to ~60-80 ms. Other shapes keep the earlier rewrites: the filter gradient as one
 *    forward XNNPACK `Conv2D` with batch and channel axes swapped,
 *
 *        dW[kh, kw, ci, co] = Σ_{b, oh, ow} xpad[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co]
 *
 *    a 'valid' convolution of X' = transpose(x, [3,1,2,0]) (`[Ci, H, W, B]`, padded like the forward conv) with the
 *    "filter" F' = transpose(dy, [1,2,0,3]) (`[OH, OW, B, Co]`) at stride 1 and dilation = forward stride, giving
 *    `[Ci, KH', KW', Co]`, sliced to `[Ci, KH, KW, Co]` and transposed to `[KH, KW, Ci, Co]`; the input gradient as
 *    an XNNPACK `Conv2D` over the stride-dilated dy (see `makeConv2DBackpropInput`); the forward conv as stock XNNPACK.
 *
 * 4. Training overheads: `Identity` shares the buffer instead of copying it (the engine clones every tensor a gradient
 *    keeps), `Sum` over leading axes (bias gradients) runs as column sums instead of a full `Transpose` + row sums,
 *    `Slice` copies from a view of the heap (the stock kernel first copies out the whole input), and
 *    `FUSED_ADAM_KERNEL` does a whole Adam step for one variable in one pass (src/core/training/fusedAdam.ts runs the
 *    same pass in place, `fusedAdamInPlace`, where no other tensor shares the buffers). With 1 and these, the dense AE
 *    step (784-256-64-32 mirrored, batch 128, one thread) went from ~20 ms to ~10 ms (~7.5-8.5 ms with FMA).
 * 5. Fused layer and loss kernels with their own registered gradients, which src/core/models/layers.ts runs where they
 *    are registered: `DENSE_KERNEL` (`act(x·W + b)`, relu/sigmoid/linear; backward `ACTIVATION_GRAD_KERNEL`, which
 *    also sums the bias gradient, + two GEMMs) and `MSE_KERNEL` (`mean((a - b)²)`; backward `MSE_GRAD_KERNEL`),
 *    each a wasm SIMD pass. They cut the dense AE step from 116 kernels to 65 (60 with the bias sums folded in; the
 *    engine's per-kernel bookkeeping and the tape's saved copies included): ~10.4-11.3 -> ~9-9.8 ms per step.
 *
 * Everything else the dense / conv / conv-transpose autoencoders need for Adam training exists on wasm 4.22
 * (`FusedConv2D`, `Step`, `Sigmoid`, `PadV2`, ...; a probe of the kernel registry found only `UnsortedSegmentSum`
 * (gather's gradient) and `Einsum` missing among training ops); the tests check the gradients of a whole conv
 * autoencoder and a few Adam steps against the cpu backend.
 *
 * All kernels here run wasm kernels directly (no tfjs ops, so no engine bookkeeping or tape) and free their
 * intermediates with `backend.disposeData`.
 */
import { tf } from '../tf';
import { F32, F64, I32, OP as W, V128, assembleModule, emitter, simd as simdOp, sleb, uleb } from '../wasm/assembler';
import { RELAXED_MADD, enableRelaxedSimd } from '../wasm/features';
import { IM2COL_MAX_CHANNELS, im2colModule } from './im2col';
import type { ConvGeometry } from './im2col';

const WASM = 'wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type KernelOutput = ReturnType<tf.KernelFunc>;

/** The slice of the wasm backend the fixes use (its `KernelBackend.disposeData`). */
interface DisposingBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** Kernel configs we registered, so a second call is a no-op and `unregisterWasmKernelFixes` can restore stock. */
const installed = new Map<string, { original?: tf.KernelConfig; fix: tf.KernelConfig; label: string }>();

/** Calls a kernel that must return one tensor. */
function single(out: KernelOutput): tf.TensorInfo {
  if (Array.isArray(out)) throw new Error('expected a single-output kernel');
  return out;
}

/** A required kernel input. */
function input(inputs: KernelArgs['inputs'], name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`missing kernel input ${name}`);
  return t;
}

/** Looks up a stock wasm kernel function by name, failing clearly when the wasm backend is not loaded. */
function wasmKernel(name: string): tf.KernelFunc {
  const k = installed.get(name)?.original ?? tf.getKernel(name, WASM);
  if (k === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
  return k.kernelFunc;
}

/** Swaps the last two axes of a tensor with the wasm `Transpose` kernel (a real copy, owned by the caller). */
function swapLastTwo(transpose: tf.KernelFunc, x: tf.TensorInfo, backend: KernelArgs['backend']): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return single(transpose({ inputs: { x }, backend, attrs: { perm } }));
}

/** The slice of the wasm backend the generated GEMM needs. */
interface HeapBackend extends DisposingBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  getMemoryOffset(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type GemmExports = { gemm: (a: number, b: number, c: number, bias: number) => void; pack?: (src: number, dst: number) => void };

/** Compiled GEMM modules by shape (a training run uses a handful of shapes; the cap only guards odd workloads). */
const gemmCache = new Map<string, GemmExports>();
/** The heap the cached modules import (a re-created wasm backend has a new one). */
let gemmMemory: WebAssembly.Memory | undefined;
const GEMM_CACHE_MAX = 256;
/** How often the generated GEMM ran, and how often a matmul fell back to the stock path (for tests and benches). */
const gemmStats = { calls: 0, fallbacks: 0 };

/** Calls and fallbacks of the generated GEMM since the fixes were registered (`reset` zeroes them). */
export function wasmGemmStats(reset = false): { calls: number; fallbacks: number; modules: number } {
  const out = { ...gemmStats, modules: gemmCache.size };
  if (reset) {
    gemmStats.calls = 0;
    gemmStats.fallbacks = 0;
  }
  return out;
}

function gemmModule(spec: GemmSpec, memory: WebAssembly.Memory): GemmExports {
  const key = `${spec.m},${spec.n},${spec.k},${+spec.transA},${+spec.transB},${+spec.bias},${+spec.relu},${+(spec.fma === true)},${+(spec.accumulate === true)}`;
  if (memory !== gemmMemory) {
    gemmCache.clear();
    gemmMemory = memory;
  }
  let mod = gemmCache.get(key);
  if (mod === undefined) {
    if (gemmCache.size >= GEMM_CACHE_MAX) gemmCache.clear();
    const inst = new WebAssembly.Instance(new WebAssembly.Module(buildGemmModule(spec)), { env: { memory } });
    mod = inst.exports as unknown as GemmExports;
    gemmCache.set(key, mod);
  }
  return mod;
}

/**
 * The generated-GEMM plan for a (fused) matmul, or undefined where it does not apply: float32, no batch (or batch 1
 * on both sides), N divisible by 4 (and K with a transposed B), bias of length N, activation linear or relu.
 */
function planGemm(a: tf.TensorInfo, b: tf.TensorInfo, bias: tf.TensorInfo | undefined, prelu: tf.TensorInfo | undefined, attrs: Record<string, unknown>): GemmSpec | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || prelu !== undefined) return undefined;
  const ra = a.shape.length;
  if (ra < 2 || b.shape.length !== ra) return undefined;
  for (let i = 0; i < ra - 2; i++) if (a.shape[i] !== 1 || b.shape[i] !== 1) return undefined;
  const transA = attrs.transposeA === true;
  const transB = attrs.transposeB === true;
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transB ? b.shape[ra - 2] : b.shape[ra - 1];
  const kb = transB ? b.shape[ra - 1] : b.shape[ra - 2];
  if (k !== kb || m < 1 || k < 1 || n % 4 !== 0 || n === 0 || (transB && k % 4 !== 0)) return undefined;
  const activation = (attrs.activation as string | undefined) ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') return undefined;
  if (bias !== undefined && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return undefined;
  return { m, n, k, transA, transB, bias: bias !== undefined, relu: activation === 'relu', fma: gemmFma };
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

/**
 * Wraps a stock (Fused)BatchMatMul. Shapes `planGemm` accepts (every matmul of a dense autoencoder's training step)
 * run the generated GEMM on the backend heap; measured at batch 128 on one thread (784-256 layers, 39-43 GFLOP/s)
 * it is 1.4x faster than XNNPACK untransposed (26-29 GFLOP/s; tfjs caches XNNPACK's packed weights by tensor id, and
 * in training every right operand is a new tensor, so it re-packs on every call) and 2-2.5x faster than an explicit
 * transpose + XNNPACK (14-21 GFLOP/s: the stock wasm `Transpose` alone takes ~1 ms for 784 x 256). Other shapes:
 * `a·bᵀ`, `aᵀ·b` and `aᵀ·bᵀ` are computed as `a'·b'` on explicitly transposed copies by the stock kernel.
 */
function makeMatMul(name: string, original: tf.KernelConfig): tf.KernelConfig {
  const matMul = original.kernelFunc;
  const transpose = wasmKernel('Transpose');
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const attrs = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs & Record<string, unknown>;
    const a0 = input(inputs, 'a');
    const b0 = input(inputs, 'b');
    const plan = planGemm(a0, b0, inputs.bias, inputs.preluActivationWeights, attrs);
    if (plan !== undefined) {
      const heap = backend as unknown as HeapBackend;
      const mod = gemmModule(plan, heap.wasm.asm.memory);
      const out = heap.makeOutput([...a0.shape.slice(0, -2), plan.m, plan.n], 'float32');
      let bPtr: number;
      let scratch: tf.TensorInfo | undefined;
      if (mod.pack !== undefined) {
        scratch = heap.makeOutput([plan.k, plan.n], 'float32');
        bPtr = heap.getMemoryOffset(scratch.dataId);
        mod.pack(heap.getMemoryOffset(b0.dataId), bPtr);
      } else bPtr = heap.getMemoryOffset(b0.dataId);
      const bias = inputs.bias;
      mod.gemm(heap.getMemoryOffset(a0.dataId), bPtr, heap.getMemoryOffset(out.dataId), bias === undefined ? 0 : heap.getMemoryOffset(bias.dataId));
      if (scratch !== undefined) heap.disposeData(scratch.dataId);
      gemmStats.calls++;
      return out;
    }
    gemmStats.fallbacks++;
    if (!attrs.transposeA && !attrs.transposeB) return matMul(args);
    const temps: tf.TensorInfo[] = [];
    const a = attrs.transposeA ? swapLastTwo(transpose, a0, backend) : a0;
    const b = attrs.transposeB ? swapLastTwo(transpose, b0, backend) : b0;
    if (a !== a0) temps.push(a);
    if (b !== b0) temps.push(b);
    try {
      return matMul({
        inputs: { ...inputs, a, b },
        backend,
        attrs: { ...(args.attrs ?? {}), transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) (backend as DisposingBackend).disposeData(t.dataId);
    }
  };
  return { kernelName: name, backendName: WASM, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}

// ---------------------------------------------------------------------------------------------------------------
// Convolution gradients as GEMMs over patch matrices (im2col.ts), in chunks of images.
// ---------------------------------------------------------------------------------------------------------------

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

/** Runs one generated GEMM on heap offsets, packing B into a scratch buffer first where the module packs. */
function heapGemm(heap: HeapBackend, spec: GemmSpec, a: number, b: number, c: number): void {
  const mod = gemmModule(spec, heap.wasm.asm.memory);
  if (mod.pack === undefined) {
    mod.gemm(a, b, c, 0);
    return;
  }
  const scratch = heap.makeOutput([spec.k, spec.n], 'float32');
  try {
    const packed = heap.getMemoryOffset(scratch.dataId);
    mod.pack(b, packed);
    mod.gemm(a, packed, c, 0);
  } finally {
    heap.disposeData(scratch.dataId);
  }
}

/**
 * The convolution itself as GEMMs: per chunk of images, `y = cols · W` (W read as `[KH·KW·Ci, Co]`), or for a single
 * output channel `yᵀ = Wᵀ · colsᵀ` (same memory; needs OH·OW divisible by 4). Undefined where it does not apply (see
 * `backpropFilterGemm`).
 */
function conv2dGemm(heap: HeapBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const plan = convGemmPlan(info, x, filter);
  if (plan === undefined) return undefined;
  const { g, n, co } = plan;
  const wide = co % 4 === 0;
  if (!wide && !(co === 1 && n % 4 === 0 && (g.oh * g.ow) % 4 === 0)) return undefined;
  const out = heap.makeOutput([info.batchSize, g.oh, g.ow, co], 'float32');
  const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
  const { im2col } = im2colModule(g, heap.wasm.asm.memory);
  forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
    im2col(off(x), cols, b0, b1);
    const y = off(out) + b0 * g.oh * g.ow * co * 4;
    if (wide) heapGemm(heap, { m: rows, n: co, k: n, transA: false, transB: false, bias: false, relu: false, fma: gemmFma }, cols, off(filter), y);
    else heapGemm(heap, { m: 1, n: rows, k: n, transA: true, transB: true, bias: false, relu: false, fma: gemmFma }, off(filter), cols, y);
  });
  convGemmStats.forward++;
  return out;
}

/** Wraps the stock wasm Conv2D (XNNPACK): NHWC float32 convolutions `conv2dGemm` takes run as GEMMs. */
function makeConv2D(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (attrs.dataFormat === 'NCHW') return original.kernelFunc(args);
    const x = input(args.inputs, 'x');
    const filter = input(args.inputs, 'filter');
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    return conv2dGemm(args.backend as unknown as HeapBackend, x, filter, info) ?? original.kernelFunc(args);
  };
  return { kernelName: 'Conv2D', backendName: WASM, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}

/**
 * The filter gradient as GEMMs: per chunk of images, `dW += colsᵀ · dy` (cols = im2col(x), `[rows, KH·KW·Ci]`; dy
 * `[rows, Co]`), or for a single output channel `dWᵀ += dyᵀ · cols` (same memory). Undefined where it does not apply
 * (see `convGeometry`; Co divisible by 4, or Co = 1 with KH·KW·Ci divisible by 4).
 */
function backpropFilterGemm(heap: HeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const plan = convGemmPlan(info, x, dy);
  if (plan === undefined) return undefined;
  const { g, n, co } = plan;
  const wide = co % 4 === 0;
  if (!wide && !(co === 1 && n % 4 === 0)) return undefined;
  const out = heap.makeOutput([g.kh, g.kw, g.ci, co], 'float32');
  const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
  const { im2col } = im2colModule(g, heap.wasm.asm.memory);
  forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
    im2col(off(x), cols, b0, b1);
    const dyChunk = off(dy) + b0 * g.oh * g.ow * co * 4;
    const spec: GemmSpec = { m: wide ? n : 1, n: wide ? co : n, k: rows, transA: true, transB: false, bias: false, relu: false, fma: gemmFma, accumulate: b0 > 0 };
    heapGemm(heap, spec, wide ? cols : dyChunk, wide ? dyChunk : cols, off(out));
  });
  convGemmStats.filter++;
  return out;
}

/**
 * The input gradient (and conv2dTranspose forward) as GEMMs: per chunk of images, `cols = dy · Wᵀ` (W read as
 * `[KH·KW·Ci, Co]`, packed once) and `dx = col2im(cols)`. Undefined where it does not apply (see `convGeometry`; Co
 * and KH·KW·Ci divisible by 4).
 */
function backpropInputGemm(heap: HeapBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const plan = convGemmPlan(info, dy, filter);
  if (plan === undefined) return undefined;
  const { g, n, co } = plan;
  if (co % 4 !== 0 || n % 4 !== 0) return undefined;
  const dx = heap.makeOutput([info.batchSize, g.h, g.w, g.ci], 'float32');
  const packed = heap.makeOutput([co, n], 'float32');
  try {
    const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
    const memory = heap.wasm.asm.memory;
    const { col2im } = im2colModule(g, memory);
    forEachImageChunk(heap, g, info.batchSize, (b0, b1, rows, cols) => {
      const mod = gemmModule({ m: rows, n, k: co, transA: false, transB: true, bias: false, relu: false, fma: gemmFma }, memory);
      if (b0 === 0) mod.pack!(off(filter), off(packed)); // the same panels for every m
      mod.gemm(off(dy) + b0 * g.oh * g.ow * co * 4, off(packed), cols, 0);
      col2im(cols, off(dx), b0, b1);
    });
  } finally {
    heap.disposeData(packed.dataId);
  }
  convGemmStats.input++;
  return dx;
}

/**
 * `Conv2DBackpropFilter` on wasm: the filter gradient of `conv2d(x, W, strides, pad)` given the output gradient
 * `dy`, as one forward convolution with batch and channels swapped (see the file comment). NCHW inputs are
 * transposed to NHWC first.
 */
function makeConv2DBackpropFilter(): tf.KernelConfig {
  const transpose = wasmKernel('Transpose');
  const conv2d = wasmKernel('Conv2D');
  const slice = wasmKernel('Slice');
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const temps: tf.TensorInfo[] = [];
    const keep = (t: KernelOutput): tf.TensorInfo => {
      const s = single(t);
      temps.push(s);
      return s;
    };
    const tr = (x: tf.TensorInfo, perm: number[]): tf.TensorInfo => keep(transpose({ inputs: { x }, backend, attrs: { perm } }));
    try {
      let x = input(inputs, 'x');
      let dy = input(inputs, 'dy');
      if (attrs.dataFormat === 'NCHW') {
        x = tr(x, [0, 2, 3, 1]);
        dy = tr(dy, [0, 2, 3, 1]);
      }
      const [kh, kw] = attrs.filterShape;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        attrs.filterShape,
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
        false,
        'channelsLast',
      );
      const viaGemm = backpropFilterGemm(backend as unknown as HeapBackend, x, dy, info);
      if (viaGemm !== undefined) return viaGemm;
      const { top, bottom, left, right } = info.padInfo;
      // [B, H, W, Ci] -> [Ci, H, W, B]: input channels become the batch, samples become the channels summed over.
      const xT = tr(x, [3, 1, 2, 0]);
      // [B, OH, OW, Co] -> [OH, OW, B, Co]: the output gradient becomes a (dilated) filter.
      const dyT = tr(dy, [1, 2, 0, 3]);
      let r = keep(conv2d({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1],
          pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
          dilations: [info.strideHeight, info.strideWidth],
          dataFormat: 'NHWC',
        },
      }));
      // Padding that the forward stride never reached leaves extra rows/columns: keep the first KH x KW.
      if (r.shape[1] !== kh || r.shape[2] !== kw) {
        r = keep(slice({ inputs: { x: r }, backend, attrs: { begin: [0, 0, 0, 0], size: [r.shape[0], kh, kw, r.shape[3]] } }));
      }
      // [Ci, KH, KW, Co] -> [KH, KW, Ci, Co]
      return single(transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } }));
    } finally {
      for (const t of temps) (backend as DisposingBackend).disposeData(t.dataId);
    }
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: WASM, kernelFunc };
}

/**
 * `Conv2DBackpropInput` on wasm through XNNPACK. The stock kernel is a scalar C++ loop (~70 ms of a 130 ms conv AE
 * step: it is the forward pass of every conv2dTranspose and the input gradient of every conv). The input gradient of
 * `y = conv2d(x, W, stride s, pad (top, left))` is
 *
 *     dx[b, h, w, ci] = Σ_{kh, kw, co} D[b, h + kh - (KH-1-top), w + kw - (KW-1-left), co] · W[KH-1-kh, KW-1-kw, ci, co]
 *
 * where D is dy "dilated" by the stride (s-1 zeros between rows and columns): a stride-1 'valid' convolution of the
 * zero-padded D with the spatially flipped, in/out-swapped filter. The dilation is one wasm `PadV2` on a free 6D view
 * `[B, OH, 1, OW, 1, Co] -> [B, OH, s, OW, s, Co]`. Unusual cases (NCHW, explicit padding wider than the kernel)
 * go to the stock kernel, and so do layers with few dx channels (`BACKPROP_INPUT_MIN_CHANNELS`).
 */
/** Below this many input channels (dx channels) the stock Conv2DBackpropInput is faster than the rewrite. */
export const BACKPROP_INPUT_MIN_CHANNELS = 8;

function makeConv2DBackpropInput(original: tf.KernelConfig): tf.KernelConfig {
  const stock = original.kernelFunc;
  const transpose = wasmKernel('Transpose');
  const conv2d = wasmKernel('Conv2D');
  const padV2 = wasmKernel('PadV2');
  const reverse = wasmKernel('Reverse');
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (attrs.dataFormat === 'NCHW') return stock(args);
    const dy = input(inputs, 'dy');
    const filter = input(inputs, 'filter');
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const viaGemm = backpropInputGemm(backend as unknown as HeapBackend, dy, filter, info);
    if (viaGemm !== undefined) return viaGemm;
    const { batchSize: b, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    // Padding of the dilated dy (length (OH-1)*s+1 before the s-1 trailing zeros the 6D pad adds).
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = h + kh - 1 - top - oh * sh; // negative: D already has enough (zero) rows at the end
    const right = w + kw - 1 - left - ow * sw;
    if (top < 0 || left < 0) return stock(args); // explicit padding wider than the kernel
    // With few dx channels XNNPACK gains too little to pay for the s² zeros of the dilated dy (measured: 16 -> 1
    // channels at stride 2 is 3x slower rewritten, 32 -> 16 is 3.5x faster).
    if (info.inChannels < BACKPROP_INPUT_MIN_CHANNELS) return stock(args);
    const temps: tf.TensorInfo[] = [];
    const keep = (t: KernelOutput): tf.TensorInfo => {
      const one = single(t);
      temps.push(one);
      return one;
    };
    try {
      let d = dy;
      if (sh > 1 || sw > 1) {
        const view: tf.TensorInfo = { dataId: dy.dataId, dtype: dy.dtype, shape: [b, oh, 1, ow, 1, co] };
        const dilated = keep(padV2({ inputs: { x: view }, backend, attrs: { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 } }));
        d = { dataId: dilated.dataId, dtype: dilated.dtype, shape: [b, oh * sh, ow * sw, co] };
      }
      // A negative bottom/right pad means D has more trailing rows than needed: pad 0 instead; the surplus only adds
      // output rows past H/W (each output row reads KH rows from its own start), sliced off below.
      const padB = Math.max(0, bottom);
      const padR = Math.max(0, right);
      // [KH, KW, Ci, Co] -> flip spatially -> [KH, KW, Co, Ci]
      const flipped = keep(reverse({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } }));
      const wT = keep(transpose({ inputs: { x: flipped }, backend, attrs: { perm: [0, 1, 3, 2] } }));
      const out = single(conv2d({
        inputs: { x: d, filter: wT },
        backend,
        attrs: { strides: [1, 1], pad: [[0, 0], [top, padB], [left, padR], [0, 0]], dilations: [1, 1], dataFormat: 'NHWC' },
      }));
      if (out.shape[1] === h && out.shape[2] === w) return out;
      temps.push(out);
      return single(wasmKernel('Slice')({ inputs: { x: out }, backend, attrs: { begin: [0, 0, 0, 0], size: [b, h, w, out.shape[3]] } }));
    } finally {
      for (const t of temps) (backend as DisposingBackend).disposeData(t.dataId);
    }
  };
  return { kernelName: 'Conv2DBackpropInput', backendName: WASM, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}

/**
 * `Identity` sharing the input's buffer (reference counted), as the cpu backend does, instead of the stock wasm copy.
 * The engine clones every tensor a gradient needs (`saveTensorsForBackwardMode`), so in training this was one memcpy
 * (and one malloc/free) per saved activation and weight: 32 copies, ~0.5 ms of a dense-AE step. Tensors are
 * immutable and no wasm kernel writes into its inputs, so sharing is safe. Strings keep the stock kernel.
 */
function makeSharedIdentity(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const x = input(args.inputs, 'x');
    if (x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: 'Identity', backendName: WASM, kernelFunc };
}

/**
 * `colsum(x, out, rows, cols)`: `out[j] = Σ_i x[i, j]` for a row-major float32 `[rows, cols]` (byte offsets into the
 * imported memory), 4 columns per f32x4, each column summed from 0 in increasing i (the stock kernel's order).
 */
export function buildColumnSumModule(): Uint8Array {
  const [X, OUT, R, C] = [0, 1, 2, 3];
  const [J, P, END, ROWB, JEND] = [4, 5, 6, 7, 8];
  const ACCV = 9;
  const ACCS = 10;
  const code: number[] = [];
  const emit = emitter(code);
  const get = (l: number): void => emit(W.localGet, uleb(l));
  const set = (l: number): void => emit(W.localSet, uleb(l));
  // ROWB = cols·4; END offset of the rows = rows·cols·4 (added per column); JEND = (cols & ~3)·4
  get(C);
  emit(W.i32Const, 2, 0x74);
  set(ROWB);
  get(C);
  emit(W.i32Const, sleb(-4), 0x71, W.i32Const, 2, 0x74);
  set(JEND);
  emit(W.i32Const, 0);
  set(J);
  const columnPass = (vector: boolean): void => {
    emit(W.block, W.void, W.loop, W.void);
    get(J);
    if (vector) get(JEND);
    else get(ROWB);
    emit(0x4f, W.brIf, 1); // j >= end: done
    get(X);
    get(J);
    emit(W.i32Add);
    set(P);
    get(P);
    get(R);
    get(ROWB);
    emit(W.i32Mul, W.i32Add);
    set(END);
    if (vector) emit(simdOp(S_CONST), new Array<number>(16).fill(0));
    else emit(0x43, [0, 0, 0, 0]); // f32.const 0
    set(vector ? ACCV : ACCS);
    emit(W.block, W.void, W.loop, W.void);
    get(P);
    get(END);
    emit(0x4f, W.brIf, 1);
    get(vector ? ACCV : ACCS);
    get(P);
    if (vector) emit(simdOp(S_LOAD), 4, 0, simdOp(S_F32X4_ADD));
    else emit(0x2a, 2, 0, 0x92);
    set(vector ? ACCV : ACCS);
    get(P);
    get(ROWB);
    emit(W.i32Add);
    set(P);
    emit(0x0c, 0, W.end, W.end);
    get(OUT);
    get(J);
    emit(W.i32Add);
    get(vector ? ACCV : ACCS);
    if (vector) emit(simdOp(S_STORE), 4, 0);
    else emit(0x38, 2, 0);
    get(J);
    emit(W.i32Const, vector ? 16 : 4, W.i32Add);
    set(J);
    emit(0x0c, 0, W.end, W.end);
  };
  columnPass(true);
  columnPass(false);
  emit(W.end);
  const body = [...uleb(3), 5, I32, 1, V128, 1, 0x7d, ...code];
  return assembleModule({ types: [{ params: [I32, I32, I32, I32], results: [] }], funcs: [{ type: 0, name: 'colsum', body }] });
}

let colsumFn: { memory: WebAssembly.Memory; fn: (x: number, out: number, rows: number, cols: number) => void } | undefined;

/** `out[j] = Σ_i x[i, j]` for x read as `[rows, cols]` (the column-sum module, compiled once per heap). */
function columnSums(heap: HeapBackend, x: tf.TensorInfo, out: tf.TensorInfo, rows: number, cols: number): void {
  const memory = heap.wasm.asm.memory;
  if (colsumFn === undefined || colsumFn.memory !== memory) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(buildColumnSumModule()), { env: { memory } });
    colsumFn = { memory, fn: inst.exports.colsum as (x: number, out: number, rows: number, cols: number) => void };
  }
  colsumFn.fn(heap.getMemoryOffset(x.dataId), heap.getMemoryOffset(out.dataId), rows, cols);
}

/**
 * `Sum` over leading axes (a bias gradient: Σ over the batch) of a float32 tensor as column sums in place, instead
 * of the stock wasm kernel's full `Transpose` (it can only reduce innermost axes) followed by row sums. Other sums go
 * to the stock kernel.
 */
function makeLeadingAxesSum(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const x = input(args.inputs, 'x');
    const attrs = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original.kernelFunc(args);
    const heap = args.backend as unknown as HeapBackend;
    const rest = x.shape.slice(axes.length);
    const out = heap.makeOutput(attrs.keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    columnSums(heap, x, out, tf.util.sizeFromShape(x.shape.slice(0, axes.length)), tf.util.sizeFromShape(rest));
    return out;
  };
  return { kernelName: 'Sum', backendName: WASM, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}

/**
 * `Slice` of a contiguous block (a batch of rows: `x.slice([i·B, 0], [B, D])`) and of rank-2 blocks, copied from a
 * view of the heap. The stock wasm kernel first reads the whole input out with `readSync` (a copy of all of x: for
 * a 4096 x 784 dataset that was 2 ms per 128-row batch, a fifth of a dense-AE training step); other cases still go
 * to it.
 */
function makeHeapSlice(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const x = input(args.inputs, 'x');
    const attrs = args.attrs as unknown as tf.SliceAttrs;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    const contiguous = tf.slice_util.isSliceContinous(x.shape, begin, size);
    if (!contiguous && x.shape.length !== 2) return original.kernelFunc(args);
    const heap = args.backend as unknown as HeapBackend & { typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array };
    const out = heap.makeOutput(size, x.dtype);
    // Views only after makeOutput: a heap growth there would detach earlier ones.
    const xs = heap.typedArrayFromHeap(x);
    const os = heap.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    if (contiguous) {
      const from = tf.slice_util.computeFlatOffset(begin, strides);
      os.set(xs.subarray(from, from + tf.util.sizeFromShape(size)));
    } else {
      for (let r = 0; r < size[0]; r++) {
        const from = (begin[0] + r) * strides[0] + begin[1];
        os.set(xs.subarray(from, from + size[1]), r * size[1]);
      }
    }
    return out;
  };
  return { kernelName: 'Slice', backendName: WASM, kernelFunc };
}

/** Replaces (or adds) one wasm kernel, remembering the stock one. */
function install(name: string, label: string, build: (original: tf.KernelConfig | undefined) => tf.KernelConfig): void {
  if (installed.has(name)) return;
  const original = tf.getKernel(name, WASM);
  const fix = build(original);
  if (original !== undefined) tf.unregisterKernel(name, WASM);
  tf.registerKernel(fix);
  installed.set(name, { original, fix, label });
}

/**
 * Registers the project's wasm kernel fixes (idempotent: a second call only returns the list). Must run after
 * `@tensorflow/tfjs-backend-wasm` is loaded; before or after `tf.setBackend('wasm')` both work (the stock kernels'
 * setup functions are kept). Returns a short description of each fix, for logs.
 */
export function registerWasmKernelFixes(): string[] {
  if (installed.size === 0) wasmGemmFma(true);
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    install(name, `${name} (generated wasm SIMD GEMM${gemmFma ? ' with relaxed-SIMD FMA' : ''}; transposed operands)`, (original) => {
      if (original === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
      return makeMatMul(name, original);
    });
  }
  install('Conv2DBackpropFilter', 'Conv2DBackpropFilter (missing on wasm; im2col + GEMM)', () => makeConv2DBackpropFilter());
  install('Identity', 'Identity (shares the buffer instead of copying)', (original) => {
    if (original === undefined) throw new Error('wasm kernel Identity is not registered');
    return makeSharedIdentity(original);
  });
  install('Sum', 'Sum over leading axes (column sums, no transpose)', (original) => {
    if (original === undefined) throw new Error('wasm kernel Sum is not registered');
    return makeLeadingAxesSum(original);
  });
  install('Slice', 'Slice (from a heap view instead of a copy of the whole input)', (original) => {
    if (original === undefined) throw new Error('wasm kernel Slice is not registered');
    return makeHeapSlice(original);
  });
  install(FUSED_ADAM_KERNEL, 'fused Adam update (one wasm SIMD pass per variable)', () => makeFusedAdam());
  registerFusedGradients();
  install(DENSE_KERNEL, 'fused dense layer x·W + b with relu/sigmoid (one kernel, own gradient)', () => makeDense());
  install(ACTIVATION_GRAD_KERNEL, 'relu/sigmoid gradient from the output (one wasm SIMD pass)', () => makeActivationGrad());
  install(MSE_KERNEL, 'mean squared error (one wasm SIMD pass, float64 sum)', () => makeMse());
  install(MSE_GRAD_KERNEL, 'mean squared error gradient (one wasm SIMD pass)', () => makeMseGrad());
  install('Conv2DBackpropInput', 'Conv2DBackpropInput (col2im + GEMM, or XNNPACK, instead of a scalar loop)', (original) => {
    if (original === undefined) throw new Error('wasm kernel Conv2DBackpropInput is not registered');
    return makeConv2DBackpropInput(original);
  });
  install('Conv2D', 'Conv2D (im2col + generated GEMM)', (original) => {
    if (original === undefined) throw new Error('wasm kernel Conv2D is not registered');
    return makeConv2D(original);
  });
  return [...installed.values()].map((e) => e.label);
}

/** Restores the stock wasm kernels (used by benchmarks and tests to compare against the unfixed backend). */
export function unregisterWasmKernelFixes(): void {
  for (const [name, { original }] of installed) {
    tf.unregisterKernel(name, WASM);
    if (original !== undefined) tf.registerKernel(original);
  }
  installed.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// A generated WebAssembly SIMD GEMM that works in place on the wasm backend's heap (it imports the backend's
// memory), specialised per shape so that every stride is a constant in the code.
// ---------------------------------------------------------------------------------------------------------------

const S_LOAD = 0x00;
const S_LOAD32_SPLAT = 0x09;
const S_STORE = 0x0b;
const S_CONST = 0x0c;
const S_SHUFFLE = 0x0d;
const S_F32X4_ADD = 0xe4;
const S_F32X4_MUL = 0xe6;
const S_F32X4_MAX = 0xe9;

/** Shape and epilogue of one generated GEMM: `C[M,N] = op(A)·B (+ bias[N]) (relu)`. */
export interface GemmSpec {
  m: number;
  n: number;
  k: number;
  /** A is stored `[K, M]` (the product uses Aᵀ); otherwise `[M, K]`. */
  transA: boolean;
  /** B is stored `[N, K]` (the product uses Bᵀ; the module then packs it first, see `buildGemmModule`). */
  transB: boolean;
  bias: boolean;
  relu: boolean;
  /** Multiply-add with `f32x4.relaxed_madd` (one FMA where the CPU has it) instead of `f32x4.mul` + `f32x4.add`. */
  fma?: boolean;
  /** `C += op(A)·B` (C's values are the starting sums; no bias). */
  accumulate?: boolean;
  /** Import the memory as shared (for worker threads, e.g. the kNN search); default not shared. */
  shared?: boolean;
}

/** Rows of C per register tile (4 x 8 = 8 f32x4 accumulators, 11 live v128 in the k loop; 3, 5, 6 measured slower). */
const GEMM_MR = 4;
/** Bytes of A rows per chunk (half of a 1 MiB L2). */
const GEMM_CHUNK_BYTES = 512 * 1024;
/** Longest k range per pass over C. */
const GEMM_KC = 512;
/** k steps per trip of the inner loop. */
/** Pack B into column panels from this many rows of C up (for a few rows, one pass over B costs about as much as the product). */
const GEMM_PACK_MIN_M = 16;
const GEMM_KU = 1; // measured: 2 and 4 are 1.3-1.9x slower (TurboFan hoists all loads of a trip and spills)

/**
 * Builds a wasm module (importing `env.memory`) exporting `gemm(a, b, c, bias)` — all byte offsets into the memory —
 * that computes `C[i, j] = Σ_k A'[i, k]·B'[k, j] (+ bias[j])`, `max(·, 0)` with `relu`, where A' is A or Aᵀ and B' is
 * B or Bᵀ. The product goes in 4 x 8 register tiles (4 x 4 at a right edge with N ≡ 4 mod 8, fewer rows at the
 * bottom edge): each step of the k loop loads one row of the B panel (2 f32x4), broadcasts the 4 A values
 * (`v128.load32_splat`, so a transposed A only changes the constant offsets) and does 8 multiply-adds: `f32x4.mul`
 * + `f32x4.add`, or with `fma` one `f32x4.relaxed_madd` each (an FMA instruction on x64 with FMA3; measured on one
 * Zen 4 core at the dense AE's shapes: 44-54 GFLOP/s against 36-43 for mul + add, whose loop is bound by how many
 * instructions the core can issue, not by its FP units). Sums run in
 * increasing k, one product at a time, like the cpu backend; K longer than GEMM_KC goes in passes (partial sums
 * through C) and M in chunks of rows that stay in L2.
 *
 * With a transposed B, or M >= GEMM_PACK_MIN_M, the module also exports `pack(b, scratch)`, which writes B' as column
 * panels: the `K x 8` panel of columns j..j+7 at float offset j·K, row-major (the 4-wide last one likewise), so the
 * k loop reads one contiguous 32-byte row per step (measured 10-20% faster than striding over B's rows); for Bᵀ it
 * is a 4 x 4 shuffle transpose straight into that layout. `gemm` then takes the scratch as b. Requires N and (with
 * transB) K divisible by 4.
 */
export function buildGemmModule(spec: GemmSpec): Uint8Array {
  const { m: M, n: N, k: K, transA, transB, bias, relu } = spec;
  const fma = spec.fma === true;
  const accumulate = spec.accumulate === true;
  if (accumulate && bias) throw new Error('GEMM: accumulate and bias together are not supported');
  if (N % 4 !== 0 || M < 1 || K < 1 || (transB && K % 4 !== 0)) throw new Error(`unsupported GEMM shape ${JSON.stringify(spec)}`);
  const [A, B, C, BIAS] = [0, 1, 2, 3];
  const [J, I, AP, BP, BEND, CP, I0, IEND] = [4, 5, 6, 7, 8, 9, 10, 11];
  const ACC = 12; // 2·GEMM_MR accumulators
  const [B0, B1, SPL] = [ACC + 2 * GEMM_MR, ACC + 2 * GEMM_MR + 1, ACC + 2 * GEMM_MR + 2];
  const rowStepA = transA ? 4 : K * 4; // bytes between A'[i, k] and A'[i + 1, k]
  const kStepA = transA ? M * 4 : 4; // bytes between A'[i, k] and A'[i, k + 1]
  const rowBytesC = N * 4;
  const packedB = transB || M >= GEMM_PACK_MIN_M;
  const code: number[] = [];
  const emit = emitter(code);
  const get = (l: number): void => emit(W.localGet, uleb(l));
  const set = (l: number): void => emit(W.localSet, uleb(l));
  const i32c = (v: number): void => emit(W.i32Const, sleb(v));
  const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
  const addTo = (l: number, v: number): void => {
    get(l);
    i32c(v);
    emit(W.i32Add);
    set(l);
  };
  const zero = (): void => emit(simdOp(S_CONST), new Array<number>(16).fill(0));

  /** The k range of the current pass (see `kBlocks`), and whether it is the first / last one. */
  let k0 = 0;
  let kLen = K;
  let firstK = true;
  let lastK = true;
  /** One mr x (4·nv) tile of C at row I (local) and byte column J (local), over the current k range. */
  const tile = (mr: number, nv: number): void => {
    get(C);
    get(I);
    i32c(rowBytesC);
    emit(W.i32Mul, W.i32Add);
    get(J);
    emit(W.i32Add);
    set(CP);
    get(A);
    get(I);
    i32c(rowStepA);
    emit(W.i32Mul, W.i32Add);
    if (k0 > 0) {
      i32c(k0 * kStepA);
      emit(W.i32Add);
    }
    set(AP);
    // B row stride: N·4 bytes, or the panel width when B is packed (panel of column block J at byte J·K).
    const bStride = packedB ? nv * 16 : rowBytesC;
    get(B);
    get(J);
    if (packedB) {
      i32c(K);
      emit(W.i32Mul);
    }
    emit(W.i32Add);
    if (k0 > 0) {
      i32c(k0 * bStride);
      emit(W.i32Add);
    }
    set(BP);
    get(BP);
    i32c((kLen - (kLen % GEMM_KU)) * bStride);
    emit(W.i32Add);
    set(BEND);
    for (let r = 0; r < mr; r++) {
      for (let c = 0; c < nv; c++) {
        if (!firstK || accumulate) {
          get(CP);
          emit(simdOp(S_LOAD), memarg(4, r * rowBytesC + c * 16));
        } else if (bias) {
          get(BIAS);
          get(J);
          emit(W.i32Add, simdOp(S_LOAD), memarg(4, c * 16));
        } else zero();
        set(ACC + r * 2 + c);
      }
    }
    /** One k step at `u` steps past the pointers: 2 B loads, mr broadcasts, 2·mr multiply-adds. */
    const kStep = (u: number): void => {
      get(BP);
      emit(simdOp(S_LOAD), memarg(4, u * bStride));
      set(B0);
      if (nv === 2) {
        get(BP);
        emit(simdOp(S_LOAD), memarg(4, u * bStride + 16));
        set(B1);
      }
      for (let r = 0; r < mr; r++) {
        get(AP);
        emit(simdOp(S_LOAD32_SPLAT), memarg(2, r * rowStepA + u * kStepA));
        set(SPL);
        for (let c = 0; c < nv; c++) {
          if (fma) {
            get(SPL);
            get(c === 0 ? B0 : B1);
            get(ACC + r * 2 + c);
            emit(simdOp(RELAXED_MADD)); // a·b + c
          } else {
            get(ACC + r * 2 + c);
            get(SPL);
            get(c === 0 ? B0 : B1);
            emit(simdOp(S_F32X4_MUL), simdOp(S_F32X4_ADD));
          }
          set(ACC + r * 2 + c);
        }
      }
    };
    const kMain = kLen - (kLen % GEMM_KU);
    if (kMain > 0) {
      emit(W.loop, W.void);
      for (let u = 0; u < GEMM_KU; u++) kStep(u);
      addTo(AP, GEMM_KU * kStepA);
      addTo(BP, GEMM_KU * bStride);
      get(BP);
      get(BEND);
      emit(W.i32LtU, W.brIf, 0, W.end);
    }
    for (let u = 0; u < kLen - kMain; u++) kStep(u);
    for (let r = 0; r < mr; r++) {
      for (let c = 0; c < nv; c++) {
        get(CP);
        get(ACC + r * 2 + c);
        if (relu && lastK) {
          zero();
          emit(simdOp(S_F32X4_MAX));
        }
        emit(simdOp(S_STORE), memarg(4, r * rowBytesC + c * 16));
      }
    }
  };
  const mMain = M - (M % GEMM_MR);
  const nMain = N - (N % 8);
  // Rows of A per chunk: the chunk's rows stay in L2 while every column block of B passes over them.
  const mc = Math.max(GEMM_MR, Math.floor(GEMM_CHUNK_BYTES / (K * 4) / GEMM_MR) * GEMM_MR);
  /**
   * `rows(nv)` for every column block, with the byte column in local `col`: 0, 32, ... over the 8-wide blocks, then
   * the 4-wide one if N ≡ 4 mod 8. Used by the GEMM body (col = J) and the B-packing body.
   */
  const columns = (rows: (nv: number) => void, col = J): void => {
    if (nMain > 0) {
      i32c(0);
      set(col);
      emit(W.loop, W.void);
      rows(2);
      addTo(col, 32);
      get(col);
      i32c(nMain * 4);
      emit(W.i32LtU, W.brIf, 0, W.end);
    }
    if (N > nMain) {
      i32c(nMain * 4);
      set(col);
      rows(1);
    }
  };
  // Long k ranges go in passes of GEMM_KC (the first starts from the bias or 0, later ones from the partial C; relu
  // on the last), so that a tile's A rows and B panel stay in L1 whatever K is. The sums still run in increasing k.
  const kBlocks = Math.ceil(K / GEMM_KC);
  for (let kb = 0; kb < kBlocks; kb++) {
    k0 = kb * GEMM_KC;
    kLen = Math.min(GEMM_KC, K - k0);
    firstK = kb === 0;
    lastK = kb === kBlocks - 1;
    if (mMain > 0) {
      i32c(0);
      set(I0);
      emit(W.loop, W.void); // over chunks of mc rows: IEND = min(I0 + mc, mMain)
      get(I0);
      i32c(mc);
      emit(W.i32Add);
      set(IEND);
      get(IEND);
      i32c(mMain);
      get(IEND);
      i32c(mMain);
      emit(W.i32LtU, W.select);
      set(IEND);
      columns((nv) => {
        get(I0);
        set(I);
        emit(W.loop, W.void);
        tile(GEMM_MR, nv);
        addTo(I, GEMM_MR);
        get(I);
        get(IEND);
        emit(W.i32LtU, W.brIf, 0, W.end);
      });
      addTo(I0, mc);
      get(I0);
      i32c(mMain);
      emit(W.i32LtU, W.brIf, 0, W.end);
    }
    if (M > mMain) {
      columns((nv) => {
        i32c(mMain);
        set(I);
        tile(M - mMain, nv);
      });
    }
  }
  emit(W.end);
  const gemmBody = [...uleb(2), ...uleb(8), I32, ...uleb(2 * GEMM_MR + 3), V128, ...code];

  const bodies = [gemmBody];
  if (transB) {
    // pack(src, dst) for Bᵀ: src [N, K] -> dst [K, N] (column panels when packedB), 4 x 4 blocks. Locals: 0 src, 1 dst, 2 row block (bytes into src),
    // 3 column offset, 4 src pointer, 5 dst pointer; v128 6..9 rows, 10..13 interleaved halves.
    code.length = 0; // the previous body was copied out
    const [SRC, DST, RB, CB, SP, DP] = [0, 1, 2, 3, 4, 5];
    const R0 = 6;
    const T0 = 10;
    const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
    const hi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
    const lo64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
    const hi64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
    const srcRow = K * 4;
    const dstRow = N * 4;
    const nMainTb = N - (N % 8);
    /** Blocks of 4 src rows RB in [from, to), writing dst rows `ps` bytes apart (ps = N·4 unpacked). */
    const rowBlocks = (from: number, to: number, ps: number): void => {
      i32c(from);
      set(RB);
      emit(W.loop, W.void); // over blocks of 4 src rows (= 4 dst columns)
      get(SRC);
      get(RB);
      i32c(srcRow);
      emit(W.i32Mul, W.i32Add);
      set(SP);
      get(DST);
      if (packedB) {
        // panel of column j0 = RB: (j0 >> 3)·K·32, then (j0 & 7)·4 inside it
        get(RB);
        emit(W.i32Const, 3, 0x76); // i32.shr_u
        i32c(K * 32);
        emit(W.i32Mul, W.i32Add);
        get(RB);
        emit(W.i32Const, 7, 0x71, W.i32Const, 4, W.i32Mul, W.i32Add);
      } else {
        get(RB);
        i32c(4);
        emit(W.i32Mul, W.i32Add);
      }
      set(DP);
      i32c(0);
      set(CB);
      emit(W.loop, W.void); // over blocks of 4 src columns (= 4 dst rows)
      for (let q = 0; q < 4; q++) {
        get(SP);
        emit(simdOp(S_LOAD), memarg(4, q * srcRow));
        set(R0 + q);
      }
      const pairs: [number, number, number[]][] = [
        [R0, R0 + 1, lo],
        [R0 + 2, R0 + 3, lo],
        [R0, R0 + 1, hi],
        [R0 + 2, R0 + 3, hi],
      ];
      pairs.forEach(([a, b, pat], t) => {
        get(a);
        get(b);
        emit(simdOp(S_SHUFFLE), pat);
        set(T0 + t);
      });
      const cols: [number, number, number[]][] = [
        [T0, T0 + 1, lo64],
        [T0, T0 + 1, hi64],
        [T0 + 2, T0 + 3, lo64],
        [T0 + 2, T0 + 3, hi64],
      ];
      cols.forEach(([a, b, pat], q) => {
        get(DP);
        get(a);
        get(b);
        emit(simdOp(S_SHUFFLE), pat);
        emit(simdOp(S_STORE), memarg(4, q * ps));
      });
      addTo(SP, 16);
      addTo(DP, 4 * ps);
      addTo(CB, 4);
      get(CB);
      i32c(K);
      emit(W.i32LtU, W.brIf, 0, W.end);
      addTo(RB, 4);
      get(RB);
      i32c(to);
      emit(W.i32LtU, W.brIf, 0, W.end);
    };
    if (!packedB) rowBlocks(0, N, dstRow);
    else {
      if (nMainTb > 0) rowBlocks(0, nMainTb, 32);
      if (N > nMainTb) rowBlocks(nMainTb, N, 16);
    }
    emit(W.end);
    bodies.push([...uleb(2), ...uleb(4), I32, ...uleb(8), V128, ...code]);
  }

  if (packedB && !transB) {
    // pack(src, dst): B [K, N] -> its column panels (see buildGemmModule's comment). Locals: 0 src, 1 dst, 2 column
    // byte offset, 3 src pointer, 4 dst pointer, 5 dst end.
    code.length = 0; // the previous body was copied out
    const [SRC, DST, JB, SP, DP, DEND] = [0, 1, 2, 3, 4, 5];
    /** Copies the panel at byte column JB (local), `width` bytes per row of B. */
    const panel = (width: number): void => {
      get(SRC);
      get(JB);
      emit(W.i32Add);
      set(SP);
      get(DST);
      get(JB);
      i32c(K);
      emit(W.i32Mul, W.i32Add);
      set(DP);
      get(DP);
      i32c(K * width);
      emit(W.i32Add);
      set(DEND);
      emit(W.loop, W.void);
      for (let o = 0; o < width; o += 16) {
        get(DP);
        get(SP);
        emit(simdOp(S_LOAD), memarg(4, o), simdOp(S_STORE), memarg(4, o));
      }
      addTo(SP, rowBytesC);
      addTo(DP, width);
      get(DP);
      get(DEND);
      emit(W.i32LtU, W.brIf, 0, W.end);
    };
    columns((nv) => panel(16 * nv), JB);
    emit(W.end);
    bodies.push([...uleb(1), ...uleb(4), I32, ...code]);
  }

  return assembleModule({
    types: [{ params: [I32, I32, I32, I32], results: [] }, { params: [I32, I32], results: [] }],
    funcs: bodies.map((body, i) => (i === 0 ? { type: 0, name: 'gemm', body } : { type: 1, name: 'pack', body })),
    ...(spec.shared === true ? { sharedMaxPages: 65536 } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// One Adam step per variable in one generated wasm SIMD pass (see src/core/training/fusedAdam.ts).
// ---------------------------------------------------------------------------------------------------------------

/** Name of the fused Adam update kernel (wasm only; registered with the other fixes). */
export const FUSED_ADAM_KERNEL = 'LatentExplorerAdamUpdate';

/** Attributes of the fused Adam kernel: the float32 constants of tf.train.adam's update. */
export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/**
 * `adam(value, m, v, g, outValue, outM, outV, n, b1, c1, b2, c2, r2, eps, nstep)`: pointers are byte offsets into the
 * imported memory (the outputs may be the inputs: each element is read before it is written), n the element count,
 * the rest f32. Element-wise, in float32, with PyTorch's arithmetic for `torch.optim.Adam` (one division and one
 * square root per element; tf.train.adam's form has three divisions, which bound this pass on the divider):
 *
 *     m' = m·b1 + g·c1                          (c1 = 1 - b1)
 *     v' = v·b2 + (g·g)·c2                      (c2 = 1 - b2)
 *     value' = (m' / (sqrt(v')·r2 + eps))·nstep + value
 *
 * with r2 = 1/sqrt(1 - b2^t) and nstep = -learning rate/(1 - b1^t), mathematically tf.train.adam's update. 4
 * elements per f32x4 step, the last n mod 4 with scalar f32 ops (no access past the arrays).
 */
export function buildAdamModule(): Uint8Array {
  const [VAL, M, V, G, OVAL, OM, OV, N] = [0, 1, 2, 3, 4, 5, 6, 7];
  const P = 8; // b1 c1 b2 c2 r2 eps nstep
  const NP = 7;
  const [I, END] = [P + NP, P + NP + 1];
  const SPLAT = END + 1; // NP v128 splats of the scalars
  const [TG, TM, TV] = [SPLAT + NP, SPLAT + NP + 1, SPLAT + NP + 2]; // v128 temps
  const [SG, SM, SV] = [TV + 1, TV + 2, TV + 3]; // f32 temps
  const code: number[] = [];
  const emit = emitter(code);
  const get = (l: number): void => emit(W.localGet, uleb(l));
  const set = (l: number): void => emit(W.localSet, uleb(l));
  const memarg = (align: number): number[] => [...uleb(align), 0];
  for (let q = 0; q < NP; q++) {
    get(P + q);
    emit(simdOp(0x13)); // f32x4.splat
    set(SPLAT + q);
  }
  /** One pass (vector: v128 ops on 4 lanes; else scalar f32) over the byte range [I, END). */
  const pass = (vector: boolean): void => {
    const load = (base: number): void => {
      get(base);
      get(I);
      emit(W.i32Add);
      emit(...(vector ? [simdOp(S_LOAD), memarg(4)] : [0x2a, memarg(2)]));
    };
    const c = (q: number): void => get(vector ? SPLAT + q : P + q);
    const [add, mul, div, sqrt] = vector ? [simdOp(S_F32X4_ADD), simdOp(S_F32X4_MUL), simdOp(0xe7), simdOp(0xe3)] : [[0x92], [0x94], [0x95], [0x91]];
    const [tg, tm, tv] = vector ? [TG, TM, TV] : [SG, SM, SV];
    const store = (base: number, value: number): void => {
      get(base);
      get(I);
      emit(W.i32Add);
      get(value);
      emit(...(vector ? [simdOp(S_STORE), memarg(4)] : [0x38, memarg(2)]));
    };
    emit(W.block, W.void, W.loop, W.void);
    get(I);
    get(END);
    emit(0x4f, W.brIf, 1); // i32.ge_u: done
    load(G);
    set(tg);
    // m' = m·b1 + g·c1
    load(M);
    c(0);
    emit(mul);
    get(tg);
    c(1);
    emit(mul, add);
    set(tm);
    // v' = v·b2 + (g·g)·c2
    load(V);
    c(2);
    emit(mul);
    get(tg);
    get(tg);
    emit(mul);
    c(3);
    emit(mul, add);
    set(tv);
    store(OM, tm);
    store(OV, tv);
    // value' = (m' / (sqrt(v')·r2 + eps))·nstep + value  (value is read before outValue, which may alias it, is written)
    get(OVAL);
    get(I);
    emit(W.i32Add);
    get(tm);
    get(tv);
    emit(sqrt);
    c(4);
    emit(mul);
    c(5);
    emit(add, div);
    c(6);
    emit(mul);
    load(VAL);
    emit(add);
    emit(...(vector ? [simdOp(S_STORE), memarg(4)] : [0x38, memarg(2)]));
    get(I);
    emit(W.i32Const, sleb(vector ? 16 : 4), W.i32Add);
    set(I);
    emit(0x0c, 0, W.end, W.end); // br 0 (loop)
  };
  // Vector part: bytes [0, (n & ~3)·4); then the scalar tail up to n·4.
  emit(W.i32Const, 0);
  set(I);
  get(N);
  emit(W.i32Const, sleb(-4), 0x71); // i32.and
  emit(W.i32Const, 2, 0x74); // i32.shl
  set(END);
  pass(true);
  get(N);
  emit(W.i32Const, 2, 0x74);
  set(END);
  pass(false);
  emit(W.end);
  const body = [...uleb(3), ...uleb(2), I32, ...uleb(NP + 3), V128, ...uleb(3), F32, ...code];
  return assembleModule({
    types: [{ params: [...new Array<number>(8).fill(I32), ...new Array<number>(NP).fill(F32)], results: [] }],
    funcs: [{ type: 0, name: 'adam', body }],
  });
}

type AdamFn = (value: number, m: number, v: number, g: number, oValue: number, oM: number, oV: number, n: number, ...scalars: number[]) => void;
let adamFn: { memory: WebAssembly.Memory; fn: AdamFn } | undefined;

/** The compiled Adam pass for a wasm heap (compiled once per heap). */
function adamPass(memory: WebAssembly.Memory): AdamFn {
  if (adamFn === undefined || adamFn.memory !== memory) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(buildAdamModule()), { env: { memory } });
    adamFn = { memory, fn: inst.exports.adam as AdamFn };
  }
  return adamFn.fn;
}

/**
 * Runs one Adam pass: reads `value, m, v, g` and the scalars `acc1`, `acc2` (b_i^t) from the heap and writes the
 * updated value and moments to `outs` (which may be the inputs themselves).
 */
function runAdamPass(heap: HeapBackend, attrs: FusedAdamAttrs, ins: tf.TensorInfo[], acc1: tf.TensorInfo, acc2: tf.TensorInfo, outs: tf.TensorInfo[]): void {
  const memory = heap.wasm.asm.memory;
  const fn = adamPass(memory);
  const f32 = Math.fround;
  const accAt = (t: tf.TensorInfo): number => new Float32Array(memory.buffer, heap.getMemoryOffset(t.dataId), 1)[0];
  const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
  const [value, m, v, g] = ins;
  const bc1 = 1 - accAt(acc1);
  const bc2 = 1 - accAt(acc2);
  fn(off(value), off(m), off(v), off(g), off(outs[0]), off(outs[1]), off(outs[2]), tf.util.sizeFromShape(value.shape),
    f32(attrs.beta1), f32(1 - attrs.beta1), f32(attrs.beta2), f32(1 - attrs.beta2),
    f32(1 / Math.sqrt(bc2)), f32(attrs.epsilon), f32(-attrs.learningRate / bc1));
}

/**
 * The fused Adam kernel: inputs `value, m, v, g` (float32, same size) and the scalars `accBeta1`, `accBeta2`
 * (b_i^t, as tf.train.adam keeps them); outputs `[value', m', v']` (see `buildAdamModule`).
 */
function makeFusedAdam(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = args.backend as unknown as HeapBackend;
    const [value, m, v, g, acc1, acc2] = ['value', 'm', 'v', 'g', 'accBeta1', 'accBeta2'].map((k) => input(args.inputs, k));
    checkFloat32(value, m, v, g);
    const outs = [value, m, v].map((t) => heap.makeOutput(t.shape, 'float32'));
    runAdamPass(heap, args.attrs as unknown as FusedAdamAttrs, [value, m, v, g], acc1, acc2, outs);
    return outs;
  };
  return { kernelName: FUSED_ADAM_KERNEL, backendName: WASM, kernelFunc };
}

/** The wasm backend's bookkeeping for a buffer (tfjs-backend-wasm 4.22 `BackendWasm.dataIdMap`). */
interface WasmTensorData {
  id: number;
  memoryOffset: number;
  refCount: number;
}

/** What an in-place update touches of the wasm backend (see `fusedAdamInPlace`). */
interface InPlaceBackend extends HeapBackend {
  dataIdMap: { get(dataId: tf.DataId): WasmTensorData | undefined };
  dataIdNextNumber: number;
  wasm: HeapBackend['wasm'] & { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void } };
}

/**
 * Gives a buffer that was just written in place a new backend id (same memory). The wasm backend's C++ side caches
 * XNNPACK operators with packed weights by tensor id (stock MatMul / Conv2D paths); dropping the old id drops them,
 * so no kernel reuses weights packed before the update.
 */
function renewTensorId(backend: InPlaceBackend, dataId: tf.DataId, size: number): void {
  const data = backend.dataIdMap.get(dataId);
  if (data === undefined) throw new Error('renewTensorId: unknown buffer');
  backend.wasm.tfjs.disposeData(data.id); // the C++ registry entry and its cached operators; the memory stays
  data.id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(data.id, size, data.memoryOffset);
}

/**
 * The Adam step of `makeFusedAdam` written over the variable and its moments in place (no new buffers, no assign,
 * half the memory traffic): done, and true, only where the active backend is wasm with the fixes registered, all four
 * are float32 of one size and the three buffers are not shared with any other tensor (refCount 1, so no clone or
 * view sees the update); false otherwise (then nothing was touched and the caller runs the kernel).
 */
export function fusedAdamInPlace(value: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, acc1: tf.Tensor, acc2: tf.Tensor, attrs: FusedAdamAttrs): boolean {
  if (tf.getBackend() !== WASM || !installed.has(FUSED_ADAM_KERNEL)) return false;
  const backend = tf.backend() as unknown as InPlaceBackend;
  const own = [value, m, v];
  if ([...own, g].some((t) => t.dtype !== 'float32' || t.size !== value.size)) return false;
  if (new Set([...own, g].map((t) => t.dataId)).size !== 4) return false;
  if (own.some((t) => backend.dataIdMap.get(t.dataId)?.refCount !== 1)) return false;
  runAdamPass(backend, attrs, [value, m, v, g], acc1, acc2, own);
  renewTensorId(backend, value.dataId, value.size);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Fused dense-layer and loss kernels with their own gradients (used by src/core/models/layers.ts on wasm).
// ---------------------------------------------------------------------------------------------------------------

/**
 * `y = act(x·W + b)` in one kernel (inputs `x` [B, I], `W` [I, O], `b` [O]; attr `activation`): the generated GEMM
 * with the bias (and relu) fused, sigmoid by the stock wasm kernel on its output. Its registered gradient is, with
 * `dz = dy ⊙ act'(y)` (`ACTIVATION_GRAD_KERNEL`, which returns db with it; a Sum for a linear layer),
 *
 *     dx = dz·Wᵀ      dW = xᵀ·dz      db = Σ_batch dz
 *
 * which replaces MatMul + Add + Relu forward and Step + Cast + Mul + Reshape + Sum + Reshape backward (and the
 * engine's bookkeeping for each) per layer.
 */
export const DENSE_KERNEL = 'LatentExplorerDense';
/**
 * `dz = dy ⊙ act'(y)` from the activation's output y: relu `y > 0 ? dy : 0`, sigmoid `dy·(y·(1 - y))`; with attr
 * `biasGrad: true` also the bias gradient `db = Σ_rows dz` (outputs `[dz, db]`).
 */
export const ACTIVATION_GRAD_KERNEL = 'LatentExplorerActivationGrad';
/**
 * `mean((a - b)²)` of two float32 tensors of one shape, as a scalar: each `(a - b)²` rounded to float32 (as
 * SquaredDifference does), summed in float64. Gradient `da = 2·dy·(a - b)/n`, `db = -da` (`MSE_GRAD_KERNEL`).
 */
export const MSE_KERNEL = 'LatentExplorerMeanSquaredError';
/** `out = (a - b)·(dy·scale)` (inputs `a`, `b`, scalar `dy`; attr `scale`). */
export const MSE_GRAD_KERNEL = 'LatentExplorerMeanSquaredErrorGrad';

/** Activations `DENSE_KERNEL` fuses. */
export type DenseKernelActivation = 'linear' | 'relu' | 'sigmoid';

/** Attributes of `DENSE_KERNEL` / `ACTIVATION_GRAD_KERNEL`. */
export interface DenseKernelAttrs {
  activation: DenseKernelActivation;
}

interface ElementwiseExports {
  reluGrad: (dy: number, y: number, out: number, bytes: number) => void;
  sigmoidGrad: (dy: number, y: number, out: number, bytes: number) => void;
  scaledDiff: (a: number, b: number, out: number, bytes: number, s: number) => void;
  sqDiffSum: (a: number, b: number, bytes: number) => number;
}

/**
 * A wasm SIMD module (importing `env.memory`) with the element-wise loops of the fused kernels, 4 floats per step
 * over `bytes` (a multiple of 16; callers do the n mod 4 tail):
 * - `reluGrad(dy, y, out, bytes)`: `out = y > 0 ? dy : 0` (a mask and),
 * - `sigmoidGrad(dy, y, out, bytes)`: `out = dy·(y·(1 - y))` (tfjs's Sigmoid gradient, same float32 order),
 * - `scaledDiff(a, b, out, bytes, s)`: `out = (a - b)·s`,
 * - `sqDiffSum(a, b, bytes) -> f64`: `Σ fround((a - b)²)` accumulated in two f64x2 sums.
 */
export function buildElementwiseModule(): Uint8Array {
  const bodies: number[][] = [];
  /** Adds a function body: `locals` as (count, type) pairs after the parameters. */
  const fn = (locals: number[], build: (emit: (...b: (number | number[])[]) => void) => void): void => {
    const code: number[] = [];
    const emit = emitter(code);
    build(emit);
    emit(W.end);
    const decl: number[] = [...uleb(locals.length / 2)];
    for (let i = 0; i < locals.length; i += 2) decl.push(...uleb(locals[i]), locals[i + 1]);
    bodies.push([...decl, ...code]);
  };
  const LOAD = simdOp(S_LOAD);
  const mem = [4, 0];
  const ones = [0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f];
  /** `for (I = 0; I < BYTES; I += 16) body` with I = local `iLocal`, BYTES = local `bytesLocal`. */
  const loop = (emit: (...b: (number | number[])[]) => void, iLocal: number, bytesLocal: number, body: () => void): void => {
    emit(W.i32Const, 0, W.localSet, iLocal, W.block, W.void, W.loop, W.void);
    emit(W.localGet, iLocal, W.localGet, bytesLocal, 0x4f, W.brIf, 1); // i >= bytes: done
    body();
    emit(W.localGet, iLocal, W.i32Const, 16, W.i32Add, W.localSet, iLocal, 0x0c, 0, W.end, W.end);
  };
  const at = (emit: (...b: (number | number[])[]) => void, p: number, i: number): void => emit(W.localGet, p, W.localGet, i, W.i32Add);
  // reluGrad(dy 0, y 1, out 2, bytes 3); local 4 = i
  fn([1, I32], (emit) => {
    loop(emit, 4, 3, () => {
      at(emit, 2, 4);
      at(emit, 0, 4);
      emit(LOAD, mem);
      at(emit, 1, 4);
      emit(LOAD, mem, simdOp(S_CONST), new Array<number>(16).fill(0), simdOp(0x44), simdOp(0x4e)); // f32x4.gt, v128.and
      emit(simdOp(S_STORE), mem);
    });
  });
  // sigmoidGrad(dy 0, y 1, out 2, bytes 3); local 4 = i, 5 = y (v128)
  fn([1, I32, 1, V128], (emit) => {
    loop(emit, 4, 3, () => {
      at(emit, 2, 4);
      at(emit, 0, 4);
      emit(LOAD, mem);
      at(emit, 1, 4);
      emit(LOAD, mem, 0x22, 5); // local.tee y
      emit(simdOp(S_CONST), ones, W.localGet, 5, simdOp(0xe5)); // 1 - y
      emit(simdOp(S_F32X4_MUL), simdOp(S_F32X4_MUL), simdOp(S_STORE), mem);
    });
  });
  // scaledDiff(a 0, b 1, out 2, bytes 3, s 4: f32); local 5 = i, 6 = splat(s)
  fn([1, I32, 1, V128], (emit) => {
    emit(W.localGet, 4, simdOp(0x13), W.localSet, 6);
    loop(emit, 5, 3, () => {
      at(emit, 2, 5);
      at(emit, 0, 5);
      emit(LOAD, mem);
      at(emit, 1, 5);
      emit(LOAD, mem, simdOp(0xe5), W.localGet, 6, simdOp(S_F32X4_MUL), simdOp(S_STORE), mem);
    });
  });
  // sqDiffSum(a 0, b 1, bytes 2) -> f64; local 3 = i, 4 = d (v128), 5, 6 = f64x2 sums
  const high = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  fn([1, I32, 3, V128], (emit) => {
    loop(emit, 3, 2, () => {
      at(emit, 0, 3);
      emit(LOAD, mem);
      at(emit, 1, 3);
      emit(LOAD, mem, simdOp(0xe5), 0x22, 4, W.localGet, 4, simdOp(S_F32X4_MUL), 0x22, 4); // d = (a - b)²
      emit(simdOp(0x5f), W.localGet, 5, simdOp(0xf0), W.localSet, 5); // s0 += promote_low(d)
      emit(W.localGet, 4, W.localGet, 4, simdOp(S_SHUFFLE), high, simdOp(0x5f), W.localGet, 6, simdOp(0xf0), W.localSet, 6);
    });
    emit(W.localGet, 5, W.localGet, 6, simdOp(0xf0), 0x22, 5, simdOp(0x21), 0, W.localGet, 5, simdOp(0x21), 1, 0xa0);
  });
  const names = ['reluGrad', 'sigmoidGrad', 'scaledDiff', 'sqDiffSum'];
  const typeOf = [0, 0, 1, 2];
  return assembleModule({
    types: [{ params: [I32, I32, I32, I32], results: [] }, { params: [I32, I32, I32, I32, F32], results: [] }, { params: [I32, I32, I32], results: [F64] }],
    funcs: bodies.map((body, i) => ({ type: typeOf[i], name: names[i], body })),
  });
}

let elementwise: { memory: WebAssembly.Memory; fns: ElementwiseExports } | undefined;

function elementwiseFns(memory: WebAssembly.Memory): ElementwiseExports {
  if (elementwise === undefined || elementwise.memory !== memory) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(buildElementwiseModule()), { env: { memory } });
    elementwise = { memory, fns: inst.exports as unknown as ElementwiseExports };
  }
  return elementwise.fns;
}

/** A float32 view of a tensor's data on the wasm heap (take it after the last allocation: growth detaches it). */
function heapF32(heap: HeapBackend, t: tf.TensorInfo, n: number): Float32Array {
  return new Float32Array(heap.wasm.asm.memory.buffer, heap.getMemoryOffset(t.dataId), n);
}

function checkFloat32(...ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`fused kernel: expected float32, got ${t.dtype}`);
}

function makeDense(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const { activation } = args.attrs as unknown as DenseKernelAttrs;
    const [x, w, b] = ['x', 'W', 'b'].map((k) => input(inputs, k));
    checkFloat32(x, w, b);
    const fused = tf.getKernel('_FusedMatMul', WASM);
    if (fused === undefined) throw new Error('wasm kernel _FusedMatMul is not registered');
    // Rank-3 views, as tf.fused.matMul passes them (the stock kernel, taking N % 4 != 0, reads a batch axis).
    const view = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, dtype: t.dtype, shape: [1, ...t.shape] });
    const z3 = single(fused.kernelFunc({
      inputs: { a: view(x), b: view(w), bias: b },
      backend,
      attrs: { transposeA: false, transposeB: false, activation: activation === 'relu' ? 'relu' : 'linear' },
    }));
    const z: tf.TensorInfo = { dataId: z3.dataId, dtype: z3.dtype, shape: [x.shape[0], w.shape[1]] };
    if (activation !== 'sigmoid') return z;
    try {
      return single(wasmKernel('Sigmoid')({ inputs: { x: z }, backend, attrs: {} }));
    } finally {
      (backend as DisposingBackend).disposeData(z.dataId);
    }
  };
  return { kernelName: DENSE_KERNEL, backendName: WASM, kernelFunc };
}

function makeActivationGrad(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = args.backend as unknown as HeapBackend;
    const { activation, biasGrad } = args.attrs as unknown as DenseKernelAttrs & { biasGrad?: boolean };
    const dy = input(args.inputs, 'dy');
    const y = input(args.inputs, 'y');
    checkFloat32(dy, y);
    const n = tf.util.sizeFromShape(y.shape);
    const out = heap.makeOutput(y.shape, 'float32');
    const fns = elementwiseFns(heap.wasm.asm.memory);
    const main = n - (n % 4);
    const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
    if (activation === 'relu') fns.reluGrad(off(dy), off(y), off(out), main * 4);
    else if (activation === 'sigmoid') fns.sigmoidGrad(off(dy), off(y), off(out), main * 4);
    else throw new Error(`${ACTIVATION_GRAD_KERNEL}: unsupported activation ${activation}`);
    if (main < n) {
      const [d, v, o] = [heapF32(heap, dy, n), heapF32(heap, y, n), heapF32(heap, out, n)];
      const f = Math.fround;
      for (let i = main; i < n; i++) o[i] = activation === 'relu' ? (v[i] > 0 ? d[i] : 0) : f(d[i] * f(v[i] * f(1 - v[i])));
    }
    if (!biasGrad) return out;
    // The bias gradient Σ_batch dz from dz while it is in cache: one kernel instead of a Sum after this one.
    const cols = y.shape[y.shape.length - 1];
    const db = heap.makeOutput([cols], 'float32');
    columnSums(heap, out, db, n / cols, cols);
    return [out, db];
  };
  return { kernelName: ACTIVATION_GRAD_KERNEL, backendName: WASM, kernelFunc };
}

function makeMse(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = args.backend as unknown as HeapBackend;
    const a = input(args.inputs, 'a');
    const b = input(args.inputs, 'b');
    checkFloat32(a, b);
    const n = tf.util.sizeFromShape(a.shape);
    if (n !== tf.util.sizeFromShape(b.shape)) throw new Error(`${MSE_KERNEL}: shapes differ`);
    const out = heap.makeOutput([], 'float32');
    const main = n - (n % 4);
    let sum = elementwiseFns(heap.wasm.asm.memory).sqDiffSum(heap.getMemoryOffset(a.dataId), heap.getMemoryOffset(b.dataId), main * 4);
    const [av, bv] = [heapF32(heap, a, n), heapF32(heap, b, n)];
    for (let i = main; i < n; i++) {
      const d = Math.fround(av[i] - bv[i]);
      sum += Math.fround(d * d);
    }
    heapF32(heap, out, 1)[0] = n > 0 ? sum / n : NaN;
    return out;
  };
  return { kernelName: MSE_KERNEL, backendName: WASM, kernelFunc };
}

function makeMseGrad(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = args.backend as unknown as HeapBackend;
    const { scale } = args.attrs as unknown as { scale: number };
    const [a, b, dy] = ['a', 'b', 'dy'].map((k) => input(args.inputs, k));
    checkFloat32(a, b, dy);
    const n = tf.util.sizeFromShape(a.shape);
    const out = heap.makeOutput(a.shape, 'float32');
    const s = Math.fround(heapF32(heap, dy, 1)[0] * scale);
    const main = n - (n % 4);
    elementwiseFns(heap.wasm.asm.memory).scaledDiff(heap.getMemoryOffset(a.dataId), heap.getMemoryOffset(b.dataId), heap.getMemoryOffset(out.dataId), main * 4, s);
    if (main < n) {
      const [av, bv, o] = [heapF32(heap, a, n), heapF32(heap, b, n), heapF32(heap, out, n)];
      for (let i = main; i < n; i++) o[i] = Math.fround(av[i] - bv[i]) * s;
    }
    return out;
  };
  return { kernelName: MSE_GRAD_KERNEL, backendName: WASM, kernelFunc };
}

/** Gradients of the fused kernels (registered once, globally: the kernel names are the project's own). */
let fusedGradientsRegistered = false;

function registerFusedGradients(): void {
  if (fusedGradientsRegistered) return;
  fusedGradientsRegistered = true;
  tf.registerGradient({
    kernelName: DENSE_KERNEL,
    inputsToSave: ['x', 'W'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, y] = saved;
      const { activation } = attrs as unknown as DenseKernelAttrs;
      const g = dy as tf.Tensor;
      const [dz, db] = activation === 'linear' ? [g, undefined] : (tf.engine().runKernel(ACTIVATION_GRAD_KERNEL, { dy: g, y }, { activation, biasGrad: true }) as tf.Tensor[]);
      return {
        x: () => tf.matMul(dz, w, false, true),
        W: () => tf.matMul(x, dz, true, false),
        b: () => db ?? tf.sum(dz, 0),
      };
    },
  });
  tf.registerGradient({
    kernelName: MSE_KERNEL,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const n = a.size;
      const grad = (scale: number) => (): tf.Tensor => tf.engine().runKernel(MSE_GRAD_KERNEL, { a, b, dy: dy as tf.Tensor }, { scale }) as tf.Tensor;
      return { a: grad(2 / n), b: grad(-2 / n) };
    },
  });
}
