/**
 * The streaming path on a file generated at run time (never committed): larger than many read chunks and larger than
 * the heap the loading process is given, so it can only load if the text is never held as one string and the rows are
 * never an array of arrays. Values, labels and source lines are checked at the start, the middle and the end.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/data/index';
import { DEFAULT_CHUNK_BYTES } from '../../../src/core/data/textSource';

const COLS = 6;
/** The generated value of row i, column j: exact in float32 (multiples of 1/8 below 2^20). */
const value = (i: number, j: number): number => ((i * (j + 7)) % 4093) / 8 - 100;

const dir = mkdtempSync(path.join(tmpdir(), 'le-large-'));
const file = path.join(dir, 'large.csv');
const HEAP_MB = 72;
const TARGET_BYTES = 112 * 2 ** 20;

function generate(): number {
  const fd = openSync(file, 'w');
  let rows = 0;
  let written = 0;
  writeSync(fd, `${Array.from({ length: COLS }, (_, j) => `c${j}`).join(',')},label\n`);
  while (written < TARGET_BYTES) {
    let buf = '';
    for (let k = 0; k < 20000; k++, rows++) {
      let line = '';
      for (let j = 0; j < COLS; j++) line += `${value(rows, j)},`;
      buf += `${line}k${rows % 3}\n`;
    }
    written += writeSync(fd, buf);
  }
  closeSync(fd);
  return rows;
}

describe('large file, streamed', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rows = generate();
  const size = statSync(file).size;

  it(`loads a ${(TARGET_BYTES / 2 ** 20).toFixed(0)} MiB CSV in a process whose heap is capped at ${HEAP_MB} MiB`, () => {
    assert.ok(size > HEAP_MB * 2 ** 20 && size > 100 * DEFAULT_CHUNK_BYTES, 'the file must exceed the heap and many chunks');
    const script = `
      const { loadDataset } = require(${JSON.stringify(path.resolve('src/core/data/index.ts'))});
      let calls = 0, last = 0;
      loadDataset(${JSON.stringify(file)}, { onProgress: (r) => { calls++; last = r; } }).then((ds) => {
        const pick = (i) => [Array.from(ds.features.subarray(i * ds.dim, (i + 1) * ds.dim)), ds.labels[i], ds.refs[i].line];
        process.stdout.write(JSON.stringify({ n: ds.n, dim: ds.dim, columns: ds.columns, labelName: ds.labelName, calls, last, rows: [0, Math.floor(ds.n / 2), ds.n - 1].map(pick) }));
      }, (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });`;
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { n: number; dim: number; columns: string[]; labelName: string; calls: number; last: number; rows: [number[], string, number][] };
    assert.equal(got.n, rows);
    assert.equal(got.dim, COLS);
    assert.deepEqual(got.columns, Array.from({ length: COLS }, (_, j) => `c${j}`));
    assert.equal(got.labelName, 'label');
    assert.ok(got.calls > 100, `progress reported ${got.calls} times`);
    assert.equal(got.last, size);
    for (const [i, [values, label, line]] of [0, Math.floor(rows / 2), rows - 1].map((i, k) => [i, got.rows[k]] as const)) {
      assert.deepEqual(values, Array.from({ length: COLS }, (_, j) => value(i, j)), `row ${i}`);
      assert.equal(label, `k${i % 3}`);
      assert.equal(line, i + 2);
    }
  });

  it('maxRows stops reading early', async () => {
    let read = 0;
    const ds = await loadDataset(file, { maxRows: 1000, onProgress: (r) => (read = r) });
    assert.equal(ds.n, 1000);
    assert.deepEqual(Array.from(ds.features.subarray(999 * COLS, 1000 * COLS)), Array.from({ length: COLS }, (_, j) => value(999, j)));
    assert.ok(read < size / 10, `read ${read} of ${size} bytes`);
  });
});
