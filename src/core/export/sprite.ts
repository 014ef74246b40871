/**
 * The TensorBoard Embedding Projector's sprite: every image sample tiled row-major into one square PNG (the
 * Projector shows each point as its thumbnail), plus the `projector_config.pbtxt` that points the Projector at the
 * vectors, the metadata and the sprite. PNG written with node:zlib (one IDAT, filter 0 on every row).
 */
import { deflateSync } from 'node:zlib';

/** The Projector refuses sprites larger than this on a side. */
export const MAX_SPRITE_SIDE = 8192;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'ascii'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit RGBA PNG of `width x height` pixels (`rgba` row-major, 4 bytes a pixel). */
export function encodePng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError(`encodePng: ${rgba.length} bytes for ${width} x ${height} RGBA`);
  const raw = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
}

/**
 * The sprite of `n` images of `sampleShape` (`[h, w]` grey or `[h, w, c]` with c = 1, 3 or 4) in `features`
 * (data units, scaled to 0..255 by the global min and max): `side = ceil(sqrt(n))` tiles a row, unused tiles
 * transparent. Undefined when the sprite would exceed {@link MAX_SPRITE_SIDE}.
 */
export function spriteImage(features: Float32Array, n: number, sampleShape: readonly number[]): { png: Uint8Array; tile: [number, number]; side: number } | undefined {
  const [h, w, c = 1] = sampleShape;
  const side = Math.ceil(Math.sqrt(n));
  if (n === 0 || side * Math.max(h, w) > MAX_SPRITE_SIDE || ![1, 3, 4].includes(c)) return undefined;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n * h * w * c; i++) { const v = features[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const W = side * w, H = side * h;
  const rgba = new Uint8Array(W * H * 4);
  for (let s = 0; s < n; s++) {
    const ox = (s % side) * w, oy = Math.floor(s / side) * h;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const src = ((s * h + y) * w + x) * c, dst = ((oy + y) * W + ox + x) * 4;
      const v = (k: number): number => Math.round((features[src + k] - lo) * scale);
      if (c === 1) rgba.fill(v(0), dst, dst + 3);
      else { rgba[dst] = v(0); rgba[dst + 1] = v(1); rgba[dst + 2] = v(2); }
      rgba[dst + 3] = c === 4 ? v(3) : 255;
    }
  }
  return { png: encodePng(rgba, W, H), tile: [w, h], side };
}

/** The Projector's config for one tensor with its metadata and sprite (paths relative to the config's folder). */
export function projectorConfig(vectors: string, metadata: string, sprite: string, tile: [number, number]): string {
  return `embeddings {\n  tensor_path: "${vectors}"\n  metadata_path: "${metadata}"\n  sprite {\n    image_path: "${sprite}"\n    single_image_dim: ${tile[0]}\n    single_image_dim: ${tile[1]}\n  }\n}\n`;
}
