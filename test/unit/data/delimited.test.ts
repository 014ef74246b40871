import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetError } from '../../../src/core/data/dataset';
import { detectHeader, parseDelimited, sniffDelimiter } from '../../../src/core/data/delimited';
import { loadDataset } from '../../../src/core/data/index';
import { assertUnchanged, assertValues, expected, fixture } from './fixtures';

interface IrisExpected { columns: string[]; n: number; features: number[]; labels: string[]; lines: number[] }

async function rejects(file: string, ...parts: (string | RegExp)[]): Promise<DatasetError> {
  let caught: unknown;
  try {
    await loadDataset(file);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DatasetError, `expected a DatasetError, got ${String(caught)}`);
  for (const p of parts) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} should contain ${JSON.stringify(p)}`);
    else assert.match(caught.message, p);
  }
  return caught;
}

describe('RFC 4180 parser', () => {
  it('handles quotes, doubled quotes, embedded delimiters and newlines, CRLF, blank lines', () => {
    const text = 'a,"b, c","say ""hi"""\r\n\r\n1,"two\nlines",3\n4,,"6"';
    const recs = parseDelimited(text, ',', 'x.csv');
    assert.deepEqual(recs.map((r) => r.fields), [
      ['a', 'b, c', 'say "hi"'],
      ['1', 'two\nlines', '3'],
      ['4', '', '6'],
    ]);
    assert.deepEqual(recs.map((r) => r.line), [1, 3, 5]);
  });

  it('reports an unterminated quote with the line it opened on', () => {
    assert.throws(() => parseDelimited('a,b\n1,"oops\n2,3\n', ',', 'q.csv'), (e: unknown) => e instanceof DatasetError && e.row === 2);
  });

  it('sniffs the delimiter and detects headers', () => {
    assert.equal(sniffDelimiter('a;b;c\n1;2;3\n4;5;6\n'), ';');
    assert.equal(sniffDelimiter('a\tb\n1\t2\n3\t4\n'), '\t');
    assert.equal(sniffDelimiter('1.0 2.0 3.0\n4.0 5.0 6.0\n7 8 9\n'), 'whitespace');
    assert.equal(detectHeader(parseDelimited('x,y\n1,2\n', ',', 'f')), true);
    assert.equal(detectHeader(parseDelimited('1,2\n3,4\n', ',', 'f')), false);
  });
});

describe('loadDataset: CSV / TSV / TXT', () => {
  it('loads iris: header, quoted label column chosen by name, text column dropped with a warning, exact values, line refs', async () => {
    const file = fixture('iris40.csv');
    const want = expected('iris40.expected.json') as IrisExpected;
    const ds = await assertUnchanged([file], () => loadDataset(file));
    assert.equal(ds.format, 'csv');
    assert.equal(ds.kind, 'table');
    assert.equal(ds.n, want.n);
    assert.equal(ds.dim, 4);
    assert.deepEqual(ds.sampleShape, [4]);
    assert.deepEqual(ds.columns, want.columns);
    assertValues(ds.features, want.features);
    assert.deepEqual(ds.labels, want.labels);
    assert.equal(ds.labelName, 'species');
    assert.deepEqual(ds.refs.map((r) => r.line), want.lines);
    assert.deepEqual(ds.refs.map((r) => r.index), want.lines.map((_, i) => i));
    assert.equal(ds.refs[0].file, file);
    assert.ok(ds.warnings?.some((w) => w.includes('"note"')), `warnings: ${ds.warnings?.join('; ')}`);
  });

  it('maxRows limits the rows read', async () => {
    const ds = await loadDataset(fixture('iris40.csv'), { maxRows: 5 });
    assert.equal(ds.n, 5);
    assert.equal(ds.features.length, 20);
  });

  it('loads a TSV with a numeric label column picked by labelColumn', async () => {
    const want = expected('digits40.expected.json') as { columns: string[]; features: number[]; labels: string[] };
    const ds = await loadDataset(fixture('digits40.tsv'), { labelColumn: 'target' });
    assert.equal(ds.format, 'tsv');
    assert.equal(ds.n, 40);
    assert.equal(ds.dim, 64);
    assert.deepEqual(ds.columns, want.columns);
    assertValues(ds.features, want.features);
    assert.deepEqual(ds.labels, want.labels);
    // Without labelColumn a numeric column named "target" is still the label (the answer must not leak into the
    // features), and a warning says so.
    const all = await loadDataset(fixture('digits40.tsv'));
    assert.equal(all.dim, 64);
    assert.deepEqual(all.labels, want.labels);
    assert.match(all.warnings?.join('\n') ?? '', /"target" used as the label/);
    const none = await loadDataset(fixture('digits40.tsv'), { labelColumn: '' });
    assert.equal(none.dim, 65);
    assert.equal(none.labels, undefined);
    // By 0-based index, and ignoreColumns.
    const byIndex = await loadDataset(fixture('digits40.tsv'), { labelColumn: '64', ignoreColumns: ['pixel_0_0'] });
    assert.deepEqual(byIndex.labels, want.labels);
    assert.equal(byIndex.dim, 63);
  });

  it('loads whitespace-separated .txt without a header', async () => {
    const want = expected('small.expected.json') as { features: number[] };
    const ds = await loadDataset(fixture('small.txt'));
    assert.equal(ds.n, 6);
    assert.deepEqual(ds.columns, ['f0', 'f1', 'f2']);
    assertValues(ds.features, want.features);
    assert.deepEqual(ds.refs.map((r) => r.line), [1, 2, 3, 4, 5, 6]);
  });

  it('sniffs semicolons; an unnamed-as-label text column is dropped', async () => {
    const ds = await loadDataset(fixture('semicolon.csv'));
    assert.deepEqual(ds.columns, ['x', 'y']);
    assertValues(ds.features, [1.5, 2, 3, 4]);
    assert.equal(ds.labels, undefined);
    const labelled = await loadDataset(fixture('semicolon.csv'), { labelColumn: 'kind' });
    assert.deepEqual(labelled.labels, ['p', 'q']);
  });

  it('rejects a non-numeric cell naming file, line and column', async () => {
    const e = await rejects(fixture('bad_cell.csv'), 'bad_cell.csv', 'row 3', 'column "b"', '"oops"');
    assert.equal(e.row, 3);
    assert.equal(e.column, 'b');
  });

  it('rejects missing values, ragged rows, empty files and files without numbers', async () => {
    await rejects(fixture('missing.csv'), 'missing.csv', 'row 3', 'column "b"', 'missing');
    await rejects(fixture('ragged.csv'), 'ragged.csv', 'row 3', 'ragged');
    await rejects(fixture('empty.csv'), 'empty.csv', 'empty');
    await rejects(fixture('text_only.csv'), 'no numeric columns');
    await rejects(fixture('header_only.csv'), 'no data rows');
    await assert.rejects(loadDataset(fixture('iris40.csv'), { labelColumn: 'nope' }), /label column "nope" not found/);
  });
});
