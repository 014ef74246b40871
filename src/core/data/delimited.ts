/**
 * Delimited text (CSV, TSV, .txt, any of them gzip): streamed in chunks through `DelimitedParser` straight into a
 * `TableSink`, so the file is never one string and the rows are never an array of arrays. The layout (delimiter,
 * skipped rows, header) comes from `sniffLayout` on the first 64 KiB; column roles from `planColumns` on the first
 * `PREVIEW_ROWS` records.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Delimiter } from './csvParser';
import { DelimitedParser, parseAll } from './csvParser';
import type { RecordView } from './csvParser';
import type { Dataset, LoadOptions } from './dataset';
import { DatasetError } from './dataset';
import { columnStats, commaToPoint, DECIMAL_COMMA, planColumns } from './columns';
import type { ColumnPlan } from './columns';
import { datasetName, rowLimit } from './fileUtil';
import { cleanHeader, sniffLayout } from './sniff';
import type { TableLayout } from './sniff';
import { TableSink } from './tableSink';
import type { TextSource } from './textSource';
import { openText } from './textSource';

export { detectHeader, sniffDelimiter } from './sniff';
export type { Delimiter } from './csvParser';

/** Records read before the column roles are decided. */
export const PREVIEW_ROWS = 1000;

/** One parsed record and the 1-based line it starts on. */
export interface TextRecord {
  fields: string[];
  line: number;
}

/** Parses a whole string: at most `limit` non-blank records. Throws DatasetError for an unterminated quote. */
export function parseDelimited(text: string, delimiter: Delimiter, file: string, limit = Infinity): TextRecord[] {
  return parseAll(text, delimiter, file, limit).map(({ fields, line }) => ({ fields, line }));
}

/** Everything decided about a delimited file before its rows are read (what `inspect` shows). */
export interface DelimitedPlan {
  source: TextSource;
  layout: TableLayout;
  header: string[];
  plan: ColumnPlan;
  /** 1-based line of the header row (when there is one). */
  headerLine?: number;
  /** Numbers are written `1,5`. */
  decimalComma: boolean;
  /** The first records after the header (at most PREVIEW_ROWS), with their lines. */
  preview: { fields: string[]; line: number; span: number }[];
  warnings: string[];
}

function extOf(file: string): string {
  return path.extname(file.replace(/\.gz$/i, '')).toLowerCase();
}

/** Characters of text the file decodes to, estimated from its size (gzip: the size recorded in its trailer). */
async function estimateChars(source: TextSource): Promise<number> {
  let bytes = source.info.fileBytes;
  if (source.info.gzip) {
    const fh = await fsp.open(source.file, 'r');
    try {
      const b = Buffer.alloc(4);
      await fh.read(b, 0, 4, Math.max(0, bytes - 4));
      let isize = b.readUInt32LE(0);
      // The trailer holds the size modulo 2^32: add wraps until it is at least the compressed size.
      while (isize < bytes) isize += 2 ** 32;
      bytes = isize;
    } finally {
      await fh.close();
    }
  }
  return source.info.encoding.startsWith('utf-16') ? bytes / 2 : bytes;
}

/** The records of the whole file, after the `skip` leading ones, in chunks, to `onRecord` until it returns false. */
async function streamRecords(source: TextSource, delimiter: Delimiter, opts: LoadOptions, onRecord: (record: RecordView, line: number, span: number) => boolean): Promise<void> {
  const parser = new DelimitedParser(delimiter, source.file, onRecord);
  const progress = opts.onProgress;
  for await (const chunk of source.chunks(progress ? (read, total): void => progress(read, total) : undefined)) {
    parser.push(chunk);
    if (parser.done) return;
  }
  parser.end();
}

/** Some column holds decimal-comma numbers and nothing but them, whole numbers or blanks: a European export. */
function usesDecimalComma(rows: string[][], width: number): boolean {
  for (let j = 0; j < width; j++) {
    let commas = 0;
    let ok = true;
    for (const r of rows) {
      const c = r[j].trim();
      if (DECIMAL_COMMA.test(c)) commas++;
      else if (c !== '' && !/^[+-]?\d+$/.test(c)) {
        ok = false;
        break;
      }
    }
    if (ok && commas > 0) return true;
  }
  return false;
}

/** Lines the layout sniffer wants to see; a wide table's first 64 KiB may not hold them. */
const SNIFF_LINES = 8;
const SNIFF_MAX_CHARS = 16 * 1024 * 1024;

/** The text to sniff: the head, or for very long lines, more of the file (up to SNIFF_LINES lines or 16 MiB). */
async function sniffSample(source: TextSource): Promise<{ head: string; complete: boolean }> {
  const lines = (t: string): number => t.split('\n', SNIFF_LINES + 1).length - 1;
  if (source.headComplete || lines(source.head) >= SNIFF_LINES) return { head: source.head, complete: source.headComplete };
  const parts: string[] = [];
  let size = 0;
  let newlines = 0;
  for await (const c of source.chunks()) {
    parts.push(c);
    size += c.length;
    for (let k = c.indexOf('\n'); k >= 0 && newlines <= SNIFF_LINES; k = c.indexOf('\n', k + 1)) newlines++;
    if (newlines > SNIFF_LINES || size >= SNIFF_MAX_CHARS) return { head: parts.join(''), complete: false };
  }
  return { head: parts.join(''), complete: true };
}

/** Opens a delimited file and decides its layout and column roles from its first rows (reads at most PREVIEW_ROWS). */
export async function planDelimited(file: string, opts: LoadOptions = {}): Promise<DelimitedPlan> {
  const source = await openText(file, 'CSV/TSV text', opts.encoding);
  if (source.head.trim() === '') throw new DatasetError('file is empty', file);
  const { head, complete } = await sniffSample(source);
  const { layout } = sniffLayout(head, extOf(file), file, complete, { delimiter: opts.delimiter, hasHeader: opts.hasHeader, skipRows: opts.skipRows });
  let skip = layout.skipRows;
  let headerFields: string[] | undefined;
  let headerLine: number | undefined;
  const preview: DelimitedPlan['preview'] = [];
  await streamRecords(source, layout.delimiter, {}, (rec, line, span) => {
    const fields = rec.fields();
    if (skip > 0) {
      skip--;
      return true;
    }
    if (layout.hasHeader && headerFields === undefined) {
      headerFields = fields;
      headerLine = line;
      return true;
    }
    preview.push({ fields, line, span });
    return preview.length < PREVIEW_ROWS;
  });
  const plan = finishPlan(source, layout, headerFields, preview, opts);
  if (headerLine !== undefined) plan.headerLine = headerLine;
  return plan;
}

function finishPlan(source: TextSource, layout: TableLayout, headerFields: string[] | undefined, preview: DelimitedPlan['preview'], opts: LoadOptions): DelimitedPlan {
  const file = source.file;
  const warnings = [...source.warnings];
  if (preview.length === 0) throw new DatasetError(layout.hasHeader ? 'has a header but no data rows' : 'no data rows', file);
  const width = preview[0].fields.length;
  let header: string[];
  if (headerFields !== undefined) {
    let fields = headerFields;
    if (fields.length === width - 1) {
      // R's write.csv: the row-name column has no header.
      fields = ['', ...fields];
      warnings.push('the header has one name fewer than the rows: the first column is taken as unnamed row names');
    } else if (fields.length !== width) {
      throw new DatasetError(`the header has ${fields.length} fields but the first data row (line ${preview[0].line}) has ${width}; pick the delimiter (now ${JSON.stringify(layout.delimiter)}) or the header row`, file);
    }
    const clean = cleanHeader(fields);
    header = clean.names;
    warnings.push(...clean.warnings);
  } else {
    // scikit-learn's layout names no columns; its last one is what sklearn calls the target.
    header = Array.from({ length: width }, (_, j) => (layout.sklearn && j === width - 1 ? 'target' : `f${j}`));
  }
  if (layout.sklearn) {
    const sk = layout.sklearn;
    if (width !== sk.features + 1) throw new DatasetError(`scikit-learn size line says ${sk.features} features, but the rows have ${width} fields (expected ${sk.features + 1})`, file);
  }
  // Rows of the wrong width inside the preview are reported by the sink with their line.
  let rows = preview.filter((r) => r.fields.length === width).map((r) => r.fields);
  const decimalComma = opts.decimalComma ?? (layout.delimiter !== ',' && usesDecimalComma(rows, width));
  if (decimalComma) {
    rows = rows.map((r) => r.map(commaToPoint));
    if (opts.decimalComma === undefined) warnings.push('numbers are written with a decimal comma (1,5 = 1.5) and read so');
  }
  const stats = columnStats(rows, width);
  const plan = planColumns(header, stats, opts, file, headerFields !== undefined, layout.sklearn ? width - 1 : undefined);
  return { source, layout, header, plan, preview, warnings, decimalComma };
}

/** Loads a CSV / TSV / delimited .txt file (plain or gzip), streaming. */
export async function loadDelimited(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const p = await planDelimited(file, opts);
  const { layout, header, plan, source } = p;
  const limit = rowLimit(opts.maxRows);
  const headChars = p.preview.reduce((a, r) => a + r.fields.reduce((b, f) => b + f.length + 1, 0), 0);
  const total = await estimateChars(source);
  const capacity = Math.ceil((total / Math.max(1, headChars / p.preview.length)) * 1.02) + 64;
  const sk = layout.sklearn;
  const labelText = sk && sk.classNames.length > 0 ? (raw: string): string => sk.classNames[Number(raw)] ?? raw : undefined;
  const sink = new TableSink({ file, name: datasetName(file), format: extOf(file) === '.tsv' || extOf(file) === '.tab' ? 'tsv' : 'csv', header, plan, capacity, limit, labelText, withLines: true, decimalComma: p.decimalComma });
  let skip = layout.skipRows + (layout.hasHeader ? 1 : 0);
  await streamRecords(source, layout.delimiter, opts, (rec, line, span) => {
    if (skip > 0) {
      skip--;
      return true;
    }
    sink.addView(rec, line, span);
    return !sink.full;
  });
  const warnings = [...p.warnings];
  if (sk && limit === Infinity && sink.n !== sk.samples) warnings.push(`the scikit-learn size line says ${sk.samples} samples, the file has ${sink.n}`);
  return sink.finish(warnings);
}
