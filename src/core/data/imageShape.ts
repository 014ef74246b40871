/**
 * A table whose columns are the pixels of small images (sklearn's 8x8 digits, MNIST as CSV) becomes an image dataset:
 * each row is one image, row-major with channels last (`px(y, x, c) = row[(y * width + x) * channels + c]`), so conv
 * models can train on it.
 */
import type { Dataset } from './dataset';
import { DatasetError } from './dataset';

/** Parses `HxW` or `HxWxC` (also with `,` or `*`); undefined for anything else. */
export function parseImageShape(text: string): [number, number, number] | undefined {
  const m = /^\s*(\d+)\s*[x×*,]\s*(\d+)\s*(?:[x×*,]\s*(\d+)\s*)?$/i.exec(text);
  if (!m) return undefined;
  const channels = m.at(3); // undefined when the optional group did not match
  const shape: [number, number, number] = [Number(m[1]), Number(m[2]), channels === undefined ? 1 : Number(channels)];
  return shape.every((v) => v > 0) ? shape : undefined;
}

/** Reshapes a table dataset's samples to images of `shape`; a DatasetError when the feature count does not match. */
export function applyImageShape(ds: Dataset, shape: [number, number, number]): Dataset {
  const [h, w, c] = shape;
  if (!shape.every((v) => Number.isInteger(v) && v > 0)) throw new DatasetError(`image shape must be three positive integers, got ${shape.join('x')}`, ds.source);
  if (ds.kind === 'image' && ds.sampleShape.join('x') === shape.join('x')) return ds;
  if (ds.kind !== 'table') throw new DatasetError(`image shape applies to tables, but this is a ${ds.kind} dataset of shape [${ds.sampleShape.join(', ')}]`, ds.source);
  if (h * w * c !== ds.dim) {
    throw new DatasetError(`image shape ${h}x${w}x${c} needs ${h * w * c} feature columns, the table has ${ds.dim} (${ds.columns.slice(0, 4).join(', ')}${ds.dim > 4 ? ', ...' : ''})`, ds.source);
  }
  return { ...ds, kind: 'image', sampleShape: [h, w, c] };
}
