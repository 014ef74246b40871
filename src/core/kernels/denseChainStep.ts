/**
 * A whole training step of a chain of dense layers `h_l = act_l(h_{l-1}·W_l + b_l)` on the mean squared
 * reconstruction error `mean((x - h_L)²)`, with Adam, run on the wasm heap by the project's kernels without tfjs
 * ops. Through tfjs the same step is ~60 kernels, each with the engine's bookkeeping, the tape, a tensor (malloc and
 * free) per intermediate and a compute-pool job per product, Adam pass and pack; here every buffer is allocated once
 * per training run, and one layer's backward products (`dW = h_{l-1}ᵀ·dz`, `dx = dz·W_lᵀ`), its Adam update and the
 * activation gradient of the layer below share one pool job (see `backward`), while this thread's serial work (the
 * output activation and loss gradient, bias sums, the loss, the next batch's copy) runs alongside the workers' parts.
 *
 * The arithmetic is the tfjs path's, kernel for kernel (src/core/models/layers.ts on wasm with the kernel fixes):
 * the same generated GEMM specs (so the same sums in the same order, whatever the split), the stock wasm `Sigmoid`,
 * the MSE and activation-gradient passes of fusedDense.ts, the column sums of trainingOps.ts and the Adam pass of
 * adam.ts with the optimizer's float32 powers `b1^t`, `b2^t` kept as tf.train.adam keeps them. So a step gives the
 * same loss and weights as `optimizer.minimize` on the model's loss (the tests check it), and, as every part is
 * computed by the same instructions on any thread, the same results for any thread count.
 */
import { tf } from '../tf';
import { gemmPacksB } from './gemm';
import type { GemmSpec } from './gemm';
import { GEMM_SPLIT_MIN_FMAS, blockRanges, gemmJob, gemmRowsCall, packParts, runGemmJob, wasmGemmFma } from './gemmRun';
import { computeThreads, runParts } from './computePool';
import type { PoolCall } from './computePool';
import { ACTIVATION_GRAD_KERNEL, DENSE_KERNEL, MSE_GRAD_KERNEL, MSE_KERNEL, activationGradAt, activationGradCall, scaledDiffAt, squaredDiffSumAt } from './fusedDense';
import { columnSumsAt } from './trainingOps';
import { FUSED_ADAM_KERNEL, adamParts, adamScalars } from './adam';
import type { FusedAdamAttrs } from './adam';
import { WASM, isInstalled, single, wasmKernel } from './kernelTable';
import { asHeap, heapMemory, ownsBuffer, renewTensorId } from './tfjsWasm';
import type { HeapBackend } from './tfjsWasm';
import type { DenseChainLayer } from '../models/types';

/** Activations the fused step computes (those `DENSE_KERNEL` fuses). */
export type ChainActivation = 'relu' | 'sigmoid' | 'linear';

/** Kernels whose arithmetic the fused step reproduces: they must be the active ones for it to apply. */
const REQUIRED_KERNELS = ['BatchMatMul', '_FusedMatMul', 'Sum', DENSE_KERNEL, ACTIVATION_GRAD_KERNEL, MSE_KERNEL, MSE_GRAD_KERNEL, FUSED_ADAM_KERNEL];

const isChainActivation = (a: string): a is ChainActivation => a === 'relu' || a === 'sigmoid' || a === 'linear';

/** `w` rounded up to a multiple of 4 (the widths the generated GEMM takes). */
const padded = (w: number): number => Math.ceil(w / 4) * 4;

/**
 * Why `layers` cannot be trained by `DenseChainTrainer` on the active backend, or undefined when they can: the
 * wasm backend with the project's kernel fixes, float32 weights chaining `d_0 -> d_1 -> ... -> d_L = d_0` with d_0
 * a multiple of 4 (the generated GEMM's condition), relu / sigmoid / linear activations, relu or linear where a
 * hidden width is not a multiple of 4 (see `DenseChainTrainer`), and no variable twice.
 */
export function denseChainUnsupported(layers: readonly DenseChainLayer[]): string | undefined {
  if (tf.getBackend() !== WASM) return `backend ${tf.getBackend()}`;
  const missing = REQUIRED_KERNELS.filter((k) => !isInstalled(k));
  if (missing.length > 0) return `kernel fixes missing: ${missing.join(', ')}`;
  if (layers.length === 0) return 'no layers';
  let width = layers[0].W.shape[0];
  const first = width;
  const ids = new Set<tf.DataId>();
  for (const { W, b, activation } of layers) {
    if (!isChainActivation(activation)) return `activation ${activation}`;
    if (W.dtype !== 'float32' || b.dtype !== 'float32' || W.rank !== 2 || b.rank !== 1) return 'weights are not float32 matrices and bias vectors';
    if (W.shape[0] !== width || b.shape[0] !== W.shape[1]) return 'layer shapes do not chain';
    width = W.shape[1];
    if (width % 4 !== 0 && activation === 'sigmoid') return `sigmoid layer of width ${width}, not a multiple of 4`;
    ids.add(W.dataId).add(b.dataId);
  }
  if (first % 4 !== 0) return `input width ${first} is not a multiple of 4`;
  if (width !== first) return 'output width differs from input width';
  if (ids.size !== 2 * layers.length) return 'a variable appears twice';
  return undefined;
}

/** Per-layer heap buffers (byte offsets). */
interface LayerBuffers {
  /** Output `[rows, out]` (unused for sigmoid: the step's own buffers, see `step`). */
  h: number;
  /** Loss gradient with respect to the output. */
  g: number;
  /** Gradient of the pre-activation (= g for a linear layer). */
  dz: number;
  dW: number;
  db: number;
  mW: number;
  vW: number;
  mb: number;
  vb: number;
  /** Packed-B scratch of the forward product, of dW's and of dx's (each its own: they run in one job). */
  packF: number;
  packW: number;
  packX: number;
  /** Zero-padded copies of W and b (0: the variables' own buffers are used; see `DenseChainTrainer`). */
  padW: number;
  padB: number;
}

/**
 * Trains a dense chain (see `denseChainUnsupported` for which) one step at a time on batches of at most `maxRows`
 * rows. Owns its heap buffers and the Adam moments (zero at first, like a fresh tf.train.adam); `dispose` frees
 * them. The variables are updated in place; one whose buffer another tensor shares (a clone of the best weights)
 * first gets a buffer of its own, so the sharer never sees the update.
 *
 * Hidden widths that are not a multiple of 4 (the default latent width 10) are computed padded with zero units:
 * a padded layer trains zero-padded copies of its W and b (copied from the variables before each step and back
 * after), whose extra rows and columns stay exactly zero (a relu or linear unit with zero weights and bias outputs 0,
 * so every gradient and Adam update of the padding is 0 and it adds exact zeros to every sum). The tfjs path computes
 * those narrow products with the stock XNNPACK kernels, so there the two agree to float32 rounding, not bit for bit.
 */
export class DenseChainTrainer {
  private readonly heap: HeapBackend;
  private readonly memory: WebAssembly.Memory;
  /** Widths as computed (padded to multiples of 4), and as the variables have them. */
  private readonly dims: number[];
  private readonly widths: number[];
  private readonly acts: ChainActivation[];
  private readonly owned: tf.TensorInfo[] = [];
  /** The batch buffer this step reads, and the two it alternates between (the next batch is copied alongside). */
  private x: number;
  private readonly xBufs: [number, number];
  /** Rows already copied into the other batch buffer by the previous step, and where. */
  private prefetched?: { x: Float32Array; idx: Int32Array; from: number; to: number; at: number };
  private readonly bufs: LayerBuffers[];
  private readonly attrs: FusedAdamAttrs;
  /** tf.train.adam's float32 `b1^t`, `b2^t` for the next step. */
  private acc1: number;
  private acc2: number;
  private disposed = false;

  constructor(
    private readonly layers: readonly DenseChainLayer[],
    attrs: FusedAdamAttrs,
    private readonly maxRows: number,
  ) {
    const why = denseChainUnsupported(layers);
    if (why !== undefined) throw new Error(`fused dense step: ${why}`);
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new Error(`fused dense step: maxRows must be a positive integer, got ${maxRows}`);
    this.attrs = { ...attrs };
    this.acc1 = Math.fround(attrs.beta1);
    this.acc2 = Math.fround(attrs.beta2);
    this.heap = asHeap(tf.backend());
    this.memory = heapMemory(this.heap);
    this.widths = [layers[0].W.shape[0], ...layers.map((l) => (l.W.shape as number[])[1])];
    this.dims = this.widths.map(padded);
    this.acts = layers.map((l) => l.activation as ChainActivation);
    const alloc = (n: number): number => {
      const t = this.heap.makeOutput([Math.max(1, n)], 'float32');
      this.owned.push(t);
      return this.heap.getMemoryOffset(t.dataId);
    };
    this.xBufs = [alloc(maxRows * this.dims[0]), alloc(maxRows * this.dims[0])];
    this.x = this.xBufs[0];
    const moments: [number, number][] = [];
    const zeroed = (padW: number, nW: number, padB: number, nB: number): { padW: number; padB: number } => {
      moments.push([padW, nW], [padB, nB]);
      return { padW, padB };
    };
    this.bufs = layers.map((_, i) => {
      const [d, o] = [this.dims[i], this.dims[i + 1]];
      const g = alloc(maxRows * o);
      const m = { mW: alloc(d * o), vW: alloc(d * o), mb: alloc(o), vb: alloc(o) };
      moments.push([m.mW, d * o], [m.vW, d * o], [m.mb, o], [m.vb, o]);
      return {
        h: this.acts[i] === 'sigmoid' ? 0 : alloc(maxRows * o),
        g,
        dz: this.acts[i] === 'linear' ? g : alloc(maxRows * o),
        dW: alloc(d * o),
        db: alloc(o),
        ...m,
        packF: alloc(d * o),
        packW: alloc(maxRows * o),
        packX: i > 0 ? alloc(d * o) : 0,
        ...(this.isPadded(i) ? zeroed(alloc(d * o), d * o, alloc(o), o) : { padW: 0, padB: 0 }),
      };
    });
    // Views after the last allocation (a heap growth detaches earlier ones).
    for (const [at, n] of moments) new Float32Array(this.memory.buffer, at, n).fill(0);
  }

  /**
   * One Adam step on rows `idx[from..to)` of the row-major `x` (`dim` = the chain's input width) as their own
   * reconstruction targets; returns the batch's loss before the step (float32, as the tfjs path reports it).
   * `next`: the rows `idx[next.from..next.to)` of the same `x` the next step will train on (unchanged until then),
   * copied into the heap alongside this step's last job.
   */
  step(x: Float32Array, dim: number, idx: Int32Array, from: number, to: number, next?: { from: number; to: number }): number {
    if (this.disposed) throw new Error('fused dense step: disposed');
    const rows = to - from;
    const [d0, L] = [this.dims[0], this.layers.length];
    if (dim !== d0) throw new Error(`fused dense step: rows have ${dim} values, the chain takes ${d0}`);
    if (!(rows >= 1 && rows <= this.maxRows)) throw new Error(`fused dense step: ${rows} rows, at most ${this.maxRows}`);
    this.ownVariables();
    this.syncPadded(true);
    const { heap, memory } = this;
    const off = (t: tf.TensorInfo): number => heap.getMemoryOffset(t.dataId);
    const threads = computeThreads();
    const fma = wasmGemmFma();
    const ready = this.prefetched;
    this.prefetched = undefined;
    if (ready !== undefined && ready.x === x && ready.idx === idx && ready.from === from && ready.to === to) this.x = ready.at;
    else this.copyRows(this.x, x, idx, from, to);
    const other = this.x === this.xBufs[0] ? this.xBufs[1] : this.xBufs[0];
    const prefetch = (): void => {
      if (next === undefined || !(next.to - next.from >= 1 && next.to - next.from <= this.maxRows)) return;
      this.copyRows(other, x, idx, next.from, next.to);
      this.prefetched = { x, idx, from: next.from, to: next.to, at: other };
    };
    const temps: tf.TensorInfo[] = [];
    try {
      // Forward: outs[i] is layer i's activation (the output layer's is set with the output gradient below).
      const outs: number[] = [];
      let input = this.x;
      let outputZ: tf.TensorInfo | undefined;
      const sigmoid = (z: tf.TensorInfo): number => {
        const y = single(wasmKernel('Sigmoid')({ inputs: { x: z }, backend: tf.backend(), attrs: {} }));
        temps.push(y);
        return off(y);
      };
      this.layers.forEach((_, i) => {
        const act = this.acts[i];
        const spec: GemmSpec = { m: rows, n: this.dims[i + 1], k: this.dims[i], transA: false, transB: false, bias: true, relu: act === 'relu', fma };
        // Sigmoid: the pre-activation in a buffer of this batch's size (the stock kernel runs over its whole buffer).
        const z = act === 'sigmoid' ? heap.makeOutput([rows, this.dims[i + 1]], 'float32') : undefined;
        if (z !== undefined) temps.push(z);
        let out = z === undefined ? this.bufs[i].h : off(z);
        runGemmJob(memory, gemmJob(spec, memory, this.weightAt(i), { a: input, b: this.bufs[i].packF, c: out, bias: this.biasAt(i) }, threads));
        if (z !== undefined && i === L - 1) outputZ = z;
        else if (z !== undefined) out = sigmoid(z);
        outs.push(out);
        input = out;
      });
      // The output activation, then the loss gradient with respect to it, (x - y)·(-2/n) (MSE_KERNEL's gradient,
      // MSE_GRAD_KERNEL), and through the activation: serial passes on this thread, while the workers pack the
      // transposed weights the dx products read (the weights do not change before the updates).
      const n = rows * d0;
      const top = this.bufs[L - 1];
      const outputGradient = (): void => {
        if (outputZ !== undefined) outs[L - 1] = sigmoid(outputZ);
        scaledDiffAt(memory, this.x, outs[L - 1], top.g, n, Math.fround(-2 / n));
        if (this.acts[L - 1] !== 'linear') activationGradAt(memory, this.acts[L - 1] as 'relu' | 'sigmoid', top.g, outs[L - 1], top.dz, n);
      };
      const packs = this.layers.flatMap((_, i) => (i === 0 ? [] : packParts(this.dxSpec(i, rows, fma), memory, this.weightAt(i), this.bufs[i].packX, threads)));
      runParts(memory, packs, outputGradient);
      // The loss mean((x - y)²) is summed alongside the first backward job (nothing there reads or writes x or y).
      const y = outs[L - 1];
      let loss = NaN;
      const sumLoss = (): void => {
        loss = Math.fround(squaredDiffSumAt(memory, this.x, y, n) / n);
      };
      // New backend ids for the buffers rewritten in place (the stock XNNPACK kernels cache packed weights by id),
      // alongside the last job (ids only: the parts use offsets).
      const renewIds = (): void => {
        for (const { W, b } of this.layers) {
          renewTensorId(heap, W.dataId, W.size);
          renewTensorId(heap, b.dataId, b.size);
        }
      };
      const scalars = adamScalars(this.attrs, this.acc1, this.acc2);
      for (let i = L - 1; i >= 0; i--) {
        const alongside = (): void => {
          if (i === L - 1) sumLoss();
          if (i === 0) {
            renewIds();
            prefetch();
          }
        };
        this.backward(i, rows, outs, scalars, threads, fma, alongside);
      }
      this.syncPadded(false);
      this.acc1 = Math.fround(this.acc1 * Math.fround(this.attrs.beta1));
      this.acc2 = Math.fround(this.acc2 * Math.fround(this.attrs.beta2));
      return loss;
    } finally {
      for (const t of temps) heap.disposeData(t.dataId);
    }
  }

  /** Frees the trainer's buffers (the variables stay). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) this.heap.disposeData(t.dataId);
    this.owned.length = 0;
  }

  /** Copies rows `idx[from..to)` of `x` into the batch buffer at `at`. */
  private copyRows(at: number, x: Float32Array, idx: Int32Array, from: number, to: number): void {
    const dim = this.dims[0];
    const xs = new Float32Array(this.memory.buffer, at, (to - from) * dim);
    for (let r = from; r < to; r++) xs.set(x.subarray(idx[r] * dim, idx[r] * dim + dim), (r - from) * dim);
  }

  private isPadded(i: number): boolean {
    return this.dims[i] !== this.widths[i] || this.dims[i + 1] !== this.widths[i + 1];
  }

  /** Byte offset of layer `i`'s W as computed: its padded copy, or the variable's buffer. */
  private weightAt(i: number): number {
    return this.bufs[i].padW || this.heap.getMemoryOffset(this.layers[i].W.dataId);
  }

  private biasAt(i: number): number {
    return this.bufs[i].padB || this.heap.getMemoryOffset(this.layers[i].b.dataId);
  }

  /** Copies the variables of padded layers into their padded copies (`into`) or back. */
  private syncPadded(into: boolean): void {
    this.layers.forEach(({ W, b }, i) => {
      const buf = this.bufs[i];
      if (buf.padW === 0) return;
      const [d, o, pad] = [this.widths[i], this.widths[i + 1], this.dims[i + 1]];
      const mem = this.memory.buffer;
      const v = new Float32Array(mem, this.heap.getMemoryOffset(W.dataId), d * o);
      const p = new Float32Array(mem, buf.padW, this.dims[i] * pad);
      for (let r = 0; r < d; r++) {
        if (into) p.set(v.subarray(r * o, r * o + o), r * pad);
        else v.set(p.subarray(r * pad, r * pad + o), r * o);
      }
      const bv = new Float32Array(mem, this.heap.getMemoryOffset(b.dataId), o);
      const bp = new Float32Array(mem, buf.padB, o);
      if (into) bp.set(bv);
      else bv.set(bp);
    });
  }

  /** Gives every variable a buffer no other tensor shares (a copy, once, after a clone of the best weights). */
  private ownVariables(): void {
    for (const { W, b } of this.layers) {
      for (const v of [W, b]) {
        if (!ownsBuffer(this.heap, v.dataId)) tf.tidy(() => v.assign(tf.tensor(v.dataSync(), v.shape, 'float32')));
      }
    }
  }

  /**
   * Layer `i`'s backward pass from `dz` in its buffers (`outs` are the layers' activations): `db = Σ_rows dz`,
   * `dW = inputᵀ·dz` and, above the first layer, `dx = dz·Wᵀ` into the layer below's `g` with that layer's `dz`
   * (its activation gradient), and the Adam update of W and b. One job packs dz and Wᵀ (db summed alongside); the
   * next computes dW in blocks of rows, each followed by the Adam pass over the same rows of W (complete once its
   * block is, and element-wise: the same result as one pass), dx in blocks of rows from the packed Wᵀ (so no part
   * reads W while another updates it), each followed by the activation gradient of those rows, and the bias's Adam
   * pass; `alongside` runs on this thread meanwhile. Every part is computed as on one thread, so the split does not
   * change a bit.
   */
  private backward(i: number, rows: number, outs: number[], scalars: number[], threads: number, fma: boolean, alongside: () => void): void {
    const buf = this.bufs[i];
    const [d, o] = [this.dims[i], this.dims[i + 1]];
    const { memory } = this;
    const w = this.weightAt(i);
    const bias = this.biasAt(i);
    const dwSpec: GemmSpec = { m: d, n: o, k: rows, transA: true, transB: false, bias: false, relu: false, fma };
    const dxSpec = this.dxSpec(i, rows, fma);
    const packDz = gemmPacksB(dwSpec);
    const biasGrad = (): void => columnSumsAt(memory, buf.dz, buf.db, rows, o);
    if (packDz) runParts(memory, packParts(dwSpec, memory, buf.dz, buf.packW, threads), biasGrad);
    else biasGrad();
    const split = (m: number): [number, number][] => (threads <= 1 || d * o * rows < GEMM_SPLIT_MIN_FMAS ? [[0, m]] : blockRanges(m, 4, threads));
    const dw = { a: i === 0 ? this.x : outs[i - 1], b: packDz ? buf.packW : buf.dz, c: buf.dW, bias: 0 };
    const parts: PoolCall[][] = split(d).map(([r0, r1]) => [
      gemmRowsCall(dwSpec, memory, r0, r1, dw),
      ...adamParts(memory, [w, buf.mW, buf.vW, buf.dW, w, buf.mW, buf.vW].map((p) => p + r0 * o * 4), (r1 - r0) * o, scalars, 1)[0],
    ]);
    if (i > 0) {
      const below = this.bufs[i - 1];
      const act = this.acts[i - 1];
      const dx = { a: buf.dz, b: buf.packX, c: below.g, bias: 0 };
      for (const [r0, r1] of split(rows)) {
        const at = r0 * d * 4;
        const grad = act === 'linear' ? [] : [activationGradCall(memory, act, below.g + at, outs[i - 1] + at, below.dz + at, (r1 - r0) * d)];
        parts.push([gemmRowsCall(dxSpec, memory, r0, r1, dx), ...grad]);
      }
    }
    parts.push(...adamParts(memory, [bias, buf.mb, buf.vb, buf.db, bias, buf.mb, buf.vb], o, scalars, 1));
    runParts(memory, parts, alongside);
  }

  /** The input-gradient product of layer `i`: `dx = dz·Wᵀ` (W stored `[in, out]`, packed as Bᵀ). */
  private dxSpec(i: number, rows: number, fma: boolean): GemmSpec {
    return { m: rows, n: this.dims[i], k: this.dims[i + 1], transA: false, transB: true, bias: false, relu: false, fma };
  }
}
