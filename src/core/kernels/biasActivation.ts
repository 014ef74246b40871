/**
 * `y = act(z + b)` in one kernel (`BIAS_ACT_KERNEL`): the bias `b` (length C) broadcast over the last axis of z (any
 * rank, C divisible by 4), then relu, sigmoid or nothing; one generated wasm SIMD pass (sigmoid: the stock kernel
 * on its output), split by rows over the compute pool. Its registered gradient is `ACTIVATION_GRAD_KERNEL` from the
 * output (`dz`, with the bias gradient `db = Σ dz` over every axis but the last), or for a linear layer `dz = dy`
 * and a column sum. For a convolution's output this replaces Add + Relu forward and Step + Cast + Multiply + Sum
 * backward (src/core/models/layers.ts `biasActivate` uses it where registered).
 */
import { tf } from '../tf';
import { I32, OP as W, SIMD_OP as S, assembleModule, compileFor, emitter, simd as simdOp, uleb } from './wasm/assembler';
import { computeThreads, runParts } from './computePool';
import { asHeap, heapMemory } from './tfjsWasm';
import type { HeapBackend } from './tfjsWasm';

export const BIAS_ACT_KERNEL = 'LatentExplorerBiasActivation';

/** Activations `BIAS_ACT_KERNEL` applies. */
export type BiasActivation = 'relu' | 'sigmoid' | 'linear';


/**
 * `biasRelu(z, b, out, bytes, cbytes)` and `biasAdd(...)`: `out[i] = max(z[i] + b[i mod C], 0)` (or without the
 * max) over `bytes` (a multiple of 16) of float32, `cbytes = 4·C` (a multiple of 16); z, out start at a row.
 */
export function buildBiasActModule(): Uint8Array {
  const bodies = [true, false].map((relu) => {
    const [Z, B, OUT, BYTES, CB, I, J] = [0, 1, 2, 3, 4, 5, 6];
    const code: number[] = [];
    const emit = emitter(code);
    const mem = [4, 0];
    emit(W.i32Const, 0, W.localSet, I, W.i32Const, 0, W.localSet, J);
    emit(W.block, W.void, W.loop, W.void);
    emit(W.localGet, I, W.localGet, BYTES, 0x4f, W.brIf, 1); // i >= bytes: done
    emit(W.localGet, OUT, W.localGet, I, W.i32Add);
    emit(W.localGet, Z, W.localGet, I, W.i32Add, simdOp(S.v128Load), mem);
    emit(W.localGet, B, W.localGet, J, W.i32Add, simdOp(S.v128Load), mem, simdOp(S.f32x4Add));
    if (relu) emit(simdOp(S.v128Const), new Array<number>(16).fill(0), simdOp(S.f32x4Max));
    emit(simdOp(S.v128Store), mem);
    // j = (j + 16) mod cbytes
    emit(W.localGet, J, W.i32Const, 16, W.i32Add, 0x22, J, W.localGet, CB, 0x4f, 0x04, W.void, W.i32Const, 0, W.localSet, J, W.end);
    emit(W.localGet, I, W.i32Const, 16, W.i32Add, W.localSet, I, 0x0c, 0, W.end, W.end);
    emit(W.end);
    return [...uleb(1), ...uleb(2), I32, ...code];
  });
  return assembleModule({
    types: [{ params: [I32, I32, I32, I32, I32], results: [] }],
    funcs: [{ type: 0, name: 'biasRelu', body: bodies[0] }, { type: 0, name: 'biasAdd', body: bodies[1] }],
  });
}

type BiasActFn = (z: number, b: number, out: number, bytes: number, cbytes: number) => void;
let compiled: { memory: WebAssembly.Memory; module: WebAssembly.Module; relu: BiasActFn; add: BiasActFn } | undefined;

function biasActFns(memory: WebAssembly.Memory): NonNullable<typeof compiled> {
  if (compiled === undefined || compiled.memory !== memory) {
    const module = compileFor(buildBiasActModule(), memory);
    const exp = new WebAssembly.Instance(module, { env: { memory } }).exports;
    compiled = { memory, module, relu: exp.biasRelu as BiasActFn, add: exp.biasAdd as BiasActFn };
  }
  return compiled;
}

/** Tensors of at least this many floats are split by rows over the compute pool. */
const SPLIT_MIN_FLOATS = 1 << 16;

/** Whether `BIAS_ACT_KERNEL` takes these inputs (float32, bias [C] with C % 4 = 0 matching z's last axis). */
export function biasActApplies(z: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const c = z.shape[z.shape.length - 1];
  return z.dtype === 'float32' && b.dtype === 'float32' && z.shape.length >= 1 && b.shape.length === 1 && b.shape[0] === c && c % 4 === 0 && c > 0;
}

function runBiasAct(heap: HeapBackend, z: tf.TensorInfo, b: tf.TensorInfo, out: tf.TensorInfo, relu: boolean): void {
  const memory = heapMemory(heap);
  const f = biasActFns(memory);
  const c = b.shape[0];
  const n = tf.util.sizeFromShape(z.shape);
  const [zp, bp, op] = [z, b, out].map((t) => heap.getMemoryOffset(t.dataId));
  const threads = computeThreads();
  if (threads <= 1 || n < SPLIT_MIN_FLOATS) {
    (relu ? f.relu : f.add)(zp, bp, op, n * 4, c * 4);
    return;
  }
  const rows = n / c;
  const per = Math.ceil(rows / threads);
  const parts = [];
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r1 = Math.min(rows, r0 + per);
    parts.push([{ module: f.module, fn: relu ? 'biasRelu' as const : 'biasAdd' as const, args: [zp + r0 * c * 4, bp, op + r0 * c * 4, (r1 - r0) * c * 4, c * 4] }]);
  }
  runParts(memory, parts);
}

/** The kernel config (wasm): inputs `z`, `b`; attr `activation`. */
export function makeBiasActivation(sigmoid: () => tf.KernelFunc): tf.KernelConfig {
  const kernelFunc = (args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> => {
    const heap = asHeap(args.backend);
    const { z, b } = args.inputs as { z: tf.TensorInfo; b: tf.TensorInfo };
    const { activation } = args.attrs as unknown as { activation: BiasActivation };
    if (!biasActApplies(z, b)) throw new Error(`${BIAS_ACT_KERNEL}: unsupported inputs ${JSON.stringify(z.shape)} + ${JSON.stringify(b.shape)}`);
    const out = heap.makeOutput(z.shape, 'float32');
    runBiasAct(heap, z, b, out, activation === 'relu');
    if (activation !== 'sigmoid') return out;
    try {
      return sigmoid()({ inputs: { x: out }, backend: args.backend, attrs: {} });
    } finally {
      heap.disposeData(out.dataId);
    }
  };
  return { kernelName: BIAS_ACT_KERNEL, backendName: 'wasm', kernelFunc };
}

let gradientRegistered = false;

/** Registers the kernel's gradient once (dz from the output via `activationGradKernel`, db as column sums). */
export function registerBiasActGradient(activationGradKernel: string): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: BIAS_ACT_KERNEL,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved;
      const { activation } = attrs as unknown as { activation: BiasActivation };
      const g = dy as tf.Tensor;
      const c = y.shape[y.shape.length - 1];
      if (activation === 'linear') return { z: () => g, b: () => tf.sum(tf.reshape(g, [-1, c]), 0) };
      const [dz, db] = tf.engine().runKernel<tf.Tensor[]>(activationGradKernel, { dy: g, y }, { activation, biasGrad: true });
      return { z: () => dz, b: () => db };
    },
  });
}
