import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TRANSPOSED_K, buildAssignModule } from '../../../src/core/kernels/kmeans/generator';
import { createRng } from '../../../src/common/random';

test('k-means generator: every width and centroid count gives a valid module (row locals or reloads, both scorings)', () => {
  // Widths around the 4-lane padding and the row-in-locals limit (16 blocks); k around the group size and the
  // transposed-scoring limit.
  const widths = [1, 2, 3, 4, 5, 7, 8, 9, 31, 63, 64, 65, 66, 100];
  const ks = [undefined, 1, 2, 5, 6, 7, 12, 13, MAX_TRANSPOSED_K, MAX_TRANSPOSED_K + 1];
  for (const d of widths) {
    for (const k of ks) {
      for (const shared of [false, true]) assert.ok(WebAssembly.validate(buildAssignModule(d, shared, k)), `d ${d} k ${k}`);
    }
  }
  for (const d of [0, -1, 2.5, Number.NaN]) assert.throws(() => buildAssignModule(d, false), /bad width/);
});

test('k-means generator: dist2 gives the float64 squared distance of every row to the point, padding ignored', () => {
  const rand = createRng(5);
  for (const d of [1, 3, 4, 6, 17, 64, 65]) {
    const dp = Math.ceil(d / 4) * 4;
    const n = 9;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { dist2 } = new WebAssembly.Instance(new WebAssembly.Module(buildAssignModule(d, false)), { env: { memory } })
      .exports as { dist2: (x: number, n: number, p: number, out: number) => void };
    const xOff = 0;
    const pOff = n * dp * 4;
    const outOff = pOff + dp * 4;
    const f32 = new Float32Array(memory.buffer);
    // Small integers: every square and sum is exact in float64, whatever the summation order.
    const x = Array.from({ length: n * d }, () => Math.floor(rand() * 21) - 10);
    const p = Array.from({ length: d }, () => Math.floor(rand() * 21) - 10);
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) f32[xOff / 4 + i * dp + t] = x[i * d + t];
    for (let t = 0; t < d; t++) f32[pOff / 4 + t] = p[t];
    dist2(xOff, n, pOff, outOff);
    const out = new Float64Array(memory.buffer, outOff, n);
    for (let i = 0; i < n; i++) {
      let ref = 0;
      for (let t = 0; t < d; t++) ref += (x[i * d + t] - p[t]) ** 2;
      assert.equal(out[i], ref, `d ${d} row ${i}`);
    }
  }
});
