import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dataset } from '../../../src/core/data/dataset';
import { DatasetError } from '../../../src/core/data/dataset';
import { loadDataset, windowColumns, windowCount, windowDataset } from '../../../src/core/data/index';
import { datasetSchema } from '../../../src/core/training/persistence';
import { fixture } from './fixtures';

/** A 10-row, 2-column table: row r is [r, 100 + r], label `L<r>`, ref line r + 2. */
function table(n = 10): Dataset {
  const features = new Float32Array(n * 2);
  for (let r = 0; r < n; r++) {
    features[r * 2] = r;
    features[r * 2 + 1] = 100 + r;
  }
  return {
    name: 'ts.csv',
    source: '/data/ts.csv',
    format: 'csv',
    kind: 'table',
    n,
    dim: 2,
    sampleShape: [2],
    features,
    columns: ['a', 'b'],
    labels: Array.from({ length: n }, (_, r) => `L${r}`),
    labelName: 'label',
    refs: Array.from({ length: n }, (_, r) => ({ file: '/data/ts.csv', line: r + 2, index: r })),
  };
}

describe('windowDataset', () => {
  it('cuts step-major windows of length rows every stride rows', () => {
    const w = windowDataset(table(), { length: 4, stride: 3 });
    // starts 0, 3, 6: the last window ends on the last row
    assert.equal(w.n, 3);
    assert.equal(w.kind, 'sequence');
    assert.deepEqual(w.sampleShape, [4, 2]);
    assert.equal(w.dim, 8);
    assert.deepEqual(w.window, { length: 4, stride: 3 });
    assert.deepEqual(Array.from(w.features.subarray(0, 8)), [0, 100, 1, 101, 2, 102, 3, 103]);
    assert.deepEqual(Array.from(w.features.subarray(8, 16)), [3, 103, 4, 104, 5, 105, 6, 106]);
    assert.deepEqual(Array.from(w.features.subarray(16, 24)), [6, 106, 7, 107, 8, 108, 9, 109]);
    assert.equal(w.features.length, 24);
    assert.deepEqual(w.columns, ['a_t0', 'b_t0', 'a_t1', 'b_t1', 'a_t2', 'b_t2', 'a_t3', 'b_t3']);
    assert.deepEqual(w.columns, windowColumns(['a', 'b'], 4));
  });

  it('labels come from the last row, refs from the first row of each window', () => {
    const w = windowDataset(table(), { length: 4, stride: 3 });
    assert.deepEqual(w.labels, ['L3', 'L6', 'L9']);
    assert.deepEqual(w.refs.map((r) => [r.line, r.index]), [[2, 0], [5, 3], [8, 6]]);
    assert.equal(w.labelName, 'label');
    assert.equal(w.warnings, undefined);
    assert.match(windowDataset(table(), { length: 4, stride: 4 }).warnings?.join('\n') ?? '', /the last 2 rows are in no window/);
    assert.match(windowDataset(table(), { length: 3, stride: 3 }).warnings?.join('\n') ?? '', /the last 1 row is in no window/);
    const full = windowDataset(table(), { length: 2, stride: 1 });
    assert.equal(full.n, 9);
    assert.equal(full.warnings, undefined);
    assert.deepEqual(full.labels, ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9']);
    const noLabels = windowDataset({ ...table(), labels: undefined, labelName: undefined }, { length: 5, stride: 5 });
    assert.equal(noLabels.labels, undefined);
    assert.equal(noLabels.n, 2);
  });

  it('counts windows as floor((n - length) / stride) + 1', () => {
    assert.equal(windowCount(10, 4, 3), 3);
    assert.equal(windowCount(10, 10, 1), 1);
    assert.equal(windowCount(9, 10, 1), 0);
    assert.equal(windowCount(400, 32, 4), 93);
    assert.equal(windowDataset(table(), { length: 10, stride: 7 }).n, 1);
  });

  it('rejects bad windows, short tables and non-tables with a DatasetError', () => {
    const bad: [Partial<{ length: number; stride: number }>, RegExp][] = [
      [{ length: 1, stride: 1 }, /window length must be an integer of at least 2, got 1/],
      [{ length: 2.5, stride: 1 }, /window length must be an integer/],
      [{ length: 4, stride: 0 }, /window stride must be an integer of at least 1, got 0/],
      [{ length: 11, stride: 1 }, /has 10 rows, fewer than one window of 11/],
    ];
    for (const [spec, re] of bad) {
      assert.throws(
        () => windowDataset(table(), spec as { length: number; stride: number }),
        (e: unknown) => e instanceof DatasetError && re.test(e.message) && e.message.startsWith('/data/ts.csv'),
      );
    }
    const image: Dataset = { ...table(), kind: 'image', sampleShape: [1, 2, 1] };
    assert.throws(() => windowDataset(image, { length: 2, stride: 1 }), /only a table .* image dataset/);
    const seq = windowDataset(table(), { length: 2, stride: 1 });
    assert.throws(() => windowDataset(seq, { length: 2, stride: 1 }), /sequence dataset/);
  });
});

describe('loadDataset with a window', () => {
  it('windows the sines fixture; refs point at the window start line; the schema records the window', async () => {
    const raw = await loadDataset(fixture('sines.csv'), { labelColumn: 'label' });
    assert.equal(raw.n, 400);
    const ds = await loadDataset(fixture('sines.csv'), { labelColumn: 'label', window: { length: 32, stride: 4 } });
    assert.equal(ds.kind, 'sequence');
    assert.equal(ds.n, 93);
    assert.deepEqual(ds.sampleShape, [32, 2]);
    assert.deepEqual(ds.window, { length: 32, stride: 4 });
    // window 5 starts at row 20 (line 22) and equals rows 20..51 of the table
    assert.deepEqual(ds.refs[5], { ...raw.refs[20] });
    assert.equal(ds.refs[5].line, 22);
    assert.deepEqual(Array.from(ds.features.subarray(5 * 64, 6 * 64)), Array.from(raw.features.subarray(20 * 2, 52 * 2)));
    // window 68 covers rows 272..303 and ends in the spike (rows 301..303)
    assert.equal(ds.labels?.[68], 'spike');
    assert.equal(ds.labels[0], 'normal');
    const schema = datasetSchema(ds);
    assert.deepEqual(schema.window, { length: 32, stride: 4 });
    assert.equal(schema.kind, 'sequence');
    assert.equal(datasetSchema(raw).window, undefined);
    // maxRows limits source rows before windowing
    assert.equal((await loadDataset(fixture('sines.csv'), { labelColumn: 'label', maxRows: 40, window: { length: 32, stride: 4 } })).n, 3);
  });

  it('reports bad windows and too-short files as DatasetErrors naming the file', async () => {
    await assert.rejects(loadDataset(fixture('sines.csv'), { window: { length: 0, stride: 1 } }), (e: unknown) => e instanceof DatasetError && /sines\.csv: window length/.test(e.message));
    await assert.rejects(loadDataset(fixture('sines.csv'), { labelColumn: 'label', window: { length: 401, stride: 1 } }), /sines\.csv: has 400 rows, fewer than one window of 401/);
    await assert.rejects(loadDataset(fixture('images'), { window: { length: 2, stride: 1 } }), /only a table/);
  });
});
