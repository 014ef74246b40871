/**
 * The project's own kernel fixes for `@tensorflow/tfjs-backend-wasm` 4.22 in Node.
 *
 * 1. `BatchMatMul` / `_FusedMatMul` with a transposed operand. The stock wasm kernel handles `transposeA/B` with a
 *    strided inner loop that is ~24x slower than the plain case; every backward pass of a dense layer hits it
 *    (dW = xᵀ·dy, dx = dy·Wᵀ). We transpose the operand explicitly (one cheap wasm `Transpose`) and call the stock
 *    kernel untransposed. Bias, activation and prelu/leaky-relu attrs pass through unchanged: they apply to the
 *    product, which is the same either way.
 * 2. `Conv2DBackpropFilter`, which the wasm backend does not have at all (so no conv model can train on it). It is
 *    rewritten as one forward wasm `Conv2D` (XNNPACK) by swapping the roles of the batch and channel axes:
 *
 *        dW[kh, kw, ci, co] = Σ_{b, oh, ow} xpad[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co]
 *
 *    which is a 'valid' convolution of X' = transpose(x, [3,1,2,0]) (`[Ci, H, W, B]`, padded like the forward conv)
 *    with the "filter" F' = transpose(dy, [1,2,0,3]) (`[OH, OW, B, Co]`) at stride 1 and dilation = forward stride,
 *    giving `[Ci, KH', KW', Co]`; a slice to `[Ci, KH, KW, Co]` and a transpose give `[KH, KW, Ci, Co]`.
 *
 * 3. `Conv2DBackpropInput` (conv2dTranspose forward, conv input gradient) exists but is a scalar C++ loop; it is
 *    rewritten as an XNNPACK `Conv2D` over the stride-dilated dy (see `makeConv2DBackpropInput`).
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

/**
 * Wraps a stock (Fused)BatchMatMul so that `a·bᵀ`, `aᵀ·b` and `aᵀ·bᵀ` are computed as `a'·b'` on explicitly
 * transposed copies. The untransposed case goes straight to the stock kernel.
 */
function makeTransposedMatMul(name: string, original: tf.KernelConfig): tf.KernelConfig {
  const matMul = original.kernelFunc;
  const transpose = wasmKernel('Transpose');
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const attrs = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs & Record<string, unknown>;
    if (!attrs.transposeA && !attrs.transposeB) return matMul(args);
    const temps: tf.TensorInfo[] = [];
    const a0 = input(inputs, 'a');
    const b0 = input(inputs, 'b');
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
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    install(name, `${name} (transposed operands)`, (original) => {
      if (original === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
      return makeTransposedMatMul(name, original);
    });
  }
  install('Conv2DBackpropFilter', 'Conv2DBackpropFilter (missing on wasm)', () => makeConv2DBackpropFilter());
  install('Conv2DBackpropInput', 'Conv2DBackpropInput (XNNPACK instead of a scalar loop)', (original) => {
    if (original === undefined) throw new Error('wasm kernel Conv2DBackpropInput is not registered');
    return makeConv2DBackpropInput(original);
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
