/**
 * Delimited text (CSV, TSV, .txt): an RFC 4180 parser (quoted fields, `""` escapes, delimiters and newlines inside
 * quotes, CRLF or LF), delimiter sniffing, header detection, then `buildTable`. One linear pass over the text.
 */
import * as path from 'node:path';
import type { Dataset, LoadOptions } from './dataset';
import { DatasetError } from './dataset';
import { datasetName, readText, rowLimit } from './fileUtil';
import { buildTable, parseCell } from './table';

/** One parsed record and the 1-based line it starts on. */
export interface TextRecord {
  fields: string[];
  line: number;
}

/** `'whitespace'` splits on runs of spaces/tabs (numpy `savetxt` style) and knows no quoting. */
export type Delimiter = string | 'whitespace';

const QUOTE = 34;
const LF = 10;
const CR = 13;

function countNewlines(s: string): number {
  let c = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) c++;
  return c;
}

/**
 * Parses at most `limit` non-blank records. Throws DatasetError for an unterminated quote (naming the line it opened).
 */
export function parseDelimited(text: string, delimiter: Delimiter, file: string, limit = Infinity): TextRecord[] {
  const out: TextRecord[] = [];
  if (delimiter === 'whitespace') {
    const lines = text.split(/\r?\n|\r/);
    for (let k = 0; k < lines.length && out.length < limit; k++) {
      const s = lines[k].trim();
      if (s !== '') out.push({ fields: s.split(/\s+/), line: k + 1 });
    }
    return out;
  }
  if (delimiter.length !== 1) throw new DatasetError(`delimiter must be one character, got ${JSON.stringify(delimiter)}`, file);
  const d = delimiter.charCodeAt(0);
  const len = text.length;
  let i = 0;
  let line = 1;
  const isEnd = (c: number): boolean => c === d || c === LF || c === CR;
  while (i < len && out.length < limit) {
    const recLine = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        const openLine = line;
        let buf = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new DatasetError('unterminated quoted field', file, openLine);
          const chunk = text.slice(j, q);
          buf += chunk;
          line += countNewlines(chunk);
          if (text.charCodeAt(q + 1) === QUOTE) {
            buf += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Lenient: text between the closing quote and the delimiter is kept.
        let k = i;
        while (k < len && !isEnd(text.charCodeAt(k))) k++;
        value = buf + text.slice(i, k);
        i = k;
      } else {
        let k = i;
        while (k < len && !isEnd(text.charCodeAt(k))) k++;
        value = text.slice(i, k);
        i = k;
      }
      fields.push(value);
      if (i < len && text.charCodeAt(i) === d) {
        i++;
        continue;
      }
      if (i < len) {
        if (text.charCodeAt(i) === CR) i++;
        if (i < len && text.charCodeAt(i) === LF) i++;
        line++;
      }
      break;
    }
    if (fields.length === 1 && fields[0].trim() === '') continue; // blank line
    out.push({ fields, line: recLine });
  }
  return out;
}

/**
 * Picks the delimiter from the first lines: the candidate (`,` tab `;` `|`) that appears the same, non-zero number of
 * times on every line (quoted text removed first), most frequent first; else whitespace when lines hold spaces.
 */
export function sniffDelimiter(text: string): Delimiter {
  const lines = text
    .slice(0, 64 * 1024)
    .split(/\r?\n|\r/)
    .filter((l) => l.trim() !== '')
    .slice(0, 20)
    .map((l) => l.replace(/"(?:[^"]|"")*"/g, '""'));
  if (lines.length > 1) lines.pop(); // the last sampled line may be cut short
  if (lines.length === 0) return ',';
  let best: string | undefined;
  let bestCount = 0;
  for (const cand of [',', '\t', ';', '|']) {
    const counts = lines.map((l) => l.split(cand).length - 1);
    if (counts[0] > 0 && counts.every((c) => c === counts[0]) && counts[0] > bestCount) {
      best = cand;
      bestCount = counts[0];
    }
  }
  if (best !== undefined) return best;
  if (lines.every((l) => /\S\s+\S/.test(l.trim()))) return 'whitespace';
  return ',';
}

/**
 * A header is present when some column holds text in the first record but numbers (or blanks) in the records below;
 * a lone record of text is a header too.
 */
export function detectHeader(records: TextRecord[]): boolean {
  if (records.length === 0) return false;
  const first = records[0].fields;
  if (records.length === 1) return first.every((f) => typeof parseCell(f) !== 'number');
  const sample = records.slice(1, 21);
  for (let j = 0; j < first.length; j++) {
    if (typeof parseCell(first[j]) !== 'string') continue;
    let nums = 0;
    let ok = true;
    for (const r of sample) {
      const v = j < r.fields.length ? parseCell(r.fields[j]) : null;
      if (typeof v === 'string') {
        ok = false;
        break;
      }
      if (typeof v === 'number') nums++;
    }
    if (ok && nums > 0) return true;
  }
  return false;
}

/** Loads a CSV / TSV / delimited .txt file. */
export async function loadDelimited(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const text = await readText(file);
  if (text.trim() === '') throw new DatasetError('file is empty', file);
  const ext = path.extname(file.replace(/\.gz$/i, '')).toLowerCase();
  const delimiter: Delimiter = opts.delimiter !== undefined && opts.delimiter !== '' ? (opts.delimiter === ' ' ? 'whitespace' : opts.delimiter) : ext === '.tsv' || ext === '.tab' ? '\t' : sniffDelimiter(text);
  const limit = rowLimit(opts.maxRows);
  // Parse one extra record for a possible header.
  const records = parseDelimited(text, delimiter, file, limit === Infinity ? Infinity : limit + 1);
  const hasHeader = opts.hasHeader ?? detectHeader(records);
  const body = hasHeader ? records.slice(1) : records;
  if (body.length > limit) body.length = limit;
  const width = hasHeader ? records[0].fields.length : (body[0]?.fields.length ?? 0);
  const header = hasHeader ? records[0].fields.map((h, j) => h.trim() || `f${j}`) : Array.from({ length: width }, (_, j) => `f${j}`);
  for (const r of body) {
    if (r.fields.length !== width) throw new DatasetError(`has ${r.fields.length} fields, expected ${width} (ragged row)`, file, r.line);
  }
  return buildTable(
    {
      file,
      name: datasetName(file),
      format: ext === '.tsv' || ext === '.tab' ? 'tsv' : 'csv',
      header,
      rows: body.map((r) => r.fields),
      lines: body.map((r) => r.line),
    },
    opts,
  );
}
