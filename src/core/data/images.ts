/**
 * A folder of PNG / JPEG images. Images directly in the folder have no label; images in sub-folders are labelled by
 * the top-level sub-folder's name (`digits/3/a.png` -> `3`). Files are visited in sorted path order (deterministic).
 *
 * Pixels stay in data units (0..255 as floats). Grayscale (default) is the ITU-R BT.601 luma
 * `Y = 0.299 R + 0.587 G + 0.114 B`; otherwise 3 channels RGB. Alpha is ignored. All images must share one size,
 * unless `imageSize` is given, then each is resized bilinearly (half-pixel centres, edges clamped).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import type { Dataset, LoadOptions, SourceRef } from './dataset';
import { DatasetError, defaultColumns } from './dataset';
import { fsError, readBytes, rowLimit } from './fileUtil';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/** Decoded RGBA pixels, 8 bits per channel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes PNG or JPEG bytes (by signature, falling back to the extension); DatasetError naming `file` if corrupt. */
export function decodeImage(buf: Buffer, file: string): RgbaImage {
  const isPng = buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47;
  const isJpeg = buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
  const ext = path.extname(file).toLowerCase();
  try {
    if (isPng || (!isJpeg && ext === '.png')) {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    const jpg = decodeJpeg(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: jpg.width, height: jpg.height, data: jpg.data };
  } catch (err) {
    const what = isPng || ext === '.png' ? 'PNG' : 'JPEG';
    const msg = err instanceof Error ? err.message : String(err);
    const reason = /crc|checksum/i.test(msg) ? 'a checksum does not match (damaged file)' : /unexpected end|truncat|not enough|out of range|premature/i.test(msg) ? 'the file is cut short (truncated)' : /signature|SOI|marker not found|invalid/i.test(msg) ? `not a valid ${what} header` : 'the data cannot be decoded';
    throw new DatasetError(`corrupt ${what} image: ${reason} (decoder said: ${msg})`, file);
  }
}

/** Bilinear resize of a `h x w x c` float image to `outH x outW x c` (half-pixel centres, edge clamp). */
export function resizeBilinear(src: Float32Array, h: number, w: number, c: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW * c);
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const dy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const dx = fx - x0;
      for (let ch = 0; ch < c; ch++) {
        const a = src[(y0 * w + x0) * c + ch];
        const b = src[(y0 * w + x1) * c + ch];
        const d = src[(y1 * w + x0) * c + ch];
        const e = src[(y1 * w + x1) * c + ch];
        out[(y * outW + x) * c + ch] = (a * (1 - dx) + b * dx) * (1 - dy) + (d * (1 - dx) + e * dx) * dy;
      }
    }
  }
  return out;
}

/** RGBA bytes -> float pixels with 1 (luma) or 3 (RGB) channels. */
export function toChannels(img: RgbaImage, grayscale: boolean): Float32Array {
  const px = img.width * img.height;
  const out = new Float32Array(px * (grayscale ? 1 : 3));
  const d = img.data;
  for (let p = 0; p < px; p++) {
    const r = d[4 * p];
    const g = d[4 * p + 1];
    const b = d[4 * p + 2];
    if (grayscale) out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      out[3 * p] = r;
      out[3 * p + 1] = g;
      out[3 * p + 2] = b;
    }
  }
  return out;
}

/** Image files under `root` (recursive, hidden entries skipped), sorted; plus how many other files were skipped. */
async function listImages(root: string): Promise<{ files: string[]; skipped: number; others: string[] }> {
  const files: string[] = [];
  let skipped = 0;
  const others: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw fsError(err, dir);
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && IMAGE_EXT.has(path.extname(e.name).toLowerCase())) files.push(p);
      else {
        skipped++;
        if (others.length < 3) others.push(path.relative(root, p));
      }
    }
  };
  await walk(root);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, skipped, others };
}

/** Loads a folder of images. */
export async function loadImageFolder(folder: string, opts: LoadOptions = {}): Promise<Dataset> {
  const root = path.resolve(folder);
  const { files: all, skipped, others } = await listImages(root);
  if (all.length === 0) {
    const ext = path.extname(root).toLowerCase();
    if (/^\.(csv|tsv|txt|json|jsonl|ndjson|npy|npz|parquet|arrow|gz)$/.test(ext)) throw new DatasetError(`is a folder (named like a ${ext} file), not a file`, root);
    const listed = others.join(', ') + (skipped > others.length ? ', ...' : '');
    throw new DatasetError(`no .png/.jpg/.jpeg images in the folder${skipped > 0 ? ` (${skipped} other file${skipped > 1 ? 's' : ''}: ${listed}; to load a data file, choose the file itself)` : ''}`, root);
  }
  const files = all.slice(0, Math.min(all.length, rowLimit(opts.maxRows)));
  const grayscale = opts.grayscale ?? true;
  const c = grayscale ? 1 : 3;
  const warnings: string[] = [];
  if (skipped > 0) warnings.push(`skipped ${skipped} non-image file${skipped > 1 ? 's' : ''}`);

  let h = opts.imageSize?.[0] ?? 0;
  let w = opts.imageSize?.[1] ?? 0;
  if (opts.imageSize !== undefined && !(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
    throw new DatasetError(`imageSize must be two positive integers, got [${opts.imageSize.join(', ')}]`, root);
  }
  let features: Float32Array | undefined;
  let dim = 0;
  const refs: SourceRef[] = [];
  for (let i = 0; i < files.length; i++) {
    const img = decodeImage(await readBytes(files[i]), files[i]);
    if (h === 0) {
      h = img.height;
      w = img.width;
    }
    let px = toChannels(img, grayscale);
    if (img.height !== h || img.width !== w) {
      if (opts.imageSize === undefined) {
        throw new DatasetError(`image is ${img.width}x${img.height} but ${path.basename(files[0])} is ${w}x${h}: images differ in size; resize them all to one size (CLI: --image-size ${h}x${w}; training form: the image size step)`, files[i]);
      }
      px = resizeBilinear(px, img.height, img.width, c, h, w);
    }
    if (features === undefined) {
      dim = h * w * c;
      features = new Float32Array(files.length * dim);
    }
    features.set(px, i * dim);
    refs.push({ file: files[i], index: 0 });
  }
  if (features === undefined) throw new DatasetError('no images were read (the row limit is 0)', root);

  const rel = files.map((f) => path.relative(root, f).split(path.sep));
  const inSub = rel.filter((r) => r.length > 1).length;
  let labels: string[] | undefined;
  if (inSub > 0) {
    labels = rel.map((r) => (r.length > 1 ? r[0] : ''));
    if (inSub < rel.length) warnings.push(`${rel.length - inSub} image(s) directly in the folder have an empty label`);
  }
  const columns = defaultColumns([h, w, c], true);
  const ds: Dataset = {
    name: path.basename(root),
    source: root,
    format: 'images',
    kind: 'image',
    n: files.length,
    dim,
    sampleShape: [h, w, c],
    features,
    columns,
    refs,
  };
  if (labels !== undefined) {
    ds.labels = labels;
    ds.labelName = 'folder';
  }
  if (warnings.length > 0) ds.warnings = warnings;
  return ds;
}
