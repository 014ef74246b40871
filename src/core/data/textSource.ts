/**
 * Streams a text file (plain or gzip, found by its magic bytes) as decoded string chunks, so a file far larger than
 * one JS string (V8 caps strings near 512 MiB) can be parsed. The first bytes decide the encoding (UTF-8, UTF-16 with
 * or without BOM, else Windows-1252) and reject content that is not text at all, naming what it is (an Excel
 * workbook, a PNG, ...) rather than failing later on a "ragged row".
 */
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { DatasetError } from './dataset';
import { fsError, isGzip, readHeadBytes } from './fileUtil';
import type { TextEncoding } from './magic';
import { binaryFormatOf, firstNul, foreignKind, sniffEncoding } from './magic';

/** Bytes read from disk per chunk (before inflating): small enough that each chunk's string dies young in V8's nursery. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Bytes of decoded text the sniffers look at. */
export const HEAD_BYTES = 64 * 1024;

/** How a text file is stored. */
export interface TextInfo {
  encoding: TextEncoding;
  /** A byte-order mark was present (and is skipped). */
  bom: boolean;
  gzip: boolean;
  /** Size of the file on disk. */
  fileBytes: number;
}

/** Progress of a load in file bytes (compressed bytes for gzip). */
export type LoadProgress = (bytesRead: number, bytesTotal: number) => void;

/** Raw (inflated) byte chunks of `file`; `onRead` sees the on-disk bytes consumed so far. */
async function* rawChunks(file: string, gzip: boolean, chunkBytes: number, onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const stream = createReadStream(file, { flags: 'r', highWaterMark: chunkBytes });
  let read = 0;
  // Observing 'data' on a piped stream is safe (pipe handles the flow); on the iterated stream it would switch it to
  // flowing mode and read ahead of the parser, so plain files count their bytes in the loop instead.
  if (gzip) {
    stream.on('data', (b) => {
      read += b.length;
      onRead?.(read);
    });
  }
  const source = gzip ? stream.pipe(createGunzip({ chunkSize: Math.min(chunkBytes, 1 << 20) })) : stream;
  if (gzip) stream.on('error', (e) => source.destroy(e));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (!gzip) {
        read += chunk.length;
        onRead?.(read);
      }
      yield chunk;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new DatasetError(`corrupt gzip data (${(err as Error).message})`, file);
    throw fsError(err, file);
  } finally {
    stream.destroy();
  }
}

/** A text file opened for streaming: what it is, its first decoded text, and its chunks. */
export interface TextSource {
  file: string;
  info: TextInfo;
  /** Up to HEAD_BYTES of decoded text (BOM removed), for sniffing. */
  head: string;
  /** The whole text as decoded chunks (BOM removed); each call reads the file again. */
  chunks(onProgress?: LoadProgress): AsyncGenerator<string>;
  /** `head` is the whole text. */
  headComplete: boolean;
  /** Notes for the user (e.g. "not UTF-8: read as Windows-1252"). */
  warnings: string[];
}

/** Rejects bytes that are not text, naming what they are. `what` is the kind of file expected, e.g. "CSV text". */
function assertText(head: Uint8Array, file: string, what: string, encoding: TextEncoding): void {
  const foreign = foreignKind(head);
  const base = path.basename(file);
  if (foreign !== undefined) throw new DatasetError(`is ${foreign}, not ${what}: save it as CSV (UTF-8) or export it to a supported format`, file);
  const bin = binaryFormatOf(head);
  if (bin !== undefined) throw new DatasetError(`holds ${bin.toUpperCase()} data, not ${what}: rename it to .${bin} (the name ${base} says otherwise)`, file);
  if (encoding === 'utf-8' || encoding === 'windows-1252') {
    const nul = firstNul(head);
    if (nul >= 0) throw new DatasetError(`is binary data (a zero byte at offset ${nul}), not ${what}`, file);
  }
}

/** Opens `file` as text: checks it is text, detects gzip and the encoding, decodes the head. */
export async function openText(file: string, what: string, encoding?: TextEncoding, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<TextSource> {
  let st;
  try {
    st = await fsp.stat(file);
  } catch (err) {
    throw fsError(err, file);
  }
  const raw = await readHeadBytes(file, HEAD_BYTES);
  const gzip = isGzip(raw);
  let head: Buffer = raw;
  let headComplete = raw.length < HEAD_BYTES;
  if (gzip) {
    const parts: Buffer[] = [];
    let have = 0;
    for await (const c of rawChunks(file, true, Math.min(chunkBytes, HEAD_BYTES))) {
      parts.push(c);
      have += c.length;
      if (have >= HEAD_BYTES) break;
    }
    head = Buffer.concat(parts);
    headComplete = head.length < HEAD_BYTES;
    head = head.subarray(0, HEAD_BYTES);
  }
  const sniffed = sniffEncoding(head);
  const bomBytes = sniffed.bomBytes;
  const forced = encoding !== undefined;
  if (encoding === undefined) encoding = sniffed.encoding;
  assertText(head.subarray(bomBytes), file, what, encoding);
  const warnings: string[] = [];
  if (!forced && encoding === 'windows-1252') warnings.push('not valid UTF-8: read as Windows-1252 (Latin-1); choose another with --encoding');
  if (!forced && (encoding === 'utf-16le' || encoding === 'utf-16be')) warnings.push(`read as ${encoding.toUpperCase()}${bomBytes > 0 ? '' : ' (no byte-order mark)'}`);
  const headText = new TextDecoder(encoding).decode(head.subarray(bomBytes), { stream: true });
  // Decoded control characters (other than tab, line breaks, form feed) mean the bytes were never text.
  const ctl = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.exec(headText);
  if (ctl) throw new DatasetError(`is binary data (control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')} at character ${ctl.index}), not ${what}`, file);
  const info: TextInfo = { encoding, bom: bomBytes > 0, gzip, fileBytes: st.size };
  const chunks = async function* (onProgress?: LoadProgress): AsyncGenerator<string> {
    const decoder = new TextDecoder(encoding);
    let skip = bomBytes;
    for await (const b of rawChunks(file, gzip, chunkBytes, onProgress ? (r): void => onProgress(r, st.size) : undefined)) {
      let bytes: Uint8Array = b;
      if (skip > 0) {
        const s = Math.min(skip, bytes.length);
        bytes = bytes.subarray(s);
        skip -= s;
      }
      const text = decoder.decode(bytes, { stream: true });
      if (text !== '') yield text;
    }
    const tail = decoder.decode();
    if (tail !== '') yield tail;
  };
  return { file, info, head: headText, headComplete, chunks, warnings };
}

/** Reads a whole (small) text file through `openText`: one string. */
export async function readAllText(file: string, what: string, encoding?: TextEncoding): Promise<{ text: string; source: TextSource }> {
  const source = await openText(file, what, encoding);
  const parts: string[] = [];
  for await (const c of source.chunks()) parts.push(c);
  try {
    return { text: parts.join(''), source };
  } catch {
    throw new DatasetError('is too large to read as one JSON document (over ~512 MiB of text): use JSON Lines (.jsonl), which streams', file);
  }
}
