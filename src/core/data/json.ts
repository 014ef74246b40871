/**
 * JSON and JSON Lines. Accepted shapes:
 * - an array of objects (keys are columns) or of arrays (numbers, possibly nested: `[h][w]` rows become images);
 * - `{ "data" | "X" | "features": [...], "labels" | "y" | "target": [...] }`;
 * - JSONL / NDJSON: one object or array per line (streamed: see jsonl.ts).
 * Records of objects go through `buildTable` (text columns may become the label); arrays must hold numbers only.
 */
import type { Dataset, DatasetFormat, LoadOptions, SourceRef } from './dataset';
import { DatasetError, defaultColumns } from './dataset';
import { datasetName, rowLimit } from './fileUtil';
import type { Cell } from './table';
import { buildTable } from './table';
import { lineRefs } from './refs';
import { readAllText } from './textSource';

const FEATURE_KEYS = ['data', 'X', 'x', 'features'];
const LABEL_KEYS = ['labels', 'y', 'Y', 'target', 'label'];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * 1-based line on which each element of a top-level JSON array starts, found with one scan that tracks nesting depth
 * and skips strings. Undefined when the text is not an array.
 */
export function topLevelElementLines(text: string): number[] | undefined {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let expecting = false;
  let seenStart = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (!seenStart) {
      if (c !== 91 /* [ */) return undefined;
      seenStart = true;
      depth = 1;
      expecting = true;
      continue;
    }
    if (depth === 1 && expecting && c !== 93 /* ] */) {
      lines.push(line);
      expecting = false;
    }
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 92 /* \ */) i++;
        else if (s === 34) break;
      }
    } else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) depth--;
    else if (c === 44 /* , */ && depth === 1) expecting = true;
  }
  return lines;
}

/** Shape of a nested array, following first elements (`[]` for a scalar); `flattenInto` checks the rest. */
export function nestedShape(v: unknown): number[] {
  const shape: number[] = [];
  let cur = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

export function flattenInto(v: unknown, shape: number[], depth: number, out: Float32Array, offset: number, fail: (what: string) => never): number {
  if (depth === shape.length) {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${JSON.stringify(v)} is not a number`);
    if (Math.abs(v) > 3.4028234663852886e38) fail(`${String(v)} is outside the float32 range (about ±3.4e38); rescale it`);
    out[offset] = v;
    return offset + 1;
  }
  if (!Array.isArray(v) || v.length !== shape[depth]) fail(`expected an array of ${shape[depth]} at depth ${depth + 1} (ragged record)`);
  let o = offset;
  for (const e of v as unknown[]) o = flattenInto(e, shape, depth + 1, out, o, fail);
  return o;
}

interface Records {
  file: string;
  name: string;
  format: DatasetFormat;
  records: unknown[];
  lines?: (number | undefined)[];
  labels?: string[];
  labelName?: string;
  warnings?: string[];
}

function labelText(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
}

/** Records that are arrays (or numbers): every record must have the shape of the first. */
function arrayRecords(r: Records): Dataset {
  const n = r.records.length;
  const shape = nestedShape(r.records[0]);
  const dim = shape.reduce((a, b) => a * b, 1);
  if (dim === 0) throw new DatasetError('records are empty arrays', r.file);
  const features = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const line = r.lines?.[i];
    const fail = (what: string): never => {
      throw new DatasetError(line === undefined ? `record ${i + 1}: ${what}` : `record ${i + 1}: ${what}`, r.file, line);
    };
    flattenInto(r.records[i], shape, 0, features, i * dim, fail);
  }
  const refs: SourceRef[] = lineRefs(r.file, r.lines ? Int32Array.from(r.lines, (l) => l ?? 0) : undefined, n);
  const image = shape.length === 2 || shape.length === 3;
  const sampleShape = shape.length === 0 ? [1] : shape.length === 1 ? shape : shape.length === 2 ? [shape[0], shape[1], 1] : shape;
  const columns = defaultColumns(sampleShape, image);
  if (r.labels !== undefined && r.labels.length !== n) throw new DatasetError(`${r.labels.length} labels for ${n} samples`, r.file);
  const ds: Dataset = {
    name: r.name,
    source: r.file,
    format: r.format,
    kind: image ? 'image' : 'table',
    n,
    dim,
    sampleShape: image ? sampleShape : [dim],
    features,
    columns,
    refs,
  };
  if (r.labels !== undefined) {
    ds.labels = r.labels;
    ds.labelName = r.labelName ?? 'label';
  }
  return ds;
}

/**
 * One object record as flat columns: nested objects become `parent.child`, nested arrays `name[0]`, `name[1]`, ...
 * (so `{"pos": {"x": 1, "y": 2}, "rgb": [1, 2, 3]}` gives `pos.x, pos.y, rgb[0], rgb[1], rgb[2]`).
 */
export function flattenRecord(value: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) flattenArray(v, key, out);
    else if (isPlainObject(v)) flattenRecord(v, key, out);
    else out[key] = v;
  }
  return out;
}

function flattenArray(values: unknown[], key: string, out: Record<string, unknown>): void {
  values.forEach((v, i) => {
    const k = `${key}[${i}]`;
    if (Array.isArray(v)) flattenArray(v, k, out);
    else if (isPlainObject(v)) flattenRecord(v, k, out);
    else out[k] = v;
  });
}

/** Records that are objects (nested ones flattened): the union of keys, in order of first appearance, are the columns. */
function objectRecords(r: Records, opts: LoadOptions): Dataset {
  const flat = r.records.map((rec) => flattenRecord(rec as Record<string, unknown>));
  const keys = new Map<string, number>();
  for (const rec of flat) for (const k of Object.keys(rec)) if (!keys.has(k)) keys.set(k, keys.size);
  const header = [...keys.keys()];
  const rows: Cell[][] = flat.map((o) => header.map((k) => o[k] as Cell));
  return buildTable({ file: r.file, name: r.name, format: r.format, header, rows, lines: r.lines, labels: r.labels, labelName: r.labelName, warnings: r.warnings }, opts);
}

function fromRecords(r: Records, opts: LoadOptions): Dataset {
  if (r.records.length === 0) throw new DatasetError('no records', r.file);
  const limit = rowLimit(opts.maxRows);
  if (r.records.length > limit) {
    r.records = r.records.slice(0, limit);
    r.lines = r.lines?.slice(0, limit);
    r.labels = r.labels?.slice(0, limit);
  }
  const objects = r.records.filter(isPlainObject).length;
  if (objects === r.records.length) return objectRecords(r, opts);
  if (objects > 0) {
    const i = r.records.findIndex((x) => isPlainObject(x) !== isPlainObject(r.records[0]));
    const line = r.lines?.[i];
    throw new DatasetError(`${line === undefined ? `record ${i + 1}: ` : ''}mixes objects and arrays`, r.file, line);
  }
  return arrayRecords(r);
}

/**
 * Where a JSON parse error sits: Node reports a character position; a person wants the record (element of the
 * top-level array, or of the array holding the samples), then the line and column.
 */
export function jsonErrorPlace(text: string, pos: number): string {
  let line = 1;
  let col = 1;
  let depth = 0;
  let record = 0;
  let inString = false;
  for (let i = 0; i < pos && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      col = 1;
      continue;
    }
    col++;
    if (inString) {
      if (c === 92) {
        i++;
        col++;
      } else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 2 && record === 0) record = 1;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1 && record > 0) record++;
  }
  // Inside `{"data": [...]}` records sit at depth 2; count them when the document is an object.
  const first = text.trimStart().charCodeAt(0);
  const where = `line ${line}, column ${col}`;
  return first === 91 && record > 0 ? `record ${record} (${where})` : where;
}

/**
 * The character position of a JSON.parse error: from "at position N", or by finding the quoted excerpt V8 gives
 * instead (`Unexpected token 'N', ..."[1, NaN, 4]" is not valid JSON`) in the text.
 */
function errorPosition(text: string, msg: string): number | undefined {
  const p = /position (\d+)/.exec(msg);
  if (p) return Number(p[1]);
  const m = /^Unexpected token '(.+?)', (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(msg);
  if (!m) return undefined;
  const at = text.indexOf(m[2]);
  if (at < 0) return undefined;
  const k = m[2].indexOf(m[1]);
  return at + Math.max(0, k);
}

/** Loads a `.json` file. */
export async function loadJson(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const { text, source } = await readAllText(file, 'JSON text', opts.encoding);
  if (text.trim() === '') throw new DatasetError('file is empty', file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const at = errorPosition(text, msg);
    const detail = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of the file (truncated?)');
    const hint = at !== undefined && /^(?:NaN|-?Infinity)/.test(text.slice(at)) ? ' (NaN and Infinity are not JSON: write null, or fix the values)' : '';
    throw new DatasetError(`invalid JSON${at !== undefined ? ` at ${jsonErrorPlace(text, at)}` : ''}: ${detail}${hint}`, file);
  }
  const name = datasetName(file);
  const warnings = source.warnings.length > 0 ? source.warnings : undefined;
  if (Array.isArray(doc)) return fromRecords({ file, name, format: 'json', records: doc, lines: topLevelElementLines(text), warnings }, opts);
  if (isPlainObject(doc)) {
    const fk = FEATURE_KEYS.find((k) => Array.isArray(doc[k]));
    if (fk === undefined) throw new DatasetError(`expected an array, or an object with one of ${FEATURE_KEYS.join('/')} holding the samples (keys: ${Object.keys(doc).slice(0, 10).join(', ')})`, file);
    const lk = LABEL_KEYS.find((k) => k !== fk && Array.isArray(doc[k]));
    const labels = lk !== undefined ? (doc[lk] as unknown[]).map(labelText) : undefined;
    return fromRecords({ file, name, format: 'json', records: doc[fk] as unknown[], labels, labelName: lk, warnings }, opts);
  }
  throw new DatasetError('expected an array of records or an object with the samples', file);
}
