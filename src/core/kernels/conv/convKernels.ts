/**
 * `Conv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput` on wasm (see registry.ts, item 2): im2col + GEMM
 * (convGemm.ts) where it applies, else XNNPACK rewrites.
 */
import { tf } from '../../tf';
import { WASM, input, single, wasmKernel } from '../kernelTable';
import { asHeap } from '../tfjsWasm';
import type { KernelArgs, KernelOutput } from '../tfjsWasm';
import { backpropFilterGemm, backpropInputGemm, conv2dGemm } from './convGemm';

/**
 * Runs `body` with `keep`, which returns the single tensor of a kernel output and marks it an intermediate: every
 * kept tensor is disposed when `body` returns or throws (so the result must not be kept).
 */
function withTemps<T>(backend: KernelArgs['backend'], body: (keep: (t: KernelOutput) => tf.TensorInfo) => T): T {
  const temps: tf.TensorInfo[] = [];
  try {
    return body((t) => {
      const one = single(t);
      temps.push(one);
      return one;
    });
  } finally {
    for (const t of temps) asHeap(backend).disposeData(t.dataId);
  }
}

/** Wraps the stock wasm Conv2D (XNNPACK): NHWC float32 convolutions `conv2dGemm` takes run as GEMMs. */
export function makeConv2D(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (attrs.dataFormat === 'NCHW') return original.kernelFunc(args);
    const x = input(args.inputs, 'x');
    const filter = input(args.inputs, 'filter');
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    return conv2dGemm(asHeap(args.backend), x, filter, info) ?? original.kernelFunc(args);
  };
  return { kernelName: 'Conv2D', backendName: WASM, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}

/**
 * `Conv2DBackpropFilter` on wasm: the filter gradient of `conv2d(x, W, strides, pad)` given the output gradient
 * `dy`, as one forward convolution with batch and channels swapped (see the file comment). NCHW inputs are
 * transposed to NHWC first.
 */
export function makeConv2DBackpropFilter(): tf.KernelConfig {
  const transpose = wasmKernel('Transpose');
  const conv2d = wasmKernel('Conv2D');
  const kernelFunc = (args: KernelArgs): KernelOutput => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return withTemps(backend, (keep) => {
      const tr = (x: tf.TensorInfo, perm: number[]): tf.TensorInfo => keep(transpose({ inputs: { x }, backend, attrs: { perm } }));
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
      const viaGemm = backpropFilterGemm(asHeap(backend), x, dy, info);
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
        r = keep(wasmKernel('Slice')({ inputs: { x: r }, backend, attrs: { begin: [0, 0, 0, 0], size: [r.shape[0], kh, kw, r.shape[3]] } }));
      }
      // [Ci, KH, KW, Co] -> [KH, KW, Ci, Co]
      return single(transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } }));
    });
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

export function makeConv2DBackpropInput(original: tf.KernelConfig): tf.KernelConfig {
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
    const viaGemm = backpropInputGemm(asHeap(backend), dy, filter, info);
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
    return withTemps(backend, (keep) => {
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
      const pad: tf.backend_util.ExplicitPadding = [[0, 0], [top, padB], [left, padR], [0, 0]];
      // The stride-1 convolution itself: the im2col GEMM path where it applies (multi-threaded), else XNNPACK.
      const convInfo = tf.backend_util.computeConv2DInfo(d.shape as [number, number, number, number], wT.shape as [number, number, number, number], [1, 1], [1, 1], pad, undefined, false, 'channelsLast');
      const out = conv2dGemm(asHeap(backend), d, wT, convInfo)
        ?? single(conv2d({ inputs: { x: d, filter: wT }, backend, attrs: { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' } }));
      if (out.shape[1] === h && out.shape[2] === w) return out;
      keep(out);
      return single(wasmKernel('Slice')({ inputs: { x: out }, backend, attrs: { begin: [0, 0, 0, 0], size: [b, h, w, out.shape[3]] } }));
    });
  };
  return { kernelName: 'Conv2DBackpropInput', backendName: WASM, kernelFunc, setupFunc: original.setupFunc, disposeFunc: original.disposeFunc };
}
