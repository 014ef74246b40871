/**
 * What a file really is, from its first bytes: the binary formats we load (NPY, NPZ, IDX, Parquet, Arrow IPC), the
 * ones people rename by mistake (Excel workbooks, images, PDFs, other archives), and text encodings (UTF-8, UTF-16 with
 * or without a byte-order mark). Decisions use the content, never the name alone, so a `.csv` that is really an
 * `.xlsx` says so instead of failing on a "ragged row".
 */

/** A binary format one of the loaders reads. */
export type BinaryFormat = 'npy' | 'npz' | 'idx' | 'parquet' | 'arrow';

/** Text encodings the delimited and JSON loaders decode. */
export type { TextEncoding } from './dataset';
import type { TextEncoding } from './dataset';

function startsWith(buf: Uint8Array, bytes: number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  for (let k = 0; k < bytes.length; k++) if (buf[at + k] !== bytes[k]) return false;
  return true;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  if (start >= buf.length) return '';
  return Buffer.from(buf.buffer, buf.byteOffset + start, Math.max(0, Math.min(end, buf.length) - start)).toString('latin1');
}

export function isZip(buf: Uint8Array): boolean {
  return startsWith(buf, [0x50, 0x4b, 3, 4]) || startsWith(buf, [0x50, 0x4b, 5, 6]);
}

/** The loadable binary format the bytes start with, if any. */
export function binaryFormatOf(buf: Uint8Array): BinaryFormat | undefined {
  if (startsWith(buf, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  if (startsWith(buf, [0x50, 0x41, 0x52, 0x31])) return 'parquet'; // PAR1
  if (startsWith(buf, [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31])) return 'arrow'; // ARROW1 (IPC file)
  if (startsWith(buf, [0xff, 0xff, 0xff, 0xff]) && buf.length >= 8) return 'arrow'; // IPC stream: continuation marker
  if (isZip(buf) && officeKind(buf) === undefined) return 'npz';
  if (buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e].includes(buf[2]) && buf[3] > 0 && buf[3] <= 8) return 'idx';
  return undefined;
}

/** An Office Open XML package (a zip whose first member names give it away), else undefined. */
export function officeKind(buf: Uint8Array): string | undefined {
  if (!isZip(buf)) return undefined;
  const head = ascii(buf, 0, 64 * 1024);
  if (/xl\/|\[Content_Types\]\.xml[\s\S]*xl\//.test(head) || head.includes('xl/workbook')) return 'an Excel workbook (.xlsx)';
  if (head.includes('word/')) return 'a Word document (.docx)';
  if (head.includes('ppt/')) return 'a PowerPoint file (.pptx)';
  if (head.includes('mimetypeapplication/vnd.oasis.opendocument.spreadsheet')) return 'an OpenDocument spreadsheet (.ods)';
  if (head.includes('[Content_Types].xml')) return 'an Office document';
  return undefined;
}

/**
 * A human name for content that no loader reads as a table (a spreadsheet, an image, a PDF, an archive), or
 * undefined when the bytes could be text or a loadable binary format.
 */
export function foreignKind(buf: Uint8Array): string | undefined {
  const office = officeKind(buf);
  if (office !== undefined) return office;
  if (startsWith(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'an old-style Excel/Office file (.xls)';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47])) return 'a PNG image';
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'a JPEG image';
  if (startsWith(buf, [0x47, 0x49, 0x46, 0x38])) return 'a GIF image';
  if (startsWith(buf, [0x25, 0x50, 0x44, 0x46])) return 'a PDF document';
  if (startsWith(buf, [0x42, 0x5a, 0x68])) return 'a bzip2 archive';
  if (startsWith(buf, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'an xz archive';
  if (startsWith(buf, [0x28, 0xb5, 0x2f, 0xfd])) return 'a zstd archive';
  if (startsWith(buf, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'a 7-zip archive';
  if (startsWith(buf, [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66])) return 'an SQLite database';
  if (startsWith(buf, [0x89, 0x48, 0x44, 0x46])) return 'an HDF5 file';
  if (ascii(buf, 257, 262) === 'ustar') return 'a tar archive';
  return undefined;
}

/** The text encoding of the first bytes and how many BOM bytes to skip. */
export function sniffEncoding(head: Uint8Array): { encoding: TextEncoding; bomBytes: number } {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomBytes: 3 };
  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bomBytes: 2 };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bomBytes: 2 };
  // UTF-16 without a BOM: ASCII text shows a zero byte in every other position.
  const m = Math.min(head.length, 4096) & ~1;
  if (m >= 4) {
    let evenZero = 0;
    let oddZero = 0;
    for (let k = 0; k < m; k += 2) {
      if (head[k] === 0) evenZero++;
      if (head[k + 1] === 0) oddZero++;
    }
    const pairs = m / 2;
    if (oddZero > 0.4 * pairs && evenZero < 0.05 * pairs) return { encoding: 'utf-16le', bomBytes: 0 };
    if (evenZero > 0.4 * pairs && oddZero < 0.05 * pairs) return { encoding: 'utf-16be', bomBytes: 0 };
  }
  try {
    // `stream: true` lets the sample end inside a multi-byte character.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { encoding: 'utf-8', bomBytes: 0 };
  } catch {
    return { encoding: 'windows-1252', bomBytes: 0 };
  }
}

/** Offset of the first NUL byte in `buf` (binary content in a file that should be text), or -1. */
export function firstNul(buf: Uint8Array, limit = buf.length): number {
  const end = Math.min(limit, buf.length);
  for (let k = 0; k < end; k++) if (buf[k] === 0) return k;
  return -1;
}
