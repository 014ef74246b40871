import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { BACKPROP_INPUT_MIN_CHANNELS } from '../../../src/core/backend/wasmKernels';
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
      tf.fused.matMul({ a: xs as tf.Tensor2D, b: ws as tf.Tensor2D, bias: bs, activation: 'relu' }).square().mean();
    return tf.grads(f)([tf.tensor2d(x, [32, 20]), tf.tensor2d(w, [20, 12]), tf.tensor1d(b)]);
  });
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
      return out as tf.Tensor;
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
    const nchw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xn, dy: dyn }, { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] }) as tf.Tensor;
    const nhwc = tf.engine().runKernel('Conv2DBackpropFilter', { x: xn.transpose([0, 2, 3, 1]), dy: dyn.transpose([0, 2, 3, 1]) }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }) as tf.Tensor;
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
      tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dyData, outShape), filter: tf.tensor4d(wData, filterShape) },
        { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as tf.Tensor);
    await assertSameOnCpuAndWasm(`${label} as conv2dTranspose`, () =>
      tf.conv2dTranspose(tf.tensor4d(dyData, outShape), tf.tensor4d(wData, filterShape), c.x, c.s, c.pad as 'same' | 'valid'));
  }
});
