import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { BIAS_ACT_KERNEL, buildBiasActModule } from '../../../src/core/kernels/biasActivation';
import { setComputeThreads } from '../../../src/core/kernels/computePool';
import { findKernel } from '../../../src/core/kernels/kernelTable';
import { activate, biasActivate } from '../../../src/core/models/layers';
import type { Activation } from '../../../src/core/models/types';
import { maxAbs, maxAbsDiff, randomData, runOn } from './helpers';

before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

test('the bias-activation module is valid wasm', () => {
  assert.ok(WebAssembly.validate(buildBiasActModule()));
});

test('biasActivate (fused kernel on wasm) matches Add + activation on cpu, values and gradients, on 1 and 3 threads', async () => {
  assert.ok(findKernel(BIAS_ACT_KERNEL, 'wasm') !== undefined);
  // Small (one thread) and large (split by rows) tensors, rank 2 and 4.
  const shapes = [[6, 8], [3, 5, 5, 12], [64, 14, 14, 16], [20000, 4]];
  for (const [si, shape] of shapes.entries()) {
    const n = shape.reduce((p, q) => p * q, 1);
    const c = shape[shape.length - 1];
    const zData = randomData(n, 100 + si);
    const bData = randomData(c, 200 + si);
    const wData = randomData(n, 300 + si);
    for (const act of ['relu', 'sigmoid', 'linear'] as Activation[]) {
      // The loss Σ w ⊙ act(z + b) and its gradients wrt z and b.
      const build = (fused: boolean) => (): tf.Tensor[] => {
        const z = tf.tensor(zData, shape);
        const b = tf.tensor1d(bData);
        const w = tf.tensor(wData, shape);
        const f = (zz: tf.Tensor, bb: tf.Tensor): tf.Scalar => tf.sum(tf.mul(w, fused ? biasActivate(zz, bb, act) : activate(tf.add(zz, bb), act)));
        const { value, grads } = tf.valueAndGrads(f)([z, b]);
        return [fused ? biasActivate(z, b, act) : activate(tf.add(z, b), act), value, ...grads];
      };
      const before = tf.memory().numTensors;
      const cpu = await runOn('cpu', build(false));
      const results: Float32Array[][] = [];
      for (const threads of [1, 3]) {
        setComputeThreads(threads);
        results.push((await runOn('wasm', build(true))).values);
      }
      setComputeThreads(0);
      assert.equal(tf.memory().numTensors, before, 'no leaks');
      const label = `${JSON.stringify(shape)} ${act}`;
      results[1].forEach((v, i) => assert.deepEqual(v, results[0][i], `${label}: output ${i} same on 1 and 3 threads`));
      cpu.values.forEach((v, i) => {
        const scale = Math.max(1, maxAbs(v));
        const d = maxAbsDiff(results[0][i], v);
        assert.ok(d <= 1e-5 * scale * (i === 1 ? Math.sqrt(n) : 1), `${label}: output ${i} differs from cpu by ${d}`);
      });
    }
  }
});
