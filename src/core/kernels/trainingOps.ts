/**
 * Training overheads of the stock wasm backend removed (see registry.ts, item 3): `Identity` without a copy, `Sum`
 * over leading axes as column sums, `Slice` from a heap view.
 */
import { tf } from '../tf';
import { I32, OP as W, SIMD_OP as S, V128, assembleModule, compileFor, emitter, simd as simdOp, sleb, uleb } from './wasm/assembler';
import { WASM, input } from './kernelTable';
import { asHeap, heapMemory } from './tfjsWasm';
import type { HeapBackend, KernelArgs, KernelOutput } from './tfjsWasm';

/**
 * `Identity` sharing the input's buffer (reference counted), as the cpu backend does, instead of the stock wasm copy.
 * The engine clones every tensor a gradient needs (`saveTensorsForBackwardMode`), so in training this was one memcpy
 * (and one malloc/free) per saved activation and weight: 32 copies, ~0.5 ms of a dense-AE step. Tensors are
 * immutable and no wasm kernel writes into its inputs, so sharing is safe. Strings keep the stock kernel.
 */
export function makeSharedIdentity(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const x = input(args.inputs, 'x');
    if (x.dtype === 'string') return original.kernelFunc(args);
    asHeap(args.backend).incRef(x.dataId);
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
    if (vector) emit(simdOp(S.v128Const), new Array<number>(16).fill(0));
    else emit(0x43, [0, 0, 0, 0]); // f32.const 0
    set(vector ? ACCV : ACCS);
    emit(W.block, W.void, W.loop, W.void);
    get(P);
    get(END);
    emit(0x4f, W.brIf, 1);
    get(vector ? ACCV : ACCS);
    get(P);
    if (vector) emit(simdOp(S.v128Load), 4, 0, simdOp(S.f32x4Add));
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
    if (vector) emit(simdOp(S.v128Store), 4, 0);
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
export function columnSums(heap: HeapBackend, x: tf.TensorInfo, out: tf.TensorInfo, rows: number, cols: number): void {
  columnSumsAt(heapMemory(heap), heap.getMemoryOffset(x.dataId), heap.getMemoryOffset(out.dataId), rows, cols);
}

/** `columnSums` on byte offsets of `memory`. */
export function columnSumsAt(memory: WebAssembly.Memory, x: number, out: number, rows: number, cols: number): void {
  if (colsumFn === undefined || colsumFn.memory !== memory) {
    const inst = new WebAssembly.Instance(compileFor(buildColumnSumModule(), memory), { env: { memory } });
    colsumFn = { memory, fn: inst.exports.colsum as (x: number, out: number, rows: number, cols: number) => void };
  }
  colsumFn.fn(x, out, rows, cols);
}

/**
 * `Sum` over leading axes (a bias gradient: Σ over the batch) of a float32 tensor as column sums in place, instead
 * of the stock wasm kernel's full `Transpose` (it can only reduce innermost axes) followed by row sums. Other sums go
 * to the stock kernel.
 */
export function makeLeadingAxesSum(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const x = input(args.inputs, 'x');
    const attrs = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original.kernelFunc(args);
    const heap = asHeap(args.backend);
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
export function makeHeapSlice(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const x = input(args.inputs, 'x');
    const attrs = args.attrs as unknown as tf.SliceAttrs;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    const contiguous = tf.slice_util.isSliceContinous(x.shape, begin, size);
    if (!contiguous && x.shape.length !== 2) return original.kernelFunc(args);
    const heap = asHeap(args.backend);
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
