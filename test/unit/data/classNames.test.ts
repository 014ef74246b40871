import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { attachClassNames, findClassNames, labelDisplayName, namesForLabels, parseClassNames } from '../../../src/core/data/classNames';
import { loadDataset } from '../../../src/core/data/index';
import { classNamesText, inspectData } from '../../../src/core/data/inspect';
import { embeddingsToCsv, embeddingsToJson, embeddingsToProjector } from '../../../src/core/export/embeddings';
import { datasetSchema } from '../../../src/core/training/persistence';

const root = mkdtempSync(path.join(tmpdir(), 'le-classnames-'));
after(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A CSV of `n` rows, 2 features, labels cycling over `labels`. */
function writeCsv(file: string, n: number, labels: string[]): void {
  const rows = ['a,b,label', ...Array.from({ length: n }, (_, i) => `${i},${2 * i},${labels[i % labels.length]}`)];
  writeFileSync(file, rows.join('\n') + '\n');
}

/** An IDX u8 file of `shape` filled with `fill(k)`. */
function writeIdx(file: string, shape: number[], fill: (k: number) => number): void {
  const total = shape.reduce((a, b) => a * b, 1);
  const buf = Buffer.alloc(4 + 4 * shape.length + total);
  buf[2] = 0x08;
  buf[3] = shape.length;
  shape.forEach((s, a) => buf.writeUInt32BE(s, 4 + 4 * a));
  for (let k = 0; k < total; k++) buf[4 + 4 * shape.length + k] = fill(k);
  writeFileSync(file, buf);
}

describe('class names', () => {
  it('parses classes.txt (label order) and labels.json (array or map)', () => {
    assert.deepEqual(parseClassNames('T-shirt\nTrouser\r\nPullover\n\n', 'classes.txt').names, { 0: 'T-shirt', 1: 'Trouser', 2: 'Pullover' });
    assert.deepEqual(parseClassNames('["cat", "dog"]', 'labels.json').names, { 0: 'cat', 1: 'dog' });
    assert.deepEqual(parseClassNames('{"3": "three", "x": "ex"}', 'labels.json').names, { 3: 'three', x: 'ex' });
    assert.match(parseClassNames('["a", "b", "a"]', 'labels.json').problem ?? '', /repeats/);
    assert.match(parseClassNames('{oops', 'labels.json').problem ?? '', /not valid JSON/);
    assert.match(parseClassNames('[[1]]', 'labels.json').problem ?? '', /as text/);
    assert.match(parseClassNames('\n\n', 'classes.txt').problem ?? '', /no names/);
  });

  it('keeps only the names of label values that occur and lists the unnamed ones', () => {
    const r = namesForLabels({ 0: 'zero', 1: 'one', 7: 'seven' }, ['0', '1', '1', '2', '10']);
    assert.deepEqual(r.names, { 0: 'zero', 1: 'one' });
    assert.deepEqual(r.unnamed, ['2', '10']);
    assert.equal(namesForLabels({ 0: 'zero' }, ['a']).names, undefined);
    assert.equal(labelDisplayName('1', r.names), 'one');
    assert.equal(labelDisplayName('2', r.names), '2');
  });

  it('a CSV with numeric labels gets the names of the classes.txt beside it; the labels stay as stored', async () => {
    const dir = folder('csv');
    const file = path.join(dir, 'data.csv');
    writeCsv(file, 12, ['0', '1', '2']);
    writeFileSync(path.join(dir, 'classes.txt'), 'low\nmid\nhigh\n');
    const ds = await loadDataset(file, { labelColumn: 'label' });
    assert.deepEqual(ds.labels?.slice(0, 3), ['0', '1', '2']);
    assert.deepEqual(ds.classNames, { 0: 'low', 1: 'mid', 2: 'high' });
    assert.equal(ds.classNamesSource, path.join(dir, 'classes.txt'));
    assert.deepEqual(datasetSchema(ds).classNames, ds.classNames);
    const report = await inspectData(file, { labelColumn: 'label' });
    assert.match(classNamesText(report) ?? '', /^0 low, 1 mid, 2 high \(from classes\.txt\)$/);
  });

  it('an IDX images file pairs its labels file and a labels.json map; the report names both', async () => {
    const dir = folder('idx');
    const images = path.join(dir, 'train-images-idx3-ubyte');
    writeIdx(images, [6, 4, 4], (k) => k % 256);
    writeIdx(path.join(dir, 'train-labels-idx1-ubyte'), [6], (k) => k % 3);
    writeFileSync(path.join(dir, 'labels.json'), JSON.stringify({ 0: 'circle', 1: 'square', 2: 'triangle' }));
    const ds = await loadDataset(images);
    assert.equal(ds.labelFile, path.join(dir, 'train-labels-idx1-ubyte'));
    assert.deepEqual(ds.classNames, { 0: 'circle', 1: 'square', 2: 'triangle' });
    const report = await inspectData(images);
    assert.equal(report.labelFile, path.join(dir, 'train-labels-idx1-ubyte'));
    assert.ok(report.classNames);
  });

  it('falls back to given names (a setting, a saved model) and warns about unusable files and unnamed values', async () => {
    const dir = folder('fallback');
    const file = path.join(dir, 'data.csv');
    writeCsv(file, 8, ['0', '1', '5']);
    const ds = await loadDataset(file, { labelColumn: 'label', classNames: { 0: 'no', 1: 'yes' } });
    assert.deepEqual(ds.classNames, { 0: 'no', 1: 'yes' });
    assert.equal(ds.classNamesSource, 'given');
    assert.ok(ds.warnings?.some((w) => /no class name for label value 5/.test(w)), String(ds.warnings));
    writeFileSync(path.join(dir, 'labels.json'), '["a", "a"]');
    const again = await loadDataset(file, { labelColumn: 'label' });
    assert.equal(again.classNames, undefined);
    assert.ok(again.warnings?.some((w) => /labels\.json not used: it repeats/.test(w)), String(again.warnings));
  });

  it('a file that names none of the labels is not used (string labels already are names)', () => {
    const dir = folder('strings');
    writeFileSync(path.join(dir, 'classes.txt'), 'x\ny\n');
    const iris: { labels?: string[]; classNames?: Record<string, string>; warnings?: string[] } = { labels: ['setosa', 'virginica'] };
    const ds = attachClassNames(iris, path.join(dir, 'iris.csv'));
    assert.equal(ds.classNames, undefined);
    assert.ok(ds.warnings?.some((w) => /names none of the label values \(setosa, virginica\)/.test(w)));
    const unlabelled: { labels?: string[]; warnings?: string[] } = {};
    assert.equal(attachClassNames(unlabelled, path.join(dir, 'iris.csv')).warnings, undefined);
  });

  it('looks inside an image folder, then beside it, and never takes the dataset for its own names', () => {
    const parent = folder('imgs');
    const inner = folder(path.join('imgs', 'photos'));
    writeFileSync(path.join(parent, 'classes.txt'), 'outer\n');
    assert.equal(findClassNames(inner)?.file, path.join(parent, 'classes.txt'));
    writeFileSync(path.join(inner, 'labels.json'), '["inner"]');
    assert.equal(findClassNames(inner)?.file, path.join(inner, 'labels.json'));
    const dataAsLabels = path.join(folder('self'), 'labels.json');
    writeFileSync(dataAsLabels, '[{"a": 1}]');
    assert.equal(findClassNames(dataAsLabels), undefined);
  });

  it('exports carry a label_name column (CSV, Projector) and the names (JSON)', () => {
    const table = { n: 3, latentDim: 1, latent: new Float32Array([0.5, 1, 2]), labels: ['0', '1', '9'], classNames: { 0: 'zero', 1: 'one, uno' } };
    const csv = embeddingsToCsv(table).trim().split('\n');
    assert.deepEqual(csv[0].split(','), ['index', 'z0', 'label', 'label_name']);
    assert.deepEqual(csv.slice(1), ['0,0.5,0,zero', '1,1,1,"one, uno"', '2,2,9,9']);
    const meta = embeddingsToProjector(table).metadata.trim().split('\n');
    assert.equal(meta[0].split('\t').at(-1), 'label_name');
    assert.equal(meta[2].split('\t').at(-1), 'one, uno');
    assert.deepEqual((JSON.parse(embeddingsToJson(table)) as { classNames: unknown }).classNames, table.classNames);
    assert.deepEqual(embeddingsToCsv({ ...table, classNames: undefined }).split('\n')[0].split(','), ['index', 'z0', 'label']);
  });
});
