/**
 * A corpus of bad and awkward dataset files, written at test time into a folder, each with the outcome it must have:
 * it loads with a given shape (and labels / kind / warnings), or it fails with a DatasetError whose message names the
 * file and matches a pattern. `test/unit/data/corpus.test.ts` runs every case through `loadDataset`.
 *
 *   node --import tsx test/corpus/make.ts DIR     writes the files (to look at them by hand)
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { LoadOptions } from '../../src/core/data/dataset';
import { encodeNpy } from '../../src/core/export/npy';

export interface Loads {
  n: number;
  dim: number;
  kind?: 'table' | 'image' | 'sequence';
  labels?: string[];
  /** First feature values, in order. */
  first?: number[];
  warning?: RegExp;
  format?: string;
}

export interface CorpusCase {
  name: string;
  /** Path of the file or folder to load, relative to the corpus folder. */
  file: string;
  opts?: LoadOptions;
  expect: Loads | { error: RegExp };
}

const SKLEARN = '/usr/lib/python3/dist-packages/sklearn/datasets/data';

function utf16(text: string, be: boolean, bom: boolean): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const body = be ? Buffer.from(le.map((_, k) => le[k ^ 1])) : le;
  return bom ? Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), body]) : body;
}

/** A minimal zip holding the given (stored) members: enough for the content sniffer and the NPZ reader. */
export function zip(members: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(members)) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(n.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    central.push(cd, n);
    offset += 30 + n.length + data.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(members).length, 8);
  end.writeUInt16LE(Object.keys(members).length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

function npyWithDescr(descr: string, shape: number[], data: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

function idx(dims: number[], payload: Buffer): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = 0x08;
  h[3] = dims.length;
  dims.forEach((d, k) => h.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([h, payload]);
}

function png(w: number, h: number, value: number): Buffer {
  const p = new PNG({ width: w, height: h });
  p.data.fill(value);
  for (let k = 3; k < p.data.length; k += 4) p.data[k] = 255;
  return PNG.sync.write(p);
}

const IRIS_ROWS = ['5.1,3.5,1.4,0.2,setosa', '4.9,3.0,1.4,0.2,setosa', '7.0,3.2,4.7,1.4,versicolor', '6.4,3.2,4.5,1.5,versicolor', '6.3,3.3,6.0,2.5,virginica', '5.8,2.7,5.1,1.9,virginica'];
const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species\n${IRIS_ROWS.join('\n')}\n`;

/** Writes every case's file into `dir` (created) and returns the cases. */
export async function makeCorpus(dir: string): Promise<CorpusCase[]> {
  mkdirSync(dir, { recursive: true });
  const cases: CorpusCase[] = [];
  const put = (file: string, content: string | Buffer): string => {
    const p = path.join(dir, file);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    return file;
  };
  const add = (name: string, file: string, expect: CorpusCase['expect'], opts?: LoadOptions): void => {
    cases.push(opts ? { name, file, expect, opts } : { name, file, expect });
  };
  const iris = { n: 6, dim: 4, labels: ['setosa', 'setosa', 'versicolor', 'versicolor', 'virginica', 'virginica'] };

  // Delimited text: encodings, delimiters, line ends.
  add('plain CSV with a text label', put('iris.csv', IRIS), { ...iris, first: [5.1, 3.5, 1.4, 0.2] });
  add('CRLF line ends', put('crlf.csv', IRIS.replace(/\n/g, '\r\n')), iris);
  add('old Mac CR line ends', put('cr.csv', IRIS.replace(/\n/g, '\r')), iris);
  add('UTF-8 with BOM', put('bom.csv', `\uFEFF${IRIS}`), iris);
  add('UTF-16LE with BOM, tabs (Excel "Unicode text")', put('excel_unicode.txt', utf16(IRIS.replace(/,/g, '\t'), false, true)), { ...iris, warning: /UTF-16LE/ });
  add('UTF-16BE with BOM', put('utf16be.csv', utf16(IRIS, true, true)), iris);
  add('UTF-16LE without BOM', put('utf16_nobom.csv', utf16(IRIS, false, false)), { ...iris, warning: /no byte-order mark/ });
  add('Windows-1252 text label', put('latin1.csv', Buffer.from('x,y,city\n1,2,Zürich\n3,4,Málaga\n', 'latin1')), { n: 2, dim: 2, warning: /Windows-1252/ });
  add('comma-separated file named .tsv', put('commas.tsv', IRIS), iris);
  add('tab-separated file named .csv', put('tabs.csv', IRIS.replace(/,/g, '\t')), iris);
  add('semicolons', put('semi.csv', IRIS.replace(/,/g, ';')), iris);
  add('pipes', put('pipes.csv', IRIS.replace(/,/g, '|')), iris);
  add('whitespace-aligned .txt (numpy savetxt)', put('savetxt.txt', '1.0  2.0  3.0\n 4.0 5.0 6.0\n7 8 9\n'), { n: 3, dim: 3, first: [1, 2, 3] });
  add('no extension, CSV content', put('noext', IRIS), iris);
  add('gzip CSV', put('iris.csv.gz', gzipSync(IRIS)), iris);
  add('gzip TSV named .gz only', put('tabs.gz', gzipSync(IRIS.replace(/,/g, '\t'))), iris);
  add('quoted fields with commas, quotes and line breaks in text', put('quoted.csv', 'a,b,note\n1,2,"x, ""y""\nz"\n3,4,plain\n'), { n: 2, dim: 2, first: [1, 2, 3, 4], warning: /dropped non-numeric column "note"/ });
  add('comment lines at the top', put('comments.csv', `# exported by a tool\n# units: cm\n${IRIS}`), iris);
  add('trailing delimiter on every row', put('trailing.csv', 'a,b,\n1,2,\n3,4,\n'), { n: 2, dim: 2, warning: /dropped empty column/ });
  add('duplicate header names', put('dups.csv', 'a,a,b\n1,2,3\n4,5,6\n'), { n: 2, dim: 3, warning: /duplicate column name "a"/ });
  add('R write.csv row names (header one short)', put('rnames.csv', '"x","y"\n"1",1.5,2\n"2",3.5,4\n'), { n: 2, dim: 2, first: [1.5, 2], warning: /row names/ });
  add('pandas index column ("" header)', put('pandas.csv', ',x,y\n0,1,2\n1,3,4\n2,5,6\n'), { n: 3, dim: 2, first: [1, 2], warning: /"Unnamed: 0" used as the id/ });
  add('id column by name', put('ids.csv', 'id,x,y\n10,1,2\n11,3,4\n'), { n: 2, dim: 2, warning: /"id" used as the id/ });
  add('time column is not a feature', put('series.csv', 'time,s1,s2\n0,1,2\n1,3,4\n2,5,6\n3,7,8\n'), { n: 4, dim: 2, first: [1, 2], warning: /"time" used as the time/ });
  add('numeric "target" column is the label', put('target.csv', 'a,b,target\n1,2,0\n3,4,1\n'), { n: 2, dim: 2, labels: ['0', '1'] });
  add('label by 0-based index in a headerless table', put('idx_label.csv', '0,1.5,2\n1,3.5,4\n'), { n: 2, dim: 2, labels: ['0', '1'] }, { labelColumn: '0' });
  add('headerless iris: the lone text column is the label', put('iris_noheader.csv', `${IRIS_ROWS.join('\n')}\n`), { ...iris, warning: /"f4" used as the label/ });
  add('--label none keeps a numeric target as a feature', 'target.csv', { n: 2, dim: 3 }, { labelColumn: '' });
  add('ignore columns by name and index', 'iris.csv', { n: 6, dim: 2 }, { ignoreColumns: ['sepal_length', '1'] });
  add('time column chosen explicitly', 'iris.csv', { n: 6, dim: 3 }, { timeColumn: 'sepal_length' });
  add('image shape: 64 columns as 8x8 images', put('pixels.csv', `${Array.from({ length: 3 }, (_, i) => Array.from({ length: 64 }, (_, j) => (i + j) % 17).join(',')).join('\n')}\n`), { n: 3, dim: 64, kind: 'image' }, { imageShape: [8, 8, 1] });
  add('max rows stops early', 'iris.csv', { n: 3, dim: 4 }, { maxRows: 3 });
  add('forced delimiter and no header', 'savetxt.txt', { n: 3, dim: 3 }, { delimiter: 'whitespace', hasHeader: false });
  const wide = 9000;
  add('wide table: the header alone is longer than the 64 KiB sniffed first', put('wide.tsv', `${Array.from({ length: wide }, (_, j) => `gene_${j}`).join('\t')}\tkind\n${Array.from({ length: 4 }, (_, i) => `${Array.from({ length: wide }, (_, j) => ((i * j) % 97) / 4).join('\t')}\tk${i % 2}`).join('\n')}\n`), { n: 4, dim: wide, labels: ['k0', 'k1', 'k0', 'k1'] }, { labelColumn: 'kind' });
  add('Excel "sep=;" first line', put('excel_sep.csv', `sep=;\n${IRIS.replace(/,/g, ';')}`), iris);
  add('a zip of a CSV is not an NPZ', put('archive.zip', zip({ 'data.csv': Buffer.from(IRIS) })), { error: /zip archive of data\.csv, not an NPZ/ });
  add('JSON with NaN (Python json.dump)', put('nan.json', '[[1, 2], [NaN, 4]]'), { error: /NaN and Infinity are not JSON/ });
  add('single numeric column', put('one_col.csv', 'v\n1\n2\n3\n'), { n: 3, dim: 1, first: [1, 2, 3] });
  add('blank lines between rows', put('blank_lines.csv', 'a,b\n\n1,2\n\n\n3,4\n\n'), { n: 2, dim: 2 });
  add('padded cells and signs', put('padded.csv', 'a,b\n  +1.5 , -2e3 \n.5,7.\n'), { n: 2, dim: 2, first: [1.5, -2000, 0.5, 7] });

  // scikit-learn's bundled layout.
  const skl = (f: string): string => (existsSync(path.join(SKLEARN, f)) ? readFileSync(path.join(SKLEARN, f), 'utf8') : '');
  const irisSk = skl('iris.csv') || `6,4,setosa,versicolor,virginica\n${IRIS_ROWS.map((r) => r.replace('setosa', '0').replace('versicolor', '1').replace('virginica', '2')).join('\n')}\n`;
  const nIris = Number(irisSk.split(',')[0]);
  add('scikit-learn iris.csv layout', put('sk_iris.csv', irisSk), { n: nIris, dim: 4, first: [5.1, 3.5, 1.4, 0.2] });
  for (const [f, n, d, first] of [['wine_data.csv', 178, 13, 'class_0'], ['breast_cancer.csv', 569, 30, 'malignant']] as const) {
    const text = skl(f);
    if (text) add(`scikit-learn's own ${f}`, put(`sk_${f}`, text), { n, dim: d, labels: [first] });
  }
  add('headerless table with a class-like integer column: kept, with a warning', put('int_last.csv', `${Array.from({ length: 30 }, (_, i) => `${(i * 0.37).toFixed(2)},${(i * 1.1).toFixed(1)},${i % 3}`).join('\n')}\n`), { n: 30, dim: 3, warning: /column 2 \(f2\) holds 3 small whole numbers, like a class label/ });
  add('scikit-learn wine layout (size line shorter than rows)', put('sk_wine.csv', '3,4,class_0,class_1,class_2\n1,2,3,4,0\n5,6,7,8,2\n9,10,11,12,1\n'), { n: 3, dim: 4, labels: ['class_0', 'class_2', 'class_1'] });
  add('scikit-learn layout with a header after the size line', put('sk_boston.csv', '2,3,,,\n"A","B","C","MEDV"\n1,2,3,24\n4,5,6,21.6\n'), { n: 2, dim: 3, labels: ['24', '21.6'] });
  add('scikit-learn size line that disagrees with the rows', put('sk_short.csv', '5,2,a,b\n1,2,0\n3,4,1\n'), { n: 2, dim: 2, labels: ['a', 'b'], warning: /says 5 samples, the file has 2/ });

  // Delimited text that must fail, naming the place.
  add('empty file', put('empty.csv', ''), { error: /file is empty/ });
  add('whitespace only', put('blank.csv', '\n  \n\n'), { error: /empty|no data rows/ });
  add('header only', put('header_only.csv', 'a,b,c\n'), { error: /no data rows/ });
  add('text only', put('text_only.csv', 'name,city\nann,paris\nbob,rome\n'), { error: /no numeric columns/ });
  add('ragged row', put('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n'), { error: /row 3: has 2 fields, expected 3 \(ragged row\)/ });
  add('unterminated quote at the end', put('open_quote.csv', 'a,b\n1,2\n3,"4\n5,6\n'), { error: /row 3: unterminated quoted field/ });
  add('unterminated quote that merges lines', put('merge_quote.csv', 'a,b,c\n1,"2,3\n4,5,6\n7,"8,9\n10,11,12\n'), { error: /row 2.*quoted field runs from line 2 over 3 lines/ });
  add('missing value', put('missing.csv', 'a,b\n1,2\n3,\n'), { error: /row 3, column "b": missing value/ });
  add('NA strings', put('na.csv', 'a,b\n1,NA\n3,4\n'), { error: /row 2, column "b": missing value/ });
  add('float overflow in float32', put('overflow.csv', 'a,b\n1,2\n1e308,4\n'), { error: /row 3, column "a": 1e308 is outside the float32 range/ });
  add('infinity', put('inf.csv', 'a,b\n1,inf\n2,3\n'), { error: /row 2, column "b": inf is not a finite number/ });
  add('hex literal is not a number', put('hex.csv', 'a,b\n1,2\n0x10,3\n4,5\n'), { error: /row 3, column "a": "0x10" is not a number/ });
  add('decimal commas with semicolons (a European export) load', put('decimal_comma.csv', 'a;b\n1,5;2\n3,25;-4,5e2\n'), { n: 2, dim: 2, first: [1.5, 2, 3.25, -450], warning: /decimal comma/ });
  add('decimal commas in a comma-separated file are an error with a hint', put('comma_comma.csv', 'a,b\n"1,5",2\n"3,25",4\n'), { error: /"1,5" is not a number \(a decimal comma/ });
  add('unknown label column', 'iris.csv', { error: /label column "nope" not found/ }, { labelColumn: 'nope' });
  add('image shape that does not fit', 'pixels.csv', { error: /image shape 5x5x1 needs 25 feature columns, the table has 64/ }, { imageShape: [5, 5, 1] });
  add('corrupt gzip', put('broken.csv.gz', gzipSync(IRIS).subarray(0, 40)), { error: /gzip|unexpected end/i });

  // Files that are not what their name says.
  const xlsx = zip({ '[Content_Types].xml': Buffer.from('<Types/>'), 'xl/workbook.xml': Buffer.from('<workbook/>') });
  add('Excel workbook renamed .csv', put('sheet.csv', xlsx), { error: /Excel workbook \(\.xlsx\)/ });
  add('Excel workbook named .xlsx', put('sheet.xlsx', xlsx), { error: /Excel workbook/ });
  add('Excel workbook renamed .npz', put('sheet.npz', xlsx), { error: /Excel workbook/ });
  add('old .xls renamed .csv', put('old.csv', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)])), { error: /\.xls/ });
  add('binary junk renamed .csv', put('junk.csv', Buffer.from(Array.from({ length: 600 }, (_, k) => (k * 37) % 256))), { error: /binary data/ });
  add('PNG renamed .csv', put('image.csv', png(2, 2, 9)), { error: /PNG image/ });
  add('PDF renamed .csv', put('doc.csv', Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n', 'latin1')), { error: /PDF document/ });
  add('NPY renamed .csv loads, with a warning', put('array.csv', Buffer.from(encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]))), { n: 3, dim: 2, first: [1, 2], warning: /holds NPY data/ });
  add('a folder named x.csv', (mkdirSync(path.join(dir, 'folder.csv'), { recursive: true }), 'folder.csv'), { error: /is a folder \(named like a \.csv file\)/ });

  // JSON and JSON Lines.
  const objs = IRIS_ROWS.map((r) => r.split(',')).map(([a, b, c, d, s]) => ({ sepal_length: +a, sepal_width: +b, petal_length: +c, petal_width: +d, species: s }));
  add('JSON array of objects', put('iris.json', JSON.stringify(objs, null, 2)), iris);
  add('JSON error in record 3 of a one-line file', put('oneline_bad.json', JSON.stringify(objs).replace('"sepal_length":7', '"sepal_length":7,,')), { error: /record 3 \(line 1, column \d+\)/ });
  add('JSON truncated', put('truncated.json', JSON.stringify(objs).slice(0, 100)), { error: /unexpected end|Unterminated|Expected/i });
  add('JSON {X, y}', put('xy.json', JSON.stringify({ X: [[1, 2], [3, 4], [5, 6]], y: ['a', 'b', 'a'] })), { n: 3, dim: 2, labels: ['a', 'b', 'a'] });
  add('JSON nested 2D records are images', put('images.json', JSON.stringify([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])), { n: 2, dim: 4, kind: 'image' });
  add('JSON ragged arrays', put('ragged.json', JSON.stringify([[1, 2], [3]])), { error: /record 2.*ragged/ });
  add('JSON overflow', put('overflow.json', '[[1, 2], [1e300, 4]]'), { error: /record 2.*float32 range/ });
  add('JSON a bare number', put('scalar.json', '42'), { error: /expected an array/ });
  add('JSON Lines objects', put('iris.jsonl', `${objs.map((o) => JSON.stringify(o)).join('\n')}\n`), iris);
  add('JSON Lines bad line', put('bad.jsonl', '{"a":1}\n{"a":}\n'), { error: /row 2: record 2: invalid JSON/ });
  add('JSON Lines with blank lines and CRLF', put('crlf.jsonl', '{"a":1,"b":2}\r\n\r\n{"a":3,"b":4}\r\n'), { n: 2, dim: 2, first: [1, 2, 3, 4] });

  // NumPy.
  const half = Buffer.alloc(8);
  [0x3c00, 0xc000, 0x3800, 0x7bff].forEach((h, k) => half.writeUInt16LE(h, 2 * k));
  add('NPY float16', put('half.npy', npyWithDescr('<f2', [2, 2], half)), { n: 2, dim: 2, first: [1, -2, 0.5, 65504] });
  const i2 = Buffer.alloc(8);
  [-3, 7, 100, -32768].forEach((v, k) => i2.writeInt16LE(v, 2 * k));
  add('NPY int16', put('i2.npy', npyWithDescr('<i2', [4], i2)), { n: 4, dim: 1, first: [-3, 7, 100, -32768] });
  const u8 = Buffer.alloc(16);
  u8.writeBigUInt64LE(5n, 0);
  u8.writeBigUInt64LE(9n, 8);
  add('NPY uint64', put('u8.npy', npyWithDescr('<u8', [2, 1], u8)), { n: 2, dim: 1, first: [5, 9] });
  const big = Buffer.alloc(16);
  big.writeDoubleLE(1, 0);
  big.writeDoubleLE(1e300, 8);
  add('NPY float64 beyond float32', put('big.npy', npyWithDescr('<f8', [2], big)), { error: /outside the float32 range/ });
  add('NPY object dtype', put('object.npy', npyWithDescr('|O', [2], Buffer.alloc(16))), { error: /unsupported NPY dtype/ });
  add('NPY truncated data', put('short.npy', npyWithDescr('<f4', [10, 2], Buffer.alloc(12))), { error: /truncated NPY data/ });
  add('text named .npy', put('text.npy', '1,2\n3,4\n'), { error: /not an NPY file/ });
  add('NPZ with x, y and an unused array', put('data.npz', zip({ 'x.npy': Buffer.from(encodeNpy(Float32Array.from([1, 2, 3, 4]), [2, 2])), 'y.npy': npyWithDescr('<i4', [2], Buffer.from([1, 0, 0, 0, 2, 0, 0, 0])), 'extra.npy': Buffer.from(encodeNpy(Float32Array.from([0]), [1, 1])) })), { n: 2, dim: 2, labels: ['1', '2'], warning: /NPZ arrays not used: extra/ });

  // IDX.
  add('IDX whose payload is larger than its header says', put('more-images-idx3-ubyte', idx([2, 2, 2], Buffer.alloc(12))), { error: /header and data disagree/ });
  add('IDX truncated', put('less-images-idx3-ubyte', idx([3, 2, 2], Buffer.alloc(8))), { error: /truncated IDX data/ });
  add('IDX images', put('ok-images-idx3-ubyte', idx([2, 2, 2], Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]))), { n: 2, dim: 4, kind: 'image', first: [0, 1, 2, 3] });

  // Image folders.
  put('imgs_ok/a/1.png', png(3, 2, 100));
  put('imgs_ok/b/2.png', png(3, 2, 200));
  put('imgs_ok/notes.txt', 'not an image');
  add('image folder with labels and a stray file', 'imgs_ok', { n: 2, dim: 6, kind: 'image', labels: ['a', 'b'], warning: /skipped 1 non-image file/ });
  put('imgs_corrupt/good.png', png(2, 2, 1));
  put('imgs_corrupt/zbad.png', png(2, 2, 1).subarray(0, 40));
  add('corrupt PNG', 'imgs_corrupt', { error: /zbad\.png: corrupt PNG image/ });
  put('imgs_mixed/a.png', png(4, 4, 10));
  put('imgs_mixed/b.png', png(2, 2, 10));
  add('mixed image sizes name the CLI option', 'imgs_mixed', { error: /--image-size 4x4/ });
  add('mixed image sizes with a size', 'imgs_mixed', { n: 2, dim: 9, kind: 'image' }, { imageSize: [3, 3] });
  mkdirSync(path.join(dir, 'imgs_empty'), { recursive: true });
  add('empty folder', 'imgs_empty', { error: /no \.png\/\.jpg\/\.jpeg images/ });

  // Columnar formats.
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const pq = parquetWriteBuffer({ columnData: [{ name: 'a', data: [1.5, 2.5, 3.5], type: 'DOUBLE' }, { name: 'b', data: [1, 2, 3], type: 'INT32' }, { name: 'label', data: ['x', 'y', 'x'], type: 'STRING' }] });
  add('Parquet', put('table.parquet', Buffer.from(pq)), { n: 3, dim: 2, labels: ['x', 'y', 'x'], first: [1.5, 1], format: 'parquet' });
  add('Parquet with INT64', put('int64.parquet', Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'v', data: [1n, 2n], type: 'INT64' }] }))), { n: 2, dim: 1, first: [1, 2] });
  add('corrupt Parquet', put('broken.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20), Buffer.from('PAR1')])), { error: /cannot read Parquet/ });
  const arrow = await import('apache-arrow');
  const t = arrow.tableFromArrays({ x: Float32Array.from([1, 2, 3]), y: Float64Array.from([4, 5, 6]), species: ['a', 'b', 'a'] });
  add('Arrow IPC file', put('table.arrow', Buffer.from(arrow.tableToIPC(t, 'file'))), { n: 3, dim: 2, labels: ['a', 'b', 'a'], first: [1, 4], format: 'arrow' });
  add('Arrow IPC stream', put('table.arrows', Buffer.from(arrow.tableToIPC(t, 'stream'))), { n: 3, dim: 2, format: 'arrow' });
  const withNull = arrow.tableFromJSON([{ x: 1, y: 2 }, { x: null, y: 3 }]);
  add('Arrow null in a feature', put('nulls.arrow', Buffer.from(arrow.tableToIPC(withNull, 'file'))), { error: /column "x": record 2: missing value/ });
  return cases;
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node --import tsx test/corpus/make.ts DIR\n');
    process.exit(2);
  }
  void makeCorpus(out).then((c) => process.stdout.write(`${c.length} cases in ${out}\n`));
}
