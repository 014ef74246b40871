import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { revealPlan, samplePng, sampleValuesCsv } from '../../../src/core/data/samplePreview';

describe('revealing a sample', () => {
  it('opens text formats at the line, image folders at the image file, and renders binary samples', () => {
    assert.deepEqual(revealPlan({ file: '/d/a.csv', line: 7, index: 5 }, { format: 'csv', kind: 'table' }), { kind: 'text', file: '/d/a.csv', line: 7 });
    assert.deepEqual(revealPlan({ file: '/d/a.jsonl', index: 5 }, { format: 'jsonl', kind: 'table' }), { kind: 'text', file: '/d/a.jsonl' });
    assert.deepEqual(revealPlan({ file: '/d/imgs/3/x.png', index: 2 }, { format: 'images', kind: 'image' }), { kind: 'file', file: '/d/imgs/3/x.png' });
    assert.deepEqual(revealPlan({ file: '/d/train-images-idx3-ubyte.gz', index: 2 }, { format: 'idx', kind: 'image' }), { kind: 'image' });
    assert.deepEqual(revealPlan({ file: '/d/digits.gz', index: 2 }, { format: 'sample', kind: 'image' }), { kind: 'image' });
    assert.deepEqual(revealPlan({ file: '/d/x.npy', index: 2 }, { format: 'npy', kind: 'table' }), { kind: 'values' });
    assert.deepEqual(revealPlan({ file: '/d/x.csv.gz', line: 3, index: 2 }, { format: 'csv', kind: 'table' }), { kind: 'values' });
    assert.deepEqual(revealPlan({ file: '/d/pixels.csv', line: 3, index: 2 }, { format: 'csv', kind: 'image' }), { kind: 'text', file: '/d/pixels.csv', line: 3 });
  });

  it('draws a grey image sample as a PNG scaled up by a whole factor, keeping 0..255 values', () => {
    const values = Float32Array.from({ length: 6 }, (_, i) => i * 50); // 2 x 3, 0..250
    const png = PNG.sync.read(samplePng(values, [2, 3, 1], 4));
    assert.deepEqual([png.width, png.height], [12, 8]);
    const px = (x: number, y: number): number[] => Array.from(png.data.subarray((y * 12 + x) * 4, (y * 12 + x) * 4 + 4));
    assert.deepEqual(px(0, 0), [0, 0, 0, 255]);
    assert.deepEqual(px(3, 3), [0, 0, 0, 255]);
    assert.deepEqual(px(4, 0), [50, 50, 50, 255]);
    assert.deepEqual(px(11, 7), [250, 250, 250, 255]);
    const big = PNG.sync.read(samplePng(new Float32Array(28 * 28), [28, 28, 1]));
    assert.ok(big.width >= 280 && big.width % 28 === 0, `28 px scaled to ${big.width}`);
  });

  it('scales 0..1 values by 255, stretches other ranges, and draws RGB', () => {
    const unit = PNG.sync.read(samplePng([0, 0.5, 1, 1], [2, 2, 1], 1));
    assert.deepEqual(Array.from(unit.data.filter((_, i) => i % 4 === 0)), [0, 128, 255, 255]);
    const signed = PNG.sync.read(samplePng([-1, 0, 1, 1], [2, 2, 1], 1));
    assert.deepEqual(Array.from(signed.data.filter((_, i) => i % 4 === 0)), [0, 128, 255, 255]);
    const rgb = PNG.sync.read(samplePng([255, 0, 0], [1, 1, 3], 1));
    assert.deepEqual(Array.from(rgb.data), [255, 0, 0, 255]);
    assert.throws(() => samplePng([1, 2], [2, 2, 1]), RangeError);
  });

  it('writes the values of a table row or a time-series window as CSV', () => {
    assert.equal(sampleValuesCsv([1.5, 2], ['a', 'b,c'], 'table', [2]), 'feature,value\na,1.5\n"b,c",2\n');
    assert.equal(sampleValuesCsv([1, 2, 3, 4, 5, 6], ['x_t0', 'y_t0', 'x_t1', 'y_t1', 'x_t2', 'y_t2'], 'sequence', [3, 2]), 'step,x,y\n0,1,2\n1,3,4\n2,5,6\n');
  });
});
