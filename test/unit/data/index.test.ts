import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DatasetError } from '../../../src/core/data/dataset';
import { detectFormat, loadDataset } from '../../../src/core/data/index';
import { SAMPLE_NAME, SAMPLE_SIZE, loadSampleDigits, sampleDataPath } from '../../../src/core/data/sample';
import { mnistDigitsDir } from '../../../bench/mnist';
import { fixture } from './fixtures';

describe('detectFormat / loadDataset dispatch', () => {
  it('detects formats from names and folders', () => {
    const cases: [string, string | undefined][] = [
      ['a.csv', 'csv'], ['a.CSV.gz', 'csv'], ['a.txt', 'csv'], ['a.tsv', 'tsv'], ['a.json', 'json'], ['a.jsonl', 'jsonl'],
      ['a.ndjson', 'jsonl'], ['a.npy', 'npy'], ['a.npz', 'npz'], ['train-images-idx3-ubyte', 'idx'],
      ['train-labels-idx1-ubyte.gz', 'idx'], ['x.idx3', 'idx'], ['x.idx', 'idx'], ['x.bin', undefined],
    ];
    for (const [name, fmt] of cases) assert.equal(detectFormat(path.join('/nowhere', name)), fmt, name);
    assert.equal(detectFormat(fixture('images')), 'images');
  });

  it('a missing file is a DatasetError "file not found"', async () => {
    await assert.rejects(loadDataset(fixture('does-not-exist.csv')), (e: unknown) => e instanceof DatasetError && /does-not-exist\.csv: file not found/.test(e.message));
  });

  it('sniffs NPY content behind an unknown extension; rejects unknown content', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'le-data-'));
    try {
      writeFileSync(path.join(dir, 'arr.bin'), readFileSync(fixture('f4.npy')));
      const ds = await loadDataset(path.join(dir, 'arr.bin'));
      assert.equal(ds.format, 'npy');
      assert.equal(ds.n, 5);
      // gzip-compressed CSV; hasHeader: false forces the header row to be data (and fail as text).
      writeFileSync(path.join(dir, 'small.csv.gz'), gzipSync('a,b\n1,2\n3,4\n'));
      const gz = await loadDataset(path.join(dir, 'small.csv.gz'));
      assert.deepEqual([gz.format, gz.columns, Array.from(gz.features)], ['csv', ['a', 'b'], [1, 2, 3, 4]]);
      assert.equal(gz.name, 'small.csv');
      await assert.rejects(loadDataset(path.join(dir, 'small.csv.gz'), { hasHeader: false }), /row 1, column "f0": "a" is not a number/);
      // a relative path resolves against the working directory; refs are absolute
      const rel = await loadDataset(path.relative(process.cwd(), fixture('small.txt')));
      assert.equal(rel.refs[0].file, fixture('small.txt'));
      writeFileSync(path.join(dir, 'junk.bin'), 'hello');
      await assert.rejects(loadDataset(path.join(dir, 'junk.bin')), (e: unknown) => e instanceof DatasetError && /unknown dataset format/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadSampleDigits', () => {
  it('loads the shipped digits: balanced prefix, 28x28 grey images equal to the mnist package pixels (uint8)', async () => {
    const ds = await loadSampleDigits({ maxRows: 30 });
    assert.deepEqual([ds.format, ds.kind, ds.name, ds.n, ds.dim, ds.labelName], ['sample', 'image', SAMPLE_NAME, 30, 784, 'digit']);
    assert.deepEqual(ds.sampleShape, [28, 28, 1]);
    assert.deepEqual(ds.labels, Array.from({ length: 30 }, (_, i) => String(i % 10)));
    assert.equal(ds.source, sampleDataPath());
    // Sample 11 is the second "1" of the package (interleaved order), its pixels scaled to 0..255.
    const one = JSON.parse(readFileSync(path.join(mnistDigitsDir(), '1.json'), 'utf8')) as { data: number[] };
    assert.deepEqual(Array.from(ds.features.subarray(11 * 784, 12 * 784)), one.data.slice(784, 2 * 784).map((v) => Math.round(255 * v)));
    assert.deepEqual(ds.refs[11], { file: sampleDataPath(), index: 11 });
    const all = await loadSampleDigits();
    assert.equal(all.n, SAMPLE_SIZE);
  });
});
