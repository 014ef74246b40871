import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIm2colModule, im2colModule } from '../../../src/core/kernels/conv/im2col';
import type { ConvGeometry } from '../../../src/core/kernels/conv/im2col';
import { randomData } from './helpers';

/**
 * Visits every entry of the patch matrix of images [b0, b1) (the definition in src/core/kernels/conv/im2col.ts): its index
 * in the matrix and the index of the input element it copies, or -1 where the patch reaches outside the image.
 */
function forEachPatchEntry(g: ConvGeometry, b0: number, b1: number, visit: (colsIndex: number, xIndex: number) => void): void {
  const row = g.kh * g.kw * g.ci;
  let r = 0;
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++, r++) {
        for (let i = 0; i < g.kh; i++) {
          for (let j = 0; j < g.kw; j++) {
            const ih = oy * g.sh - g.top + i;
            const iw = ox * g.sw - g.left + j;
            const inside = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
            for (let c = 0; c < g.ci; c++) visit(r * row + (i * g.kw + j) * g.ci + c, inside ? ((b * g.h + ih) * g.w + iw) * g.ci + c : -1);
          }
        }
      }
    }
  }
}

/** Straightforward patch matrix of images [b0, b1). */
function referenceIm2col(x: Float32Array, g: ConvGeometry, b0: number, b1: number): Float32Array {
  const out = new Float32Array((b1 - b0) * g.oh * g.ow * g.kh * g.kw * g.ci);
  forEachPatchEntry(g, b0, b1, (k, xi) => (out[k] = xi < 0 ? 0 : x[xi]));
  return out;
}

/** col2im as the adjoint of im2col: <im2col(x), cols> = <x, col2im(cols)> for all x, so col2im = im2colᵀ. */
function referenceCol2im(cols: Float32Array, g: ConvGeometry, batch: number, b0: number, b1: number): Float64Array {
  const dx = new Float64Array(batch * g.h * g.w * g.ci);
  forEachPatchEntry(g, b0, b1, (k, xi) => {
    if (xi >= 0) dx[xi] += cols[k];
  });
  return dx;
}

const geometries: (ConvGeometry & { batch: number })[] = [
  { batch: 3, h: 7, w: 6, ci: 4, oh: 4, ow: 3, kh: 3, kw: 3, sh: 2, sw: 2, top: 1, left: 1 }, // 'same', stride 2, SIMD copies
  { batch: 2, h: 5, w: 5, ci: 1, oh: 5, ow: 5, kh: 3, kw: 3, sh: 1, sw: 1, top: 1, left: 1 }, // one channel: scalar copies
  { batch: 2, h: 6, w: 8, ci: 3, oh: 2, ow: 3, kh: 2, kw: 4, sh: 3, sw: 2, top: 0, left: 0 }, // 'valid', odd channels
  { batch: 4, h: 4, w: 4, ci: 8, oh: 4, ow: 4, kh: 5, kw: 5, sh: 1, sw: 1, top: 2, left: 2 }, // kernel wider than half the image
];

test('generated im2col writes the patch rows of a range of images, zeros outside the image', () => {
  for (const [n, g] of geometries.entries()) {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const heap = new Float32Array(memory.buffer);
    const x = randomData(g.batch * g.h * g.w * g.ci, 30 + n);
    const xOff = 64; // bytes
    heap.set(x, xOff / 4);
    const outOff = xOff + x.length * 4 + 32;
    const { im2col } = im2colModule(g, memory);
    for (const [b0, b1] of [[0, g.batch], [1, g.batch]]) {
      const want = referenceIm2col(x, g, b0, b1);
      heap.fill(NaN, outOff / 4, outOff / 4 + want.length + 8);
      im2col(xOff, outOff, b0, b1);
      assert.deepEqual(Array.from(heap.subarray(outOff / 4, outOff / 4 + want.length)), Array.from(want), `${JSON.stringify(g)} images ${b0}..${b1}`);
      assert.ok(Number.isNaN(heap[outOff / 4 + want.length]), 'nothing written past the patch rows');
    }
  }
});

test('generated col2im zeroes its images and adds every patch entry back onto its pixel (the adjoint of im2col)', () => {
  for (const [n, g] of geometries.entries()) {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const heap = new Float32Array(memory.buffer);
    const row = g.kh * g.kw * g.ci;
    const [b0, b1] = [1, g.batch];
    const cols = randomData((b1 - b0) * g.oh * g.ow * row, 40 + n);
    const colsOff = 128;
    heap.set(cols, colsOff / 4);
    const dxOff = colsOff + cols.length * 4 + 64;
    const size = g.batch * g.h * g.w * g.ci;
    heap.fill(7, dxOff / 4, dxOff / 4 + size + 4); // stale values: col2im must zero images b0..b1-1 first
    im2colModule(g, memory).col2im(colsOff, dxOff, b0, b1);
    const want = referenceCol2im(cols, g, g.batch, b0, b1);
    const got = heap.subarray(dxOff / 4, dxOff / 4 + size);
    const image = g.h * g.w * g.ci;
    for (let k = 0; k < size; k++) {
      const expect = k < b0 * image ? 7 : want[k]; // image 0 is outside the range: untouched
      assert.ok(Math.abs(got[k] - expect) <= 1e-5 * Math.max(1, Math.abs(expect)), `${JSON.stringify(g)} dx[${k}] = ${got[k]}, want ${expect}`);
    }
    assert.equal(heap[dxOff / 4 + size], 7, 'nothing written past dx');
  }
});

test('buildIm2colModule emits valid wasm and rejects geometries it does not handle', () => {
  assert.ok(WebAssembly.validate(buildIm2colModule(geometries[0])));
  assert.throws(() => buildIm2colModule({ ...geometries[0], ci: 65 }));
  assert.throws(() => buildIm2colModule({ ...geometries[0], sh: 0 }));
});
