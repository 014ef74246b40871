import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetError } from '../../../src/core/data/dataset';
import { loadDataset } from '../../../src/core/data/index';
import { assertUnchanged, assertValues, expected, fixture } from './fixtures';

type NpyExpected = Record<string, { shape: number[]; values: number[] }>;
const npy = expected('npy.expected.json') as NpyExpected;

describe('loadDataset: NPY', () => {
  for (const key of ['f4', 'f8', 'u1', 'i1', 'i2', 'u2', 'i4', 'u4', 'i8', 'be', 'fortran', 'v2']) {
    it(`reads ${key}.npy exactly as numpy wrote it`, async () => {
      const file = fixture(`${key}.npy`);
      const ds = await assertUnchanged([file], () => loadDataset(file));
      const [n, d] = npy[key].shape;
      assert.equal(ds.format, 'npy');
      assert.equal(ds.kind, 'table');
      assert.equal(ds.n, n);
      assert.equal(ds.dim, d);
      assert.deepEqual(ds.sampleShape, [d]);
      assertValues(ds.features, npy[key].values, 0, key);
      assert.deepEqual(ds.refs[n - 1], { file, index: n - 1 });
    });
  }

  it('1D is n x 1; 3D is grey images; 4D keeps channels', async () => {
    const vec = await loadDataset(fixture('vec.npy'));
    assert.equal(vec.n, 7);
    assert.equal(vec.dim, 1);
    assertValues(vec.features, npy.vec.values);
    const img = await loadDataset(fixture('images.npy'));
    assert.equal(img.kind, 'image');
    assert.deepEqual(img.sampleShape, [8, 8, 1]);
    assert.equal(img.columns.length, 64);
    assertValues(img.features, npy.images.values);
    const rgb = await loadDataset(fixture('rgb.npy'));
    assert.deepEqual(rgb.sampleShape, [3, 4, 3]);
    assertValues(rgb.features, npy.rgb.values);
  });

  it('maxRows reads only the first rows', async () => {
    const ds = await loadDataset(fixture('f4.npy'), { maxRows: 2 });
    assert.equal(ds.n, 2);
    assertValues(ds.features, npy.f4.values.slice(0, 6));
  });

  it('a truncated file is a DatasetError naming it', async () => {
    await assert.rejects(loadDataset(fixture('truncated.npy')), (e: unknown) => e instanceof DatasetError && /truncated\.npy: truncated NPY data/.test(e.message));
  });
});

describe('loadDataset: NPZ', () => {
  const npz = expected('npz.expected.json') as { x: number[]; y: string[]; names: string[] };

  it('stored zip (np.savez): features from x, labels from y, extra array reported', async () => {
    const file = fixture('stored.npz');
    const ds = await assertUnchanged([file], () => loadDataset(file));
    assert.equal(ds.format, 'npz');
    assert.equal(ds.n, 12);
    assert.equal(ds.dim, 64);
    assertValues(ds.features, npz.x);
    assert.deepEqual(ds.labels, npz.y);
    assert.equal(ds.labelName, 'y');
    assert.ok(ds.warnings?.some((w) => w.includes('extra')));
  });

  it('deflated zip (np.savez_compressed): data + unicode labels', async () => {
    const ds = await loadDataset(fixture('compressed.npz'), { maxRows: 5 });
    assert.equal(ds.n, 5);
    assertValues(ds.features, npz.x.slice(0, 5 * 64));
    assert.deepEqual(ds.labels, npz.names.slice(0, 5));
  });

  it('npzKey picks the array; an unknown key is a DatasetError listing the arrays', async () => {
    const ds = await loadDataset(fixture('stored.npz'), { npzKey: 'extra' });
    assert.equal(ds.n, 3);
    assert.equal(ds.labels, undefined, '12 labels do not fit 3 samples');
    assert.ok(ds.warnings?.some((w) => w.includes('not used as labels')));
    await assert.rejects(loadDataset(fixture('stored.npz'), { npzKey: 'zzz' }), (e: unknown) => e instanceof DatasetError && /no array "zzz" \(arrays: .*x.*\)/.test(e.message));
  });
});
