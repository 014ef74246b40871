import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { ACTIVATION_GRAD_KERNEL, DENSE_KERNEL, MSE_KERNEL, buildElementwiseModule } from '../../../src/core/kernels/fusedDense';
import { buildGemmModule } from '../../../src/core/kernels/gemm';
import { wasmGemmFma } from '../../../src/core/kernels/gemmRun';
import { wasmGemmStats } from '../../../src/core/kernels/matMul';
import { BACKPROP_INPUT_MIN_CHANNELS } from '../../../src/core/kernels/conv/convKernels';
import { CONV_MAX_IMAGE_FLOATS, wasmConvGemmStats } from '../../../src/core/kernels/conv/convGemm';
import { enableRelaxedSimd, hasRelaxedSimd } from '../../../src/core/kernels/wasm/features';
import { applyDense, meanSquaredError } from '../../../src/core/models/layers';
import { maxAbs, maxAbsDiff, randomData, runOn } from './helpers';

const TOL = 1e-4;

before(async () => {
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
  assert.ok(info.kernelFixes.some((f) => f.startsWith('BatchMatMul')));
  assert.ok(info.kernelFixes.some((f) => f.startsWith('Conv2DBackpropFilter')));
});

/** Runs `build` on cpu and wasm; asserts same shapes, values within `tol` and no leaked tensors. */
async function assertSameOnCpuAndWasm(label: string, build: () => tf.Tensor | tf.Tensor[], tol = TOL): Promise<number> {
  const before = tf.memory().numTensors;
  const cpu = await runOn('cpu', build);
  const wasm = await runOn('wasm', build);
  assert.equal(tf.memory().numTensors, before, `${label}: tensors leaked`);
  assert.deepEqual(wasm.shapes, cpu.shapes, `${label}: shapes`);
  let worst = 0;
  cpu.values.forEach((c, i) => {
    const d = maxAbsDiff(wasm.values[i], c);
    assert.ok(maxAbs(c) > 0, `${label}: degenerate all-zero reference`);
    assert.ok(d <= tol, `${label} output ${i}: max abs diff ${d} > ${tol}`);
    worst = Math.max(worst, d);
  });
  return worst;
}

const matMulCases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { a: [7, 5], b: [7, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 7], ta: false, tb: true },
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [5, 7], b: [7, 3], ta: false, tb: false },
  { a: [4, 9, 6], b: [4, 9, 11], ta: true, tb: false },
  { a: [3, 6, 9], b: [3, 11, 9], ta: false, tb: true },
  { a: [2, 9, 6], b: [2, 11, 9], ta: true, tb: true },
  { a: [1, 33, 17], b: [3, 33, 13], ta: true, tb: false }, // broadcast batch
  { a: [128, 64], b: [128, 32], ta: true, tb: false }, // a dense layer's dW
];

test('BatchMatMul with transposed operands matches cpu', async () => {
  for (const [i, c] of matMulCases.entries()) {
    const aData = randomData(c.a.reduce((p, q) => p * q, 1), 10 + i);
    const bData = randomData(c.b.reduce((p, q) => p * q, 1), 50 + i);
    await assertSameOnCpuAndWasm(`matMul ${JSON.stringify(c)}`, () => tf.matMul(tf.tensor(aData, c.a), tf.tensor(bData, c.b), c.ta, c.tb));
  }
});

test('_FusedMatMul with bias and activation, transposed operands, matches cpu', async () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; activation: 'relu' | 'linear' | 'leakyrelu' | 'sigmoid' }[] = [
    { a: [6, 8], b: [6, 5], ta: true, tb: false, activation: 'relu' },
    { a: [8, 6], b: [5, 6], ta: false, tb: true, activation: 'relu' },
    { a: [6, 8], b: [5, 6], ta: true, tb: true, activation: 'linear' },
    { a: [16, 10], b: [7, 16], ta: true, tb: true, activation: 'leakyrelu' },
    { a: [10, 16], b: [7, 16], ta: false, tb: true, activation: 'sigmoid' },
  ];
  for (const [i, c] of cases.entries()) {
    const aData = randomData(c.a.reduce((p, q) => p * q, 1), 100 + i);
    const bData = randomData(c.b.reduce((p, q) => p * q, 1), 200 + i);
    const n = c.tb ? c.b[0] : c.b[1];
    const biasData = randomData(n, 300 + i);
    await assertSameOnCpuAndWasm(`fused ${JSON.stringify(c)}`, () =>
      tf.fused.matMul({
        a: tf.tensor2d(aData, c.a as [number, number]),
        b: tf.tensor2d(bData, c.b as [number, number]),
        transposeA: c.ta,
        transposeB: c.tb,
        bias: tf.tensor1d(biasData),
        activation: c.activation,
        leakyreluAlpha: 0.15,
      }),
    );
  }
});

test('the gradient of a dense layer (transposed matmuls) matches cpu', async () => {
  const x = randomData(32 * 20, 1);
  const w = randomData(20 * 12, 2);
  const b = randomData(12, 3);
  await assertSameOnCpuAndWasm('dense grads', () => {
    const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor): tf.Scalar =>
      tf.fused.matMul({ a: xs, b: ws, bias: bs, activation: 'relu' }).square().mean();
    return tf.grads(f)([tf.tensor2d(x, [32, 20]), tf.tensor2d(w, [20, 12]), tf.tensor1d(b)]);
  });
});

/**
 * Shapes the generated GEMM takes (N divisible by 4; K too with a transposed b), covering every edge of its tiling,
 * B read in place (M < 16) and packed into panels (M >= 16, and always with a transposed b).
 */
const gemmCases: { a: number[]; b: number[]; ta: boolean; tb: boolean; scale?: number }[] = [
  { a: [12, 9], b: [9, 16], ta: false, tb: false }, // whole 4 x 8 tiles
  { a: [13, 7], b: [7, 20], ta: false, tb: false }, // bottom rows (13 = 3·4 + 1) and a 4-wide right column (20 = 2·8 + 4)
  { a: [3, 5], b: [5, 4], ta: false, tb: false }, // only edge tiles
  { a: [9, 14], b: [9, 12], ta: true, tb: false }, // dW = xᵀ·dy
  { a: [14, 8], b: [28, 8], ta: false, tb: true }, // dx = dy·Wᵀ
  { a: [8, 10], b: [12, 8], ta: true, tb: true },
  { a: [1, 6, 11], b: [1, 11, 8], ta: false, tb: false }, // batch 1
  { a: [128, 64], b: [128, 32], ta: true, tb: false }, // a dense layer's dW
  { a: [5, 1100], b: [1100, 12], ta: false, tb: false, scale: 0.2 }, // K > one pass (GEMM_KC): partial sums through C
  { a: [18, 7], b: [7, 20], ta: false, tb: false }, // M >= 16: B packed into column panels (8-wide + a 4-wide one)
  { a: [1100, 17], b: [1100, 12], ta: true, tb: false, scale: 0.2 }, // packed B, bottom rows, k passes
  { a: [1100, 6], b: [8, 1100], ta: true, tb: true, scale: 0.2 },
];

test('matMul shapes the generated wasm GEMM takes match cpu (and do take it), with mul + add and with FMA', async (t) => {
  const initial = wasmGemmFma();
  try {
    for (const fma of [false, true]) {
      if (wasmGemmFma(fma) !== fma) {
        t.diagnostic('relaxed SIMD is not available here: FMA GEMM not tested');
        continue;
      }
      for (const [i, c] of gemmCases.entries()) {
        const s = c.scale ?? 1;
        const aData = randomData(c.a.reduce((p, q) => p * q, 1), 900 + i).map((v) => v * s);
        const bData = randomData(c.b.reduce((p, q) => p * q, 1), 950 + i).map((v) => v * s);
        wasmGemmStats(true);
        await assertSameOnCpuAndWasm(`gemm ${JSON.stringify(c)} fma ${fma}`, () => tf.matMul(tf.tensor(aData, c.a), tf.tensor(bData, c.b), c.ta, c.tb));
        const stats = wasmGemmStats();
        assert.equal(stats.calls, 1, `gemm ${JSON.stringify(c)} ran the generated GEMM`);
        assert.equal(stats.fallbacks, 0);
      }
    }
  } finally {
    wasmGemmFma(initial);
  }
});

test('the FMA GEMM is chosen where relaxed SIMD is available (Node 20: switched on at run time)', () => {
  assert.equal(wasmGemmFma(), enableRelaxedSimd(), 'registerWasmKernelFixes turned FMA on exactly where it is available');
  if (!hasRelaxedSimd()) return;
  const spec = { m: 5, n: 12, k: 3, transA: true, transB: false, bias: true, relu: true, fma: true };
  const module = buildGemmModule(spec);
  assert.ok(WebAssembly.validate(module));
  // relaxed_madd (0xfd 0x85 0x02) replaces f32x4.mul + f32x4.add (0xfd 0xe6 0x01, 0xfd 0xe4 0x01) in the k loop
  const count = (bytes: Uint8Array, pat: number[]): number => bytes.reduce((n, _, i) => n + (pat.every((p, j) => bytes[i + j] === p) ? 1 : 0), 0);
  const plain = buildGemmModule({ ...spec, fma: false });
  assert.ok(count(module, [0xfd, 0x85, 0x02]) > 0 && count(module, [0xfd, 0xe6, 0x01]) === 0);
  assert.equal(count(plain, [0xfd, 0x85, 0x02]), 0);
  assert.equal(count(plain, [0xfd, 0xe6, 0x01]), count(module, [0xfd, 0x85, 0x02]));
});

test('the generated GEMM fuses bias and relu (also across k passes); other activations fall back', async () => {
  const cases: { m: number; k: number; n: number; ta: boolean; tb: boolean; activation: 'relu' | 'linear' | 'sigmoid'; gemm: boolean }[] = [
    { m: 10, k: 7, n: 12, ta: false, tb: false, activation: 'relu', gemm: true },
    { m: 10, k: 8, n: 12, ta: true, tb: true, activation: 'linear', gemm: true },
    { m: 6, k: 1030, n: 8, ta: true, tb: false, activation: 'relu', gemm: true },
    { m: 6, k: 9, n: 8, ta: false, tb: false, activation: 'sigmoid', gemm: false },
    { m: 6, k: 9, n: 7, ta: false, tb: false, activation: 'relu', gemm: false }, // N not divisible by 4
  ];
  for (const [i, c] of cases.entries()) {
    const aShape = c.ta ? [c.k, c.m] : [c.m, c.k];
    const bShape = c.tb ? [c.n, c.k] : [c.k, c.n];
    const aData = randomData(c.m * c.k, 1000 + i).map((v) => v * 0.2);
    const bData = randomData(c.k * c.n, 1100 + i).map((v) => v * 0.2);
    const biasData = randomData(c.n, 1200 + i);
    wasmGemmStats(true);
    await assertSameOnCpuAndWasm(`fused gemm ${JSON.stringify(c)}`, () =>
      tf.fused.matMul({
        a: tf.tensor2d(aData, aShape as [number, number]),
        b: tf.tensor2d(bData, bShape as [number, number]),
        transposeA: c.ta,
        transposeB: c.tb,
        bias: tf.tensor1d(biasData),
        activation: c.activation,
      }),
    );
    const stats = wasmGemmStats();
    assert.deepEqual([stats.calls, stats.fallbacks], c.gemm ? [1, 0] : [0, 1], `fused gemm ${JSON.stringify(c)}: path`);
  }
});

test('buildGemmModule emits valid wasm and rejects shapes it cannot tile', () => {
  const spec = { m: 5, n: 12, k: 3, transA: true, transB: false, bias: true, relu: true };
  assert.ok(WebAssembly.validate(buildGemmModule(spec)));
  assert.ok(WebAssembly.validate(buildGemmModule({ ...spec, k: 8, transB: true })));
  assert.throws(() => buildGemmModule({ ...spec, n: 10 }));
  assert.throws(() => buildGemmModule({ ...spec, k: 6, transB: true }));
});

test('Sum over leading axes (column sums) matches cpu; other sums are unchanged', async () => {
  const cases: { shape: number[]; axis: number | number[]; keepDims?: boolean }[] = [
    { shape: [128, 36], axis: 0 }, // a bias gradient
    { shape: [9, 7], axis: 0, keepDims: true }, // 7 columns: f32x4 part + scalar tail
    { shape: [5, 3], axis: -2 },
    { shape: [4, 6, 10], axis: [1, 0] }, // two leading axes, given out of order
    { shape: [4, 6, 10], axis: 0, keepDims: true },
    { shape: [4, 6, 10], axis: 2 }, // innermost: stock kernel
    { shape: [4, 6], axis: [0, 1] }, // everything: stock kernel
  ];
  for (const [i, c] of cases.entries()) {
    const data = randomData(c.shape.reduce((p, q) => p * q, 1), 1300 + i);
    await assertSameOnCpuAndWasm(`sum ${JSON.stringify(c)}`, () => tf.sum(tf.tensor(data, c.shape), c.axis, c.keepDims ?? false));
  }
});

test('Slice (heap view for contiguous and rank-2 blocks) matches cpu', async () => {
  const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
    { shape: [40, 12], begin: [8, 0], size: [16, 12] }, // a batch of rows: contiguous
    { shape: [40, 12], begin: [3, 2], size: [5, 7] }, // rank-2 block
    { shape: [40, 12], begin: [39, 11], size: [-1, -1] }, // to the end
    { shape: [4, 6, 5], begin: [1, 0, 0], size: [2, 6, 5] }, // contiguous rank 3
    { shape: [4, 6, 5], begin: [1, 2, 1], size: [2, 3, 3] }, // stock kernel
  ];
  for (const [i, c] of cases.entries()) {
    const data = randomData(c.shape.reduce((p, q) => p * q, 1), 1400 + i);
    await assertSameOnCpuAndWasm(`slice ${JSON.stringify(c)}`, () => tf.slice(tf.tensor(data, c.shape), c.begin, c.size), 0);
  }
  // int32 through the same path
  await tf.setBackend('wasm');
  const ints = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'int32');
  const got = tf.slice(ints, [1, 1], [2, 1]);
  assert.deepEqual(Array.from(got.dataSync()), [4, 6]);
  tf.dispose([ints, got]);
});

test('Identity on wasm shares the buffer (no copy) and keeps it alive for the clone', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const beforeIds = tf.engine().backend.numDataIds();
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const y = tf.clone(x);
  assert.equal(tf.engine().backend.numDataIds(), beforeIds + 1, 'one buffer for both');
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4, 5, 6]);
  y.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.engine().backend.numDataIds(), beforeIds);
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const convCases: { x: [number, number, number, number]; k: [number, number]; co: number; s: [number, number]; pad: Pad }[] = [
  { x: [2, 7, 7, 1], k: [3, 3], co: 4, s: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3], co: 5, s: [1, 1], pad: 'valid' },
  { x: [3, 9, 9, 2], k: [3, 3], co: 4, s: [2, 2], pad: 'same' },
  { x: [3, 9, 9, 2], k: [3, 3], co: 4, s: [2, 2], pad: 'valid' },
  { x: [2, 10, 8, 3], k: [3, 3], co: 6, s: [2, 2], pad: 'same' }, // even sizes: asymmetric 'same' padding
  { x: [2, 11, 13, 4], k: [5, 3], co: 2, s: [2, 1], pad: 'same' }, // odd, non-square kernel, mixed strides
  { x: [2, 11, 11, 3], k: [4, 4], co: 3, s: [3, 3], pad: 'valid' }, // stride leaves unused rows
  { x: [2, 8, 8, 2], k: [3, 3], co: 3, s: [2, 2], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] }, // explicit padding
  { x: [16, 14, 14, 16], k: [3, 3], co: 32, s: [2, 2], pad: 'same' }, // a conv AE's second layer
];

test('Conv2DBackpropFilter (missing on stock wasm) matches cpu', async () => {
  for (const [i, c] of convCases.entries()) {
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    const outShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, 1, c.pad).outShape;
    const xData = randomData(c.x.reduce((p, q) => p * q, 1), 400 + i);
    const dyData = randomData(outShape.reduce((p, q) => p * q, 1), 500 + i);
    const label = `backpropFilter ${JSON.stringify(c)}`;
    // The kernel directly (as the conv2d gradient calls it) ...
    const worst = await assertSameOnCpuAndWasm(label, () => {
      const x = tf.tensor4d(xData, c.x);
      const dy = tf.tensor4d(dyData, outShape);
      const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape });
      return out;
    }, TOL);
    assert.ok(Number.isFinite(worst));
    // ... and through tf.grad of a conv2d.
    const wData = randomData(filterShape.reduce((p, q) => p * q, 1), 600 + i);
    await assertSameOnCpuAndWasm(`${label} via tf.grad`, () => {
      const x = tf.tensor4d(xData, c.x);
      const dy = tf.tensor4d(dyData, outShape);
      const g = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, c.s, c.pad).mul(dy).sum());
      return g(tf.tensor4d(wData, filterShape));
    }, TOL);
  }
});

test('Conv2DBackpropFilter output has the filter shape for NCHW input', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const x = randomData(2 * 3 * 6 * 6, 7);
  const dy = randomData(2 * 4 * 3 * 3, 8);
  // NHWC reference from the same data, transposed.
  const got = tf.tidy(() => {
    const xn = tf.tensor4d(x, [2, 3, 6, 6]);
    const dyn = tf.tensor4d(dy, [2, 4, 3, 3]);
    const nchw = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: xn, dy: dyn }, { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] });
    const nhwc = tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: xn.transpose([0, 2, 3, 1]), dy: dyn.transpose([0, 2, 3, 1]) }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] });
    return [nchw, nhwc];
  });
  assert.deepEqual(got[0].shape, [3, 3, 3, 4]);
  assert.ok(maxAbsDiff(got[0].dataSync() as Float32Array, got[1].dataSync() as Float32Array) <= 1e-5);
  tf.dispose(got);
  assert.equal(tf.memory().numTensors, before);
});

test('the gradient of a fused conv2d (bias + relu, as tf.layers builds it) matches cpu', async () => {
  const x = randomData(3 * 9 * 9 * 2, 11);
  const w = randomData(3 * 3 * 2 * 5, 12);
  const b = randomData(5, 13);
  await assertSameOnCpuAndWasm('fused conv2d grads', () => {
    const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor): tf.Scalar =>
      tf.fused.conv2d({ x: xs as tf.Tensor4D, filter: ws as tf.Tensor4D, strides: 2, pad: 'same', bias: bs, activation: 'relu' }).square().mean();
    return tf.grads(f)([tf.tensor4d(x, [3, 9, 9, 2]), tf.tensor4d(w, [3, 3, 2, 5]), tf.tensor1d(b)]);
  });
});

test('Conv2DBackpropInput (XNNPACK rewrite; conv2dTranspose forward and conv input gradient) matches cpu', async () => {
  // Cases with >= BACKPROP_INPUT_MIN_CHANNELS input channels take the rewrite; the others check the stock fallback.
  const wide = convCases.map((c) => ({ ...c, x: [c.x[0], c.x[1], c.x[2], c.x[3] + BACKPROP_INPUT_MIN_CHANNELS] as [number, number, number, number] }));
  for (const [i, c] of [...convCases, ...wide].entries()) {
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    const outShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, 1, c.pad).outShape;
    const wData = randomData(filterShape.reduce((p, q) => p * q, 1), 700 + i);
    const dyData = randomData(outShape.reduce((p, q) => p * q, 1), 800 + i);
    const label = `backpropInput ${JSON.stringify(c)}`;
    await assertSameOnCpuAndWasm(label, () =>
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy: tf.tensor4d(dyData, outShape), filter: tf.tensor4d(wData, filterShape) },
        { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }));
    await assertSameOnCpuAndWasm(`${label} as conv2dTranspose`, () =>
      tf.conv2dTranspose(tf.tensor4d(dyData, outShape), tf.tensor4d(wData, filterShape), c.x, c.s, c.pad));
  }
});

test('convolutions that fit im2col + GEMM run as GEMMs and match cpu (forward, filter and input gradients)', async () => {
  // The paths: forward and filter gradient need Co divisible by 4 (or Co = 1 with KH·KW·Ci, and for the forward
  // OH·OW, divisible by 4), the
  // input gradient Co and KH·KW·Ci divisible by 4; the first case is big enough to go in two chunks of images.
  const cases: { x: [number, number, number, number]; k: [number, number]; co: number; s: [number, number]; pad: Pad; scale: number }[] = [
    { x: [12, 30, 30, 16], k: [3, 3], co: 8, s: [1, 1], pad: 'same', scale: 0.1 },
    { x: [3, 8, 8, 4], k: [3, 3], co: 1, s: [1, 1], pad: 'same', scale: 1 },
    { x: [3, 9, 9, 4], k: [3, 3], co: 1, s: [1, 1], pad: 'same', scale: 1 }, // 81 output pixels: forward falls back
    { x: [2, 10, 8, 4], k: [3, 3], co: 4, s: [2, 2], pad: [[0, 0], [1, 2], [2, 0], [0, 0]], scale: 1 },
    { x: [2, 7, 7, 3], k: [2, 2], co: 4, s: [2, 2], pad: 'valid', scale: 1 },
  ];
  for (const [i, c] of cases.entries()) {
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    const outShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, 1, c.pad).outShape;
    const size = (shape: number[]): number => shape.reduce((p, q) => p * q, 1);
    const xData = randomData(size(c.x), 1500 + i).map((v) => v * c.scale);
    const wData = randomData(size(filterShape), 1600 + i).map((v) => v * c.scale);
    const dyData = randomData(size(outShape), 1700 + i).map((v) => v * c.scale);
    const n = c.k[0] * c.k[1] * c.x[3];
    const label = `conv gemm ${JSON.stringify(c)}`;
    wasmConvGemmStats(true);
    await assertSameOnCpuAndWasm(`${label} forward`, () =>
      tf.engine().runKernel<tf.Tensor>('Conv2D', { x: tf.tensor4d(xData, c.x), filter: tf.tensor4d(wData, filterShape) }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1 }));
    await assertSameOnCpuAndWasm(`${label} filter gradient`, () =>
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: tf.tensor4d(xData, c.x), dy: tf.tensor4d(dyData, outShape) }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape }));
    await assertSameOnCpuAndWasm(`${label} input gradient`, () =>
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy: tf.tensor4d(dyData, outShape), filter: tf.tensor4d(wData, filterShape) }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }));
    const forward = c.co % 4 === 0 || (c.co === 1 && n % 4 === 0 && (outShape[1] * outShape[2]) % 4 === 0);
    assert.deepEqual(wasmConvGemmStats(), { forward: forward ? 1 : 0, filter: 1, input: c.co % 4 === 0 && n % 4 === 0 ? 1 : 0 }, `${label}: GEMM paths taken`);
  }
});

test('convolutions whose patch matrix per image would pass CONV_MAX_IMAGE_FLOATS keep the XNNPACK path', async () => {
  await tf.setBackend('wasm');
  const side = Math.ceil(Math.sqrt(CONV_MAX_IMAGE_FLOATS / (9 * 4))) + 1; // 'same', stride 1: side² pixels x 36 floats
  wasmConvGemmStats(true);
  const y = tf.tidy(() => tf.conv2d(tf.ones<tf.Rank.R4>([1, side, side, 4]), tf.ones<tf.Rank.R4>([3, 3, 4, 4]), 1, 'same'));
  assert.deepEqual(wasmConvGemmStats(), { forward: 0, filter: 0, input: 0 });
  assert.equal(y.dataSync()[side * 4 + 4], 36, 'an inner pixel sums 3 x 3 x 4 ones');
  y.dispose();
});

test('fused dense kernel (applyDense on wasm): output and gradients match cpu for relu, sigmoid, linear', async () => {
  const cases: { b: number; i: number; o: number; activation: 'relu' | 'sigmoid' | 'linear' }[] = [
    { b: 16, i: 20, o: 12, activation: 'relu' }, // generated GEMM, bias + relu fused
    { b: 16, i: 20, o: 12, activation: 'sigmoid' },
    { b: 16, i: 20, o: 12, activation: 'linear' },
    { b: 5, i: 9, o: 7, activation: 'relu' }, // N % 4 != 0: stock fused matmul; n % 4 tail in the gradient kernel
    { b: 5, i: 9, o: 7, activation: 'sigmoid' },
  ];
  for (const [k, c] of cases.entries()) {
    const x = randomData(c.b * c.i, 400 + k);
    const w = randomData(c.i * c.o, 500 + k).map((v) => v * 0.5);
    const b = randomData(c.o, 600 + k);
    const up = randomData(c.b * c.o, 700 + k); // a random upstream gradient
    await assertSameOnCpuAndWasm(`dense ${JSON.stringify(c)}`, () => {
      const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor): tf.Scalar => {
        const layer = { W: ws, b: bs };
        return tf.sum(tf.mul(applyDense(layer, xs as tf.Tensor2D, c.activation), tf.tensor2d(up, [c.b, c.o])));
      };
      const xs = tf.tensor2d(x, [c.b, c.i]);
      const ws = tf.tensor2d(w, [c.i, c.o]);
      const bs = tf.tensor1d(b);
      return [applyDense({ W: ws, b: bs }, xs, c.activation), ...tf.grads(f)([xs, ws, bs])];
    });
  }
  // On wasm the layer is the one fused kernel (forward) and its gradient uses the activation-gradient kernel.
  await tf.setBackend('wasm');
  const profile = await tf.profile(() => {
    const xs = tf.tensor2d(randomData(8 * 4, 1), [8, 4]);
    const ws = tf.tensor2d(randomData(4 * 8, 2), [4, 8]);
    const bs = tf.tensor1d(randomData(8, 3));
    const g = tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(applyDense({ W: ww, b: bb }, a as tf.Tensor2D, 'relu')))([xs, ws, bs]);
    tf.dispose([xs, ws, bs, ...g]);
  });
  const names = profile.kernels.map((k) => k.name);
  assert.ok(names.includes(DENSE_KERNEL) && names.includes(ACTIVATION_GRAD_KERNEL), names.join(' '));
  assert.ok(!names.includes('Relu') && !names.includes('Add'), names.join(' '));
  // One Sum: the loss's own; the bias gradient comes with the activation gradient.
  assert.equal(names.filter((k) => k === 'Sum').length, 1, names.join(' '));
});

test('fused mean squared error (meanSquaredError on wasm): value and gradients match cpu', async () => {
  for (const [k, shape] of ([[16, 12], [5, 7], [128, 784]] as [number, number][]).entries()) {
    const n = shape[0] * shape[1];
    const a = randomData(n, 800 + k);
    const b = randomData(n, 900 + k);
    await assertSameOnCpuAndWasm(`mse ${shape.join('x')}`, () => {
      const f = (p: tf.Tensor, q: tf.Tensor): tf.Scalar => tf.mul(meanSquaredError(p as tf.Tensor2D, q as tf.Tensor2D), 3);
      const as = tf.tensor2d(a, shape);
      const bs = tf.tensor2d(b, shape);
      return [meanSquaredError(as, bs), ...tf.grads(f)([as, bs])];
    }, shape[0] === 128 ? 1e-4 : TOL);
  }
  await tf.setBackend('wasm');
  const x = tf.tensor2d([[1, 2, 3]]);
  const y = tf.tensor2d([[1, 0, 0]]);
  const profile = await tf.profile(() => meanSquaredError(x, y).dispose());
  assert.deepEqual(profile.kernels.map((kk) => kk.name), [MSE_KERNEL]);
  const before = tf.memory().numTensors;
  const loss = meanSquaredError(x, y);
  assert.ok(Math.abs((await loss.data())[0] - 13 / 3) < 1e-6);
  tf.dispose([x, y, loss]);
  assert.equal(tf.memory().numTensors, before - 2);
});

test('buildElementwiseModule emits valid wasm', () => {
  assert.ok(WebAssembly.validate(buildElementwiseModule()));
});
