import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, latentGrid, samplePrior, traversal } from '../../../src/core/analysis/latentOps';

const norm = (v: Float32Array): number => Math.hypot(...v);

test('linear interpolation: exact endpoints and evenly spaced', () => {
  const a = Float32Array.from([0, 1, 2]);
  const b = Float32Array.from([4, -1, 2]);
  const path = interpolate(a, b, 5, 'linear');
  assert.deepEqual(Array.from(path.subarray(0, 3)), [0, 1, 2]);
  assert.deepEqual(Array.from(path.subarray(12, 15)), [4, -1, 2]);
  assert.deepEqual(Array.from(path.subarray(6, 9)), [2, 0, 2]);
});

test('slerp keeps the norm for equal-norm endpoints and follows the arc', () => {
  const a = Float32Array.from([3, 0, 0, 4]);
  const b = Float32Array.from([0, 5, 0, 0]);
  const path = interpolate(a, b, 9, 'spherical');
  for (let s = 0; s < 9; s++) assert.ok(Math.abs(norm(path.subarray(s * 4, s * 4 + 4)) - 5) < 1e-5, `step ${s}`);
  assert.deepEqual(Array.from(path.subarray(0, 4)), [3, 0, 0, 4]);
  assert.deepEqual(Array.from(path.subarray(32, 36)), [0, 5, 0, 0]);
  // Linear would shrink the midpoint: |(a + b) / 2| = 5 / sqrt(2).
  const lin = interpolate(a, b, 9, 'linear');
  assert.ok(norm(lin.subarray(16, 20)) < 4);
});

test('slerp falls back to linear for parallel endpoints', () => {
  const a = Float32Array.from([1, 1]);
  const b = Float32Array.from([2, 2]);
  assert.deepEqual(interpolate(a, b, 3, 'spherical'), interpolate(a, b, 3, 'linear'));
  assert.throws(() => interpolate(a, Float32Array.from([1]), 3));
});

test('grid and traversal vary only the chosen dimensions', () => {
  const c = Float32Array.from([1, 2, 3]);
  const g = latentGrid(c, 0, 2, 1, 3, 2);
  assert.equal(g.length, 3 * 2 * 3);
  assert.deepEqual(Array.from(g.subarray(0, 3)), [0, 2, 2]);
  assert.deepEqual(Array.from(g.subarray(15, 18)), [2, 2, 4]);
  const t = traversal(c, 1, [-1, 0, 5]);
  assert.deepEqual(Array.from(t), [1, -1, 3, 1, 0, 3, 1, 5, 3]);
  assert.throws(() => traversal(c, 3, [0]));
});

test('samplePrior is seeded standard normal', () => {
  const s = samplePrior(2000, 4, 3);
  assert.deepEqual(s, samplePrior(2000, 4, 3));
  assert.notDeepEqual(s, samplePrior(2000, 4, 4));
  const mean = s.reduce((x, y) => x + y, 0) / s.length;
  const variance = s.reduce((x, y) => x + (y - mean) ** 2, 0) / s.length;
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.06, `${mean} ${variance}`);
});
