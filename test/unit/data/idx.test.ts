import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { DatasetError } from '../../../src/core/data/dataset';
import { siblingLabelCandidates } from '../../../src/core/data/idx';
import { loadDataset } from '../../../src/core/data/index';
import { assertUnchanged, assertValues, expected, fixture } from './fixtures';

const FASHION = '/usr/share/datasets/fashion-mnist';
const idxWant = existsSync(fixture('idx.expected.json')) ? (expected('idx.expected.json') as { images: number[]; labels: string[] }) : undefined;

describe('loadDataset: IDX', () => {
  it('maps images files to their sibling labels file', () => {
    assert.deepEqual(siblingLabelCandidates('/d/train-images-idx3-ubyte.gz').map((p) => path.basename(p)), [
      'train-labels-idx1-ubyte.gz',
      'train-labels-idx1-ubyte',
    ]);
    assert.deepEqual(siblingLabelCandidates('/d/t10k-images.idx3').map((p) => path.basename(p)), ['t10k-labels.idx1', 't10k-labels.idx1.gz']);
  });

  for (const [dir, name] of [['idx', 'mini-images-idx3-ubyte'], ['idxgz', 'mini-images-idx3-ubyte.gz']]) {
    it(`reads ${dir}/${name} with its sibling labels`, { skip: idxWant === undefined && 'fixture not generated (no Fashion-MNIST when makeFixtures ran)' }, async () => {
      const file = fixture(dir, name);
      const ds = await assertUnchanged([fixture(dir)], () => loadDataset(file));
      assert.equal(ds.format, 'idx');
      assert.equal(ds.kind, 'image');
      assert.equal(ds.n, 20);
      assert.deepEqual(ds.sampleShape, [28, 28, 1]);
      assert.equal(ds.columns[28], 'px_1_0');
      assertValues(ds.features, idxWant!.images);
      assert.deepEqual(ds.labels, idxWant!.labels);
      assert.equal(ds.labelName, 'mini-labels-idx1-ubyte');
      assert.equal(ds.name, 'mini-images-idx3-ubyte');
    });
  }

  it('explicit idxLabels with the wrong count is a DatasetError', async () => {
    await assert.rejects(loadDataset(fixture('idx', 'mini-images-idx3-ubyte'), { idxLabels: fixture('idx', 'short-labels.idx1') }), (e: unknown) => e instanceof DatasetError && /5 labels/.test(e.message));
  });

  it('reads f32 and i16 tables (big-endian)', async () => {
    const want = expected('idxtables.expected.json') as { table: number[]; vec: number[] };
    const t = await loadDataset(fixture('idx', 'table.idx'));
    assert.equal(t.kind, 'table');
    assert.equal(t.n, 3);
    assert.equal(t.dim, 4);
    assertValues(t.features, want.table);
    const v = await loadDataset(fixture('idx', 'vec.idx1'));
    assert.equal(v.dim, 1);
    assertValues(v.features, want.vec);
  });

  it('a bad magic number is a DatasetError naming the file', async () => {
    await assert.rejects(loadDataset(fixture('idx', 'bad-magic.idx')), (e: unknown) => e instanceof DatasetError && /bad-magic\.idx: not an IDX file/.test(e.message));
  });

  it('reads the real Fashion-MNIST test set (first 500, gzip) with labels', { skip: !existsSync(path.join(FASHION, 't10k-images-idx3-ubyte.gz')) && `Fashion-MNIST not installed at ${FASHION}` }, async () => {
    const file = path.join(FASHION, 't10k-images-idx3-ubyte.gz');
    const ds = await assertUnchanged([file, path.join(FASHION, 't10k-labels-idx1-ubyte.gz')], () => loadDataset(file, { maxRows: 500 }));
    assert.equal(ds.n, 500);
    assert.deepEqual(ds.sampleShape, [28, 28, 1]);
    // Independent decode: skip the 16-byte header and compare raw bytes.
    const raw = gunzipSync(readFileSync(file));
    const rawLabels = gunzipSync(readFileSync(path.join(FASHION, 't10k-labels-idx1-ubyte.gz')));
    assertValues(ds.features, Array.from(raw.subarray(16, 16 + 500 * 784)));
    assert.deepEqual(ds.labels, Array.from(rawLabels.subarray(8, 508), String));
    assert.deepEqual(new Set(ds.labels), new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']));
  });
});
