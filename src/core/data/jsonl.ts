/**
 * JSON Lines (`.jsonl`, `.ndjson`), streamed: lines are parsed one at a time as the chunks arrive and go straight into
 * typed arrays. The first `PREVIEW_ROWS` records decide the layout: arrays of numbers (every record the shape of the
 * first; 2D/3D records are images) or objects (flattened like JSON records; their keys are the columns, with roles
 * from `planColumns`). A key that first appears after the preview is reported, not silently dropped.
 */
import type { Dataset, LoadOptions } from './dataset';
import { DatasetError, defaultColumns } from './dataset';
import type { Cell } from './columns';
import { columnStats, planColumns } from './columns';
import { PREVIEW_ROWS } from './delimited';
import { datasetName, rowLimit } from './fileUtil';
import { flattenInto, flattenRecord, isPlainObject, nestedShape } from './json';
import { lineRefs } from './refs';
import { TableSink } from './tableSink';
import { openText } from './textSource';

/** Receives each record with its 1-based line; returns false to stop. */
type Consumer = (record: unknown, line: number) => boolean;

/** Arrays of numbers into one growing Float32Array. */
class ArrayConsumer {
  private features: Float32Array;
  private lines: Int32Array;
  n = 0;
  readonly dim: number;

  constructor(
    readonly shape: number[],
    capacity: number,
    private readonly limit: number,
    private readonly file: string,
  ) {
    this.dim = shape.reduce((a, b) => a * b, 1);
    if (this.dim === 0) throw new DatasetError('records are empty arrays', file);
    const cap = Math.max(1, Math.min(capacity, limit));
    this.features = new Float32Array(cap * this.dim);
    this.lines = new Int32Array(cap);
  }

  add: Consumer = (record, line) => {
    if (this.n * this.dim >= this.features.length) {
      const cap = Math.min(this.limit, Math.max(this.n + 1024, Math.ceil(this.n * 1.25)));
      const f = new Float32Array(cap * this.dim);
      f.set(this.features);
      this.features = f;
      const l = new Int32Array(cap);
      l.set(this.lines);
      this.lines = l;
    }
    const fail = (what: string): never => {
      throw new DatasetError(`record ${this.n + 1}: ${what}`, this.file, line);
    };
    if (isPlainObject(record)) fail('is an object, but the first records are arrays');
    flattenInto(record, this.shape, 0, this.features, this.n * this.dim, fail);
    this.lines[this.n] = line;
    this.n++;
    return this.n < this.limit;
  };

  finish(name: string, warnings: string[]): Dataset {
    const n = this.n;
    const used = n * this.dim;
    const features = used >= this.features.length * 0.9 ? this.features.subarray(0, used) : this.features.slice(0, used);
    const s = this.shape;
    const image = s.length === 2 || s.length === 3;
    const sampleShape = s.length === 0 ? [1] : s.length === 1 ? s : s.length === 2 ? [s[0], s[1], 1] : s;
    const ds: Dataset = {
      name,
      source: this.file,
      format: 'jsonl',
      kind: image ? 'image' : 'table',
      n,
      dim: this.dim,
      sampleShape: image ? sampleShape : [this.dim],
      features,
      columns: defaultColumns(sampleShape, image),
      refs: lineRefs(this.file, this.lines.subarray(0, n), n),
    };
    if (warnings.length > 0) ds.warnings = warnings;
    return ds;
  }
}

/** Loads JSON Lines, streaming. */
export async function loadJsonl(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const source = await openText(file, 'JSON Lines text', opts.encoding);
  const limit = rowLimit(opts.maxRows);
  const warnings = [...source.warnings];
  const preview: { record: unknown; line: number }[] = [];
  let previewChars = 0;
  /** How records are read, chosen from the preview: undefined while the preview is filling. */
  let reader: { consume: Consumer; finish: () => Dataset } | undefined;

  const decide = async (): Promise<{ consume: Consumer; finish: () => Dataset }> => {
    if (preview.length === 0) throw new DatasetError('file is empty', file);
    const objects = preview.filter((p) => isPlainObject(p.record)).length;
    const capacity = Math.ceil((source.info.fileBytes / Math.max(1, previewChars / preview.length)) * 1.02) + 64;
    if (objects === 0) {
      const a = new ArrayConsumer(nestedShape(preview[0].record), capacity, limit, file);
      return { consume: a.add, finish: (): Dataset => a.finish(datasetName(file), warnings) };
    }
    if (objects < preview.length) {
      const bad = preview.findIndex((p) => isPlainObject(p.record) !== isPlainObject(preview[0].record));
      throw new DatasetError(`record ${bad + 1}: mixes objects and arrays`, file, preview[bad].line);
    }
    const flat = preview.map((p) => flattenRecord(p.record as Record<string, unknown>));
    const keys = new Map<string, number>();
    for (const rec of flat) for (const k of Object.keys(rec)) if (!keys.has(k)) keys.set(k, keys.size);
    const header = [...keys.keys()];
    const rows: Cell[][] = flat.map((o) => header.map((k) => o[k] as Cell));
    const plan = planColumns(header, columnStats(rows, header.length), opts, file, true);
    const sink = new TableSink({ file, name: datasetName(file), format: 'jsonl', header, plan, capacity, limit, withLines: true });
    const late = new Map<string, number>();
    let count = 0;
    const consume = (record: unknown, line: number): boolean => {
      count++;
      if (!isPlainObject(record)) throw new DatasetError(`record ${count}: is ${Array.isArray(record) ? 'an array' : 'not an object'}, but the first records are objects`, file, line);
      const o = flattenRecord(record);
      if (count > preview.length) for (const k of Object.keys(o)) if (!keys.has(k) && !late.has(k)) late.set(k, count);
      sink.add(header.map((k) => o[k] as Cell), line);
      return !sink.full;
    };
    const finish = (): Dataset => {
      if (late.size > 0) warnings.push(`key${late.size > 1 ? 's' : ''} first seen after the first ${PREVIEW_ROWS} records, not used: ${[...late].slice(0, 10).map(([k, r]) => `"${k}" (record ${r})`).join(', ')}`);
      return sink.finish(warnings);
    };
    return { consume, finish };
  };

  let line = 0;
  let records = 0;
  // Set inside take: typed boolean so that the checks after each awaited take are not narrowed to false.
  let done = false as boolean;
  const take = async (text: string): Promise<void> => {
    line++;
    const t = text.trim();
    if (t === '') return;
    records++;
    let record: unknown;
    try {
      record = JSON.parse(t);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new DatasetError(`record ${records}: invalid JSON (${msg.replace(/ in JSON at position \d+.*$/s, '')})`, file, line);
    }
    if (reader === undefined) {
      preview.push({ record, line });
      previewChars += t.length + 1;
      if (preview.length >= Math.min(PREVIEW_ROWS, limit)) {
        reader = await decide();
        for (const p of preview) if (!reader.consume(p.record, p.line)) done = true;
      }
      return;
    }
    if (!reader.consume(record, line)) done = true;
  };

  let carry = '';
  for await (const chunk of source.chunks(opts.onProgress)) {
    const text = carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && !done; nl = text.indexOf('\n', start)) {
      await take(text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
    if (done) break;
  }
  if (!done && carry.trim() !== '') await take(carry);
  if (reader === undefined) {
    reader = await decide();
    for (const p of preview) if (!reader.consume(p.record, p.line)) break;
  }
  return reader.finish();
}
