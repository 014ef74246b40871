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
 *    with relaxed-SIMD FMA where the engine has it (wasm/features.ts; `LATENT_EXPLORER_WASM_FMA=0` turns it
 *    off): 44-54 GFLOP/s on one Zen 4 core against 36-43 for f32x4 mul + add.
 * 2. Convolutions: `Conv2D`, `Conv2DBackpropFilter` (which the wasm backend does not have at all, so no conv model
 *    could train on it) and `Conv2DBackpropInput` (conv2dTranspose forward and the conv input gradient; a scalar C++
 *    loop on stock wasm) run, for NHWC float32 with dilation 1 and at most 64 input channels, as im2col + the
 *    generated GEMM in chunks of images (conv/):
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
 * 3. Training overheads: `Identity` shares the buffer instead of copying it (the engine clones every tensor a gradient
 *    keeps), `Sum` over leading axes (bias gradients) runs as column sums instead of a full `Transpose` + row sums,
 *    `Slice` copies from a view of the heap (the stock kernel first copies out the whole input), and
 *    `FUSED_ADAM_KERNEL` does a whole Adam step for one variable in one pass (src/core/training/fusedAdam.ts runs the
 *    same pass in place, `fusedAdamInPlace`, where no other tensor shares the buffers). With 1 and these, the dense AE
 *    step (784-256-64-32 mirrored, batch 128, one thread) went from ~20 ms to ~10 ms (~7.5-8.5 ms with FMA).
 * 4. Fused layer and loss kernels with their own registered gradients, which src/core/models/layers.ts runs where they
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
 * All kernels run wasm kernels directly (no tfjs ops, so no engine bookkeeping or tape) and free their intermediates
 * with `backend.disposeData`. They reach the backend only through tfjsWasm.ts.
 */
import { wasmGemmFma } from './gemmRun';
import { BIAS_ACT_KERNEL, makeBiasActivation, registerBiasActGradient } from './biasActivation';
import { install, installedLabels, stock, uninstallAll, wasmKernel } from './kernelTable';
import { makeMatMul } from './matMul';
import { makeConv2D, makeConv2DBackpropFilter, makeConv2DBackpropInput } from './conv/convKernels';
import { makeHeapSlice, makeLeadingAxesSum, makeSharedIdentity } from './trainingOps';
import { FUSED_ADAM_KERNEL, makeFusedAdam } from './adam';
import { ACTIVATION_GRAD_KERNEL, DENSE_KERNEL, MSE_GRAD_KERNEL, MSE_KERNEL, makeActivationGrad, makeDense, makeMse, makeMseGrad, registerFusedGradients } from './fusedDense';

/**
 * Registers the project's wasm kernel fixes (idempotent: a second call only returns the list). Must run after
 * `@tensorflow/tfjs-backend-wasm` is loaded; before or after `tf.setBackend('wasm')` both work (the stock kernels'
 * setup functions are kept). Returns a short description of each fix, for logs.
 */
export function registerWasmKernelFixes(): string[] {
  if (installedLabels().length === 0) wasmGemmFma(true);
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    install(name, `${name} (generated wasm SIMD GEMM${wasmGemmFma() ? ' with relaxed-SIMD FMA' : ''}; transposed operands)`, (original) => makeMatMul(name, stock(name, original)));
  }
  install('Conv2DBackpropFilter', 'Conv2DBackpropFilter (missing on wasm; im2col + GEMM)', () => makeConv2DBackpropFilter());
  install('Identity', 'Identity (shares the buffer instead of copying)', (original) => makeSharedIdentity(stock('Identity', original)));
  install('Sum', 'Sum over leading axes (column sums, no transpose)', (original) => makeLeadingAxesSum(stock('Sum', original)));
  install('Slice', 'Slice (from a heap view instead of a copy of the whole input)', (original) => makeHeapSlice(stock('Slice', original)));
  install(FUSED_ADAM_KERNEL, 'fused Adam update (one wasm SIMD pass per variable)', () => makeFusedAdam());
  registerFusedGradients();
  install(DENSE_KERNEL, 'fused dense layer x·W + b with relu/sigmoid (one kernel, own gradient)', () => makeDense());
  install(ACTIVATION_GRAD_KERNEL, 'relu/sigmoid gradient from the output (one wasm SIMD pass)', () => makeActivationGrad());
  install(MSE_KERNEL, 'mean squared error (one wasm SIMD pass, float64 sum)', () => makeMse());
  install(MSE_GRAD_KERNEL, 'mean squared error gradient (one wasm SIMD pass)', () => makeMseGrad());
  registerBiasActGradient(ACTIVATION_GRAD_KERNEL);
  install(BIAS_ACT_KERNEL, 'fused bias + relu/sigmoid of a convolution (one wasm SIMD pass, own gradient)', () => makeBiasActivation(() => wasmKernel('Sigmoid')));
  install('Conv2DBackpropInput', 'Conv2DBackpropInput (col2im + GEMM, or XNNPACK, instead of a scalar loop)', (original) => makeConv2DBackpropInput(stock('Conv2DBackpropInput', original)));
  install('Conv2D', 'Conv2D (im2col + generated GEMM)', (original) => makeConv2D(stock('Conv2D', original)));
  return installedLabels();
}

/** Restores the stock wasm kernels (used by benchmarks and tests to compare against the unfixed backend). */
export function unregisterWasmKernelFixes(): void {
  uninstallAll();
}
