/**
 * The header row of a CSV/TSV for VS Code features that need only the column names. Reads the first 64 KiB and asks
 * the data layer's layout sniffer (`sniffLayout`), so the names, the delimiter and "is there a header at all" are
 * exactly what the loader will decide. VS Code-free (unit-testable).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { parseAll } from '../core/data/csvParser';
import { cleanHeader, sniffLayout } from '../core/data/sniff';
import { sniffEncoding } from '../core/data/magic';

const HEAD_BYTES = 64 * 1024;

/** Is this path a delimited text table (the only files with a header to pick a label column from)? */
export function isTableFile(path: string): boolean {
  return /\.(csv|tsv|txt)(\.gz)?$/i.test(path);
}

/** Splits one line on `delim` with the loader's parser (quotes, `""` escapes); cells trimmed. */
export function splitLine(line: string, delim: string): string[] {
  return (parseAll(line, delim, 'line', 1)[0]?.fields ?? ['']).map((c) => c.trim());
}

/** Column names of a CSV/TSV, or undefined when the file has no header row or cannot be read. */
export function readTableHeader(path: string): string[] | undefined {
  let head: Buffer;
  let complete: boolean;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
      head = buf.subarray(0, n);
      complete = n < HEAD_BYTES;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const { encoding, bomBytes } = sniffEncoding(head);
  const text = new TextDecoder(encoding).decode(head.subarray(bomBytes));
  try {
    const { layout, records } = sniffLayout(text, extname(path).toLowerCase(), path, complete);
    if (!layout.hasHeader || records.length === 0) return undefined;
    return cleanHeader(records[0].fields).names;
  } catch {
    return undefined;
  }
}
