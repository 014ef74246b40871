import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeMoments, generatedCodes, meanCode } from '../../../src/core/analysis/generate';
import { createRng } from '../../../src/common/random';

const model = { kind: 'dense' as const, latentDim: 3 };

function codes(n: number, scales: number[], seed = 1): Float32Array {
  const rng = createRng(seed);
  const d = scales.length;
  const z = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = 10 * j + scales[j] * (rng() * 2 - 1) * Math.sqrt(3);
  return z;
}

test('code moments: per-dimension mean and population std', () => {
  const m = codeMoments(new Float32Array([1, 10, 3, 10, 5, 10]), 3, 2);
  assert.deepEqual(Array.from(m.mean), [3, 10]);
  assert.ok(Math.abs(m.std[0] - Math.sqrt(8 / 3)) < 1e-6);
  assert.equal(m.std[1], 0);
});

test('spans in standard deviations follow each dimension\'s spread', () => {
  // Uniform codes with std 0.5, 4 and 2 on the three dimensions.
  const n = 20_000, z = codes(n, [0.5, 4, 2]);
  const m = codeMoments(z, n, 3);
  for (const [j, s] of [0.5, 4, 2].entries()) assert.ok(Math.abs(m.std[j] - s) / s < 0.03, `std of z${j}`);
  const mean = meanCode(z, n, 3);
  const base = (i: number | undefined): Float32Array => (i === undefined ? mean : z.slice(i * 3, i * 3 + 3));
  const t = generatedCodes({ mode: 'traversal', dim: 1, span: 2, steps: 5, unit: 'std' }, model, base, () => m);
  const values = Array.from({ length: 5 }, (_, k) => t.latent[k * 3 + 1]);
  values.forEach((v, k) => { assert.ok(Math.abs(v - (m.mean[1] + (k - 2) * m.std[1])) < 1e-4); });
  const raw = generatedCodes({ mode: 'traversal', dim: 1, span: 2, steps: 5 }, model, base);
  assert.deepEqual(Array.from({ length: 5 }, (_, k) => raw.latent[k * 3 + 1]), [-2, -1, 0, 1, 2]);
  const g = generatedCodes({ mode: 'grid', dimX: 0, dimY: 2, span: 1, steps: 3, base: 7, unit: 'std' }, model, base, () => m);
  const c = base(7);
  // Corners: centre ∓ 1 std along x (z0) and y (z2); z1 stays the sample's.
  assert.ok(Math.abs(g.latent[0] - (c[0] - m.std[0])) < 1e-5);
  assert.ok(Math.abs(g.latent[2] - (c[2] - m.std[2])) < 1e-5);
  assert.ok(Math.abs(g.latent[8 * 3] - (c[0] + m.std[0])) < 1e-5);
  assert.ok(Math.abs(g.latent[8 * 3 + 2] - (c[2] + m.std[2])) < 1e-5);
  assert.equal(g.latent[4 * 3 + 1], c[1]);
  assert.throws(() => generatedCodes({ mode: 'grid', dimX: 0, dimY: 2, span: 1, steps: 3, unit: 'std' }, model, base), /standard deviations/);
});
