import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetError } from '../../../src/core/data/dataset';
import { resizeBilinear } from '../../../src/core/data/images';
import { loadDataset } from '../../../src/core/data/index';
import { assertUnchanged, assertValues, expected, fixture } from './fixtures';

const want = expected('images.expected.json') as { files: string[]; labels: string[]; grey: number[][]; rgb: number[][] };

describe('loadDataset: image folders', () => {
  it('loads PNG (grey + RGB) and JPEG, labels from sub-folders, skips other files', async () => {
    const dir = fixture('images');
    const ds = await assertUnchanged([dir], () => loadDataset(dir));
    assert.equal(ds.format, 'images');
    assert.equal(ds.kind, 'image');
    assert.equal(ds.n, 4);
    assert.deepEqual(ds.sampleShape, [6, 5, 1]);
    assert.equal(ds.dim, 30);
    assert.deepEqual(ds.labels, want.labels);
    assert.deepEqual(ds.refs.map((r) => r.file), want.files.map((f) => fixture('images', ...f.split('/'))));
    assert.ok(ds.warnings?.some((w) => w.includes('skipped 1 non-image file')));
    for (let i = 0; i < 3; i++) assertValues(ds.features.subarray(i * 30, (i + 1) * 30), want.grey[i], 1e-3, want.files[i]);
    // JPEG is lossy: quality 100 on a flat colour stays within a few levels.
    assertValues(ds.features.subarray(90, 120), want.grey[3], 4, 'd.jpg');
  });

  it('grayscale: false keeps RGB channels', async () => {
    const ds = await loadDataset(fixture('images'), { grayscale: false, maxRows: 3 });
    assert.equal(ds.n, 3);
    assert.deepEqual(ds.sampleShape, [6, 5, 3]);
    for (let i = 0; i < 3; i++) assertValues(ds.features.subarray(i * 90, (i + 1) * 90), want.rgb[i], 0, want.files[i]);
  });

  it('different sizes are an error unless imageSize is set', async () => {
    await assert.rejects(loadDataset(fixture('images_mixed')), (e: unknown) => e instanceof DatasetError && /small\.png/.test(e.message) && /--image-size 4x4/.test(e.message));
    const ds = await loadDataset(fixture('images_mixed'), { imageSize: [3, 3] });
    assert.deepEqual(ds.sampleShape, [3, 3, 1]);
    assertValues(ds.features, [...new Array<number>(9).fill(0), ...new Array<number>(9).fill(200)], 1e-4);
    assert.equal(ds.labels, undefined);
  });

  it('bilinear resize: identity at the same size, linear ramps stay linear', () => {
    const src = Float32Array.from([0, 1, 2, 3, 4, 5]);
    assertValues(resizeBilinear(src, 2, 3, 1, 2, 3), Array.from(src));
    // 1x2 ramp [0, 10] upsampled to 1x4 with half-pixel centres: 0, 2.5, 7.5, 10
    assertValues(resizeBilinear(Float32Array.from([0, 10]), 1, 2, 1, 1, 4), [0, 2.5, 7.5, 10], 1e-6);
  });

  it('a corrupt image is a DatasetError naming that file', async () => {
    await assert.rejects(loadDataset(fixture('images_bad')), (e: unknown) => e instanceof DatasetError && e.file.endsWith('zbroken.png') && /corrupt/.test(e.message));
  });
});
