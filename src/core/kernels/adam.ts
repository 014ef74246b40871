/**
 * One Adam step per variable in one generated wasm SIMD pass (see registry.ts, item 3; src/core/training/fusedAdam.ts
 * is the optimizer that runs it).
 */
import { tf } from '../tf';
import { F32, I32, OP as W, SIMD_OP as S, V128, assembleModule, compileFor, emitter, simd as simdOp, sleb, uleb } from './wasm/assembler';
import { computeThreads, runParts } from './computePool';
import type { PoolCall } from './computePool';
import { WASM, input, isInstalled } from './kernelTable';
import { checkFloat32 } from './fusedDense';
import { asHeap, heapMemory, ownsBuffer, renewTensorId } from './tfjsWasm';
import type { HeapBackend, KernelArgs, KernelOutput } from './tfjsWasm';

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
      emit(...(vector ? [simdOp(S.v128Load), memarg(4)] : [0x2a, memarg(2)]));
    };
    const c = (q: number): void => get(vector ? SPLAT + q : P + q);
    const [add, mul, div, sqrt] = vector ? [simdOp(S.f32x4Add), simdOp(S.f32x4Mul), simdOp(0xe7), simdOp(0xe3)] : [[0x92], [0x94], [0x95], [0x91]];
    const [tg, tm, tv] = vector ? [TG, TM, TV] : [SG, SM, SV];
    const store = (base: number, value: number): void => {
      get(base);
      get(I);
      emit(W.i32Add);
      get(value);
      emit(...(vector ? [simdOp(S.v128Store), memarg(4)] : [0x38, memarg(2)]));
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
    emit(...(vector ? [simdOp(S.v128Store), memarg(4)] : [0x38, memarg(2)]));
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
let adamFn: { memory: WebAssembly.Memory; module: WebAssembly.Module; fn: AdamFn } | undefined;

/** The compiled Adam pass for a wasm heap (compiled once per heap). */
function adamPass(memory: WebAssembly.Memory): { module: WebAssembly.Module; fn: AdamFn } {
  if (adamFn === undefined || adamFn.memory !== memory) {
    const module = compileFor(buildAdamModule(), memory);
    const inst = new WebAssembly.Instance(module, { env: { memory } });
    adamFn = { memory, module, fn: inst.exports.adam as AdamFn };
  }
  return adamFn;
}

/** Variables of at least this many elements are updated by the compute pool's threads, in ranges. */
const ADAM_SPLIT_MIN = 1 << 15;

/**
 * The f32 scalars of one Adam pass (`buildAdamModule`'s b1 c1 b2 c2 r2 eps nstep) from the hyper-parameters and
 * the float32 powers `acc1 = b1^t`, `acc2 = b2^t` that tf.train.adam keeps.
 */
export function adamScalars(attrs: FusedAdamAttrs, acc1: number, acc2: number): number[] {
  const f32 = Math.fround;
  const bc1 = 1 - acc1;
  const bc2 = 1 - acc2;
  return [f32(attrs.beta1), f32(1 - attrs.beta1), f32(attrs.beta2), f32(1 - attrs.beta2), f32(1 / Math.sqrt(bc2)), f32(attrs.epsilon), f32(-attrs.learningRate / bc1)];
}

/**
 * One Adam pass over `n` elements as compute-pool parts: `ptrs` are the byte offsets of value, m, v, g and the
 * three outputs (which may be the inputs). Element-wise, so ranges (multiples of 4) give each element the same
 * arithmetic on any thread; one part below ADAM_SPLIT_MIN elements or on one thread.
 */
export function adamParts(memory: WebAssembly.Memory, ptrs: readonly number[], n: number, scalars: readonly number[], threads = computeThreads()): PoolCall[][] {
  const { module } = adamPass(memory);
  const per = threads <= 1 || n < ADAM_SPLIT_MIN ? n : Math.ceil(n / threads / 4) * 4;
  const parts: PoolCall[][] = [];
  for (let from = 0; from < n; from += Math.max(per, 1)) {
    const len = Math.min(per, n - from);
    parts.push([{ module, fn: 'adam', args: [...ptrs.map((p) => p + from * 4), len, ...scalars], floatArgs: 0x7f << 8 }]);
  }
  return parts;
}

/**
 * Runs one Adam pass: reads `value, m, v, g` and the scalars `acc1`, `acc2` (b_i^t) from the heap and writes the
 * updated value and moments to `outs` (which may be the inputs themselves).
 */
function runAdamPass(heap: HeapBackend, attrs: FusedAdamAttrs, ins: tf.TensorInfo[], acc1: tf.TensorInfo, acc2: tf.TensorInfo, outs: tf.TensorInfo[]): void {
  const memory = heapMemory(heap);
  const { fn } = adamPass(memory);
  const accAt = (t: tf.TensorInfo): number => new Float32Array(memory.buffer, heap.getMemoryOffset(t.dataId), 1)[0];
  const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
  const [value, m, v, g] = ins;
  const n = tf.util.sizeFromShape(value.shape);
  const scalars = adamScalars(attrs, accAt(acc1), accAt(acc2));
  const ptrs = [value, m, v, g, ...outs].map(off);
  const parts = adamParts(memory, ptrs, n, scalars);
  if (parts.length <= 1) {
    fn(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6], n, ...scalars);
    return;
  }
  runParts(memory, parts);
}

/**
 * The fused Adam kernel: inputs `value, m, v, g` (float32, same size) and the scalars `accBeta1`, `accBeta2`
 * (b_i^t, as tf.train.adam keeps them); outputs `[value', m', v']` (see `buildAdamModule`).
 */
export function makeFusedAdam(): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const heap = asHeap(args.backend);
    const [value, m, v, g, acc1, acc2] = ['value', 'm', 'v', 'g', 'accBeta1', 'accBeta2'].map((k) => input(args.inputs, k));
    checkFloat32(value, m, v, g);
    const outs = [value, m, v].map((t) => heap.makeOutput(t.shape, 'float32'));
    runAdamPass(heap, args.attrs as unknown as FusedAdamAttrs, [value, m, v, g], acc1, acc2, outs);
    return outs;
  };
  return { kernelName: FUSED_ADAM_KERNEL, backendName: WASM, kernelFunc };
}

/**
 * The Adam step of `makeFusedAdam` written over the variable and its moments in place (no new buffers, no assign,
 * half the memory traffic): done, and true, only where the active backend is wasm with the fixes registered, all four
 * are float32 of one size and the three buffers are not shared with any other tensor (refCount 1, so no clone or
 * view sees the update); false otherwise (then nothing was touched and the caller runs the kernel).
 */
export function fusedAdamInPlace(value: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, acc1: tf.Tensor, acc2: tf.Tensor, attrs: FusedAdamAttrs): boolean {
  if (tf.getBackend() !== WASM || !isInstalled(FUSED_ADAM_KERNEL)) return false;
  const backend = asHeap(tf.backend());
  const own = [value, m, v];
  if ([...own, g].some((t) => t.dtype !== 'float32' || t.size !== value.size)) return false;
  if (new Set([...own, g].map((t) => t.dataId)).size !== 4) return false;
  if (own.some((t) => !ownsBuffer(backend, t.dataId))) return false;
  runAdamPass(backend, attrs, [value, m, v, g], acc1, acc2, own);
  renewTensorId(backend, value.dataId, value.size);
  return true;
}
