import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset } from '../../../src/core/data/dataset';
import type { NormalizationKind, Normalizer } from '../../../src/core/data/normalize';
import { applyNormalizer, defaultNormalization, fitNormalizer, invertNormalizer } from '../../../src/core/data/normalize';
import { createNormalRng } from '../../../src/common/random';

/** n x dim values: column j ~ N(j * 10, (j + 1)^2); column `constCol` is constant 7. */
function sample(n: number, dim: number, seed: number, constCol = -1): Float32Array {
  const rng = createNormalRng(seed);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = j === constCol ? 7 : j * 10 + (j + 1) * rng();
  return x;
}

function column(x: Float32Array, dim: number, j: number): number[] {
  const out: number[] = [];
  for (let k = j; k < x.length; k += dim) out.push(x[k]);
  return out;
}

describe('normalize', () => {
  const n = 200;
  const dim = 4;
  const x = sample(n, dim, 3, 2);

  it('minmax per feature maps every non-constant column onto exactly [0, 1]', () => {
    const norm = fitNormalizer(x, n, dim, 'minmax', true);
    const y = applyNormalizer(norm, x, dim);
    assert.notEqual(y, x);
    for (const j of [0, 1, 3]) {
      const c = column(y, dim, j);
      assert.ok(Math.abs(Math.min(...c)) < 1e-6 && Math.abs(Math.max(...c) - 1) < 1e-6, `column ${j}: [${Math.min(...c)}, ${Math.max(...c)}]`);
    }
  });

  it('standard per feature gives mean 0 and variance 1', () => {
    const y = applyNormalizer(fitNormalizer(x, n, dim, 'standard', true), x, dim);
    for (const j of [0, 1, 3]) {
      const c = column(y, dim, j);
      const mean = c.reduce((a, b) => a + b, 0) / n;
      const variance = c.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
      assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`);
      assert.ok(Math.abs(variance - 1) < 1e-4, `variance ${variance}`);
    }
  });

  it('a constant column gets scale 1 and finite output', () => {
    for (const kind of ['minmax', 'standard'] as NormalizationKind[]) {
      const norm = fitNormalizer(x, n, dim, kind, true);
      assert.equal(norm.scale[2], 1);
      assert.equal(norm.offset[2], 7);
      const y = applyNormalizer(norm, x, dim);
      assert.ok(y.every(Number.isFinite));
      assert.deepEqual(new Set(column(y, dim, 2)), new Set([0]));
    }
  });

  it('global (perFeature=false) fits one pair over all values', () => {
    const img = Float32Array.from({ length: 60 }, (_, k) => (k * 37) % 256);
    const norm = fitNormalizer(img, 6, 10, 'minmax', false);
    assert.deepEqual({ offset: norm.offset, scale: norm.scale }, { offset: [Math.min(...img)], scale: [Math.max(...img) - Math.min(...img)] });
    const y = applyNormalizer(norm, img, 10);
    assert.equal(Math.min(...y), 0);
    assert.equal(Math.max(...y), 1);
  });

  it('apply then invert round-trips, also after a JSON round-trip of the normaliser', () => {
    for (const kind of ['minmax', 'standard', 'none'] as NormalizationKind[]) {
      for (const perFeature of [true, false]) {
        const norm = fitNormalizer(x, n, dim, kind, perFeature);
        const revived = JSON.parse(JSON.stringify(norm)) as Normalizer;
        assert.deepEqual(revived, norm);
        const back = invertNormalizer(revived, applyNormalizer(norm, x, dim), dim);
        for (let k = 0; k < x.length; k++) assert.ok(Math.abs(back[k] - x[k]) <= 1e-4 * Math.max(1, Math.abs(x[k])), `${kind}/${perFeature}[${k}]: ${back[k]} vs ${x[k]}`);
      }
    }
    const none = fitNormalizer(x, n, dim, 'none', true);
    assert.deepEqual(applyNormalizer(none, x, dim), x);
  });

  it('rejects data of the wrong width', () => {
    const norm = fitNormalizer(x, n, dim, 'minmax', true);
    assert.throws(() => applyNormalizer(norm, new Float32Array(9), 3), RangeError);
  });

  it('defaultNormalization: images global min-max, tables per-feature min-max', () => {
    const base: Dataset = { name: 'd', source: '/d', format: 'npy', kind: 'table', n: 1, dim: 1, sampleShape: [1], features: new Float32Array(1), columns: ['f0'], refs: [] };
    assert.deepEqual(defaultNormalization({ ...base, kind: 'image' }), { kind: 'minmax', perFeature: false });
    assert.deepEqual(defaultNormalization(base), { kind: 'minmax', perFeature: true });
  });
});
