/**
 * Fused dense-layer and loss kernels with their own gradients (see registry.ts, item 4; used by
 * src/core/models/layers.ts on wasm).
 */
import { tf } from '../tf';
import { F32, F64, I32, OP as W, SIMD_OP as S, V128, assembleModule, compileFor, emitter, simd as simdOp, uleb } from './wasm/assembler';
import { computeThreads, runParts } from './computePool';
import type { PoolCall } from './computePool';
import { WASM, findKernel, input, single, wasmKernel } from './kernelTable';
import { columnSums } from './trainingOps';
import { asHeap, heapF32, heapMemory } from './tfjsWasm';
import type { KernelArgs, KernelOutput } from './tfjsWasm';


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
  const LOAD = simdOp(S.v128Load);
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
      emit(LOAD, mem, simdOp(S.v128Const), new Array<number>(16).fill(0), simdOp(0x44), simdOp(0x4e)); // f32x4.gt, v128.and
      emit(simdOp(S.v128Store), mem);
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
      emit(simdOp(S.v128Const), ones, W.localGet, 5, simdOp(0xe5)); // 1 - y
      emit(simdOp(S.f32x4Mul), simdOp(S.f32x4Mul), simdOp(S.v128Store), mem);
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
      emit(LOAD, mem, simdOp(0xe5), W.localGet, 6, simdOp(S.f32x4Mul), simdOp(S.v128Store), mem);
    });
  });
  // sqDiffSum(a 0, b 1, bytes 2) -> f64; local 3 = i, 4 = d (v128), 5, 6 = f64x2 sums
  const high = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  fn([1, I32, 3, V128], (emit) => {
    loop(emit, 3, 2, () => {
      at(emit, 0, 3);
      emit(LOAD, mem);
      at(emit, 1, 3);
      emit(LOAD, mem, simdOp(0xe5), 0x22, 4, W.localGet, 4, simdOp(S.f32x4Mul), 0x22, 4); // d = (a - b)²
      emit(simdOp(0x5f), W.localGet, 5, simdOp(0xf0), W.localSet, 5); // s0 += promote_low(d)
      emit(W.localGet, 4, W.localGet, 4, simdOp(S.i8x16Shuffle), high, simdOp(0x5f), W.localGet, 6, simdOp(0xf0), W.localSet, 6);
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

let elementwise: { memory: WebAssembly.Memory; module: WebAssembly.Module; fns: ElementwiseExports } | undefined;

function elementwiseModule(memory: WebAssembly.Memory): NonNullable<typeof elementwise> {
  if (elementwise === undefined || elementwise.memory !== memory) {
    const module = compileFor(buildElementwiseModule(), memory);
    const inst = new WebAssembly.Instance(module, { env: { memory } });
    elementwise = { memory, module, fns: inst.exports as unknown as ElementwiseExports };
  }
  return elementwise;
}

function elementwiseFns(memory: WebAssembly.Memory): ElementwiseExports {
  return elementwiseModule(memory).fns;
}

/**
 * Element-wise passes over at least this many floats are split into ranges over the compute pool. Smaller ones stay
 * on this thread: their inputs were just written here and sit in this core's cache, so a worker's half costs more in
 * cache-to-cache traffic and the hand-off than it saves (measured on 2 cores: the sigmoid gradient of a 128 x 784
 * batch took 56 µs on this thread, 120-170 µs split in two).
 */
const ELEMENTWISE_SPLIT_MIN = 1 << 18;

/**
 * The pool call computing `out = dy ⊙ act'(y)` over `n` floats (a multiple of 4) at byte offsets of `memory`: the
 * pass `activationGradAt` runs, as part of a job.
 */
export function activationGradCall(memory: WebAssembly.Memory, activation: 'relu' | 'sigmoid', dy: number, y: number, out: number, n: number): PoolCall {
  if (n % 4 !== 0) throw new Error(`activation gradient call: ${n} floats is not a multiple of 4`);
  return { module: elementwiseModule(memory).module, fn: activation === 'relu' ? 'reluGrad' : 'sigmoidGrad', args: [dy, y, out, n * 4] };
}

/** `reluGrad` / `sigmoidGrad` over `n` floats (a multiple of 4), split over the pool when large. */
function runActivationGrad(memory: WebAssembly.Memory, fn: 'reluGrad' | 'sigmoidGrad', dy: number, y: number, out: number, n: number): void {
  const e = elementwiseModule(memory);
  const threads = computeThreads();
  if (threads <= 1 || n < ELEMENTWISE_SPLIT_MIN) {
    e.fns[fn](dy, y, out, n * 4);
    return;
  }
  const per = Math.ceil(n / threads / 4) * 4;
  const parts: PoolCall[][] = [];
  for (let from = 0; from < n; from += per) {
    const b = from * 4;
    parts.push([{ module: e.module, fn, args: [dy + b, y + b, out + b, Math.min(per, n - from) * 4] }]);
  }
  runParts(memory, parts);
}

/**
 * `out = dy ⊙ act'(y)` over `n` floats at byte offsets of `memory` (relu `y > 0 ? dy : 0`, sigmoid
 * `dy·(y·(1 - y))`): the SIMD pass (split over the pool when large) and the n mod 4 tail in float32.
 */
export function activationGradAt(memory: WebAssembly.Memory, activation: 'relu' | 'sigmoid', dy: number, y: number, out: number, n: number): void {
  const main = n - (n % 4);
  runActivationGrad(memory, activation === 'relu' ? 'reluGrad' : 'sigmoidGrad', dy, y, out, main);
  if (main === n) return;
  const [d, v, o] = [dy, y, out].map((p) => new Float32Array(memory.buffer, p, n));
  const f = Math.fround;
  for (let i = main; i < n; i++) o[i] = activation === 'relu' ? (v[i] > 0 ? d[i] : 0) : f(d[i] * f(v[i] * f(1 - v[i])));
}

/** `Σ fround((a - b)²)` over `n` floats at byte offsets of `memory`, summed in float64 (what `MSE_KERNEL` divides by n). */
export function squaredDiffSumAt(memory: WebAssembly.Memory, a: number, b: number, n: number): number {
  const main = n - (n % 4);
  let sum = elementwiseFns(memory).sqDiffSum(a, b, main * 4);
  if (main < n) {
    const [av, bv] = [new Float32Array(memory.buffer, a, n), new Float32Array(memory.buffer, b, n)];
    for (let i = main; i < n; i++) {
      const d = Math.fround(av[i] - bv[i]);
      sum += Math.fround(d * d);
    }
  }
  return sum;
}

/** `out = (a - b)·s` over `n` floats at byte offsets of `memory` (`s` a float32; what `MSE_GRAD_KERNEL` computes). */
export function scaledDiffAt(memory: WebAssembly.Memory, a: number, b: number, out: number, n: number, s: number): void {
  const main = n - (n % 4);
  elementwiseFns(memory).scaledDiff(a, b, out, main * 4, s);
  if (main === n) return;
  const [av, bv, o] = [a, b, out].map((p) => new Float32Array(memory.buffer, p, n));
  for (let i = main; i < n; i++) o[i] = Math.fround(av[i] - bv[i]) * s;
}

/** A float32 view of a tensor's data on the wasm heap (take it after the last allocation: growth detaches it). */
export function checkFloat32(...ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`fused kernel: expected float32, got ${t.dtype}`);
}

export function makeDense(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const { activation } = args.attrs as unknown as DenseKernelAttrs;
    const [x, w, b] = ['x', 'W', 'b'].map((k) => input(inputs, k));
    checkFloat32(x, w, b);
    const fused = findKernel('_FusedMatMul', WASM);
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
      asHeap(backend).disposeData(z.dataId);
    }
  };
  return { kernelName: DENSE_KERNEL, backendName: WASM, kernelFunc };
}

export function makeActivationGrad(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = asHeap(args.backend);
    const { activation, biasGrad } = args.attrs as unknown as DenseKernelAttrs & { biasGrad?: boolean };
    const dy = input(args.inputs, 'dy');
    const y = input(args.inputs, 'y');
    checkFloat32(dy, y);
    const n = tf.util.sizeFromShape(y.shape);
    const out = heap.makeOutput(y.shape, 'float32');
    const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
    if (activation !== 'relu' && activation !== 'sigmoid') throw new Error(`${ACTIVATION_GRAD_KERNEL}: unsupported activation ${activation}`);
    activationGradAt(heapMemory(heap), activation, off(dy), off(y), off(out), n);
    if (!biasGrad) return out;
    // The bias gradient Σ_batch dz from dz while it is in cache: one kernel instead of a Sum after this one.
    const cols = y.shape[y.shape.length - 1];
    const db = heap.makeOutput([cols], 'float32');
    columnSums(heap, out, db, n / cols, cols);
    return [out, db];
  };
  return { kernelName: ACTIVATION_GRAD_KERNEL, backendName: WASM, kernelFunc };
}

export function makeMse(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = asHeap(args.backend);
    const a = input(args.inputs, 'a');
    const b = input(args.inputs, 'b');
    checkFloat32(a, b);
    const n = tf.util.sizeFromShape(a.shape);
    if (n !== tf.util.sizeFromShape(b.shape)) throw new Error(`${MSE_KERNEL}: shapes differ`);
    const out = heap.makeOutput([], 'float32');
    const sum = squaredDiffSumAt(heapMemory(heap), heap.getMemoryOffset(a.dataId), heap.getMemoryOffset(b.dataId), n);
    heapF32(heap, out, 1)[0] = n > 0 ? sum / n : NaN;
    return out;
  };
  return { kernelName: MSE_KERNEL, backendName: WASM, kernelFunc };
}

export function makeMseGrad(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = asHeap(args.backend);
    const { scale } = args.attrs as unknown as { scale: number };
    const [a, b, dy] = ['a', 'b', 'dy'].map((k) => input(args.inputs, k));
    checkFloat32(a, b, dy);
    const n = tf.util.sizeFromShape(a.shape);
    const out = heap.makeOutput(a.shape, 'float32');
    const s = Math.fround(heapF32(heap, dy, 1)[0] * scale);
    scaledDiffAt(heapMemory(heap), heap.getMemoryOffset(a.dataId), heap.getMemoryOffset(b.dataId), heap.getMemoryOffset(out.dataId), n, s);
    return out;
  };
  return { kernelName: MSE_GRAD_KERNEL, backendName: WASM, kernelFunc };
}

/** Gradients of the fused kernels (registered once, globally: the kernel names are the project's own). */
let fusedGradientsRegistered = false;

export function registerFusedGradients(): void {
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
      const [dz, db] = activation === 'linear' ? [g, undefined] : tf.engine().runKernel<tf.Tensor[]>(ACTIVATION_GRAD_KERNEL, { dy: g, y }, { activation, biasGrad: true });
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
      const grad = (scale: number) => (): tf.Tensor => tf.engine().runKernel<tf.Tensor>(MSE_GRAD_KERNEL, { a, b, dy: dy as tf.Tensor }, { scale });
      return { a: grad(2 / n), b: grad(-2 / n) };
    },
  });
}
