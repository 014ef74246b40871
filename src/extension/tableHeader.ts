/**
 * Reads the header row of a CSV/TSV so the training form can offer a label column. Only the first 64 KiB are read.
 * VS Code-free (unit-testable).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';

const HEAD_BYTES = 64 * 1024;

/** Is this path a delimited text table (the only files with a header to pick a label column from)? */
export function isTableFile(path: string): boolean {
  return /\.(csv|tsv)$/i.test(path);
}

/** Delimiter: tab for .tsv, else the most frequent of `,` `;` `\t` in the first line. */
export function sniffDelimiter(path: string, firstLine: string): string {
  if (extname(path).toLowerCase() === '.tsv') return '\t';
  let best = ',';
  let bestCount = -1;
  for (const d of [',', ';', '\t']) {
    const c = firstLine.split(d).length - 1;
    if (c > bestCount) { best = d; bestCount = c; }
  }
  return best;
}

/** Splits one line on `delim`, honouring double quotes ("a,b" and "" escapes). */
export function splitLine(line: string, delim: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) { cells.push(cur.trim()); cur = ''; }
    else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

/**
 * Column names from the first line of a CSV/TSV, or undefined when the file has no header (every cell numeric) or
 * cannot be read.
 */
export function readTableHeader(path: string): string[] | undefined {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
      text = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '');
  if (firstLine === undefined) return undefined;
  const cells = splitLine(firstLine, sniffDelimiter(path, firstLine));
  const numeric = (s: string): boolean => s !== '' && Number.isFinite(Number(s));
  if (cells.every(numeric)) return undefined;
  return cells;
}
