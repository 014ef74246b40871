/**
 * Text exporters for embeddings: CSV (one row per sample: latent code, projection, cluster, error, label, source),
 * TensorBoard Embedding Projector TSV (a vectors file without header plus a metadata file whose header row names the
 * columns, as the Projector requires when metadata has more than one column) and JSON. Every writer is atomic and
 * refuses to overwrite an existing file unless `overwrite` is set (`FileExistsError`).
 */
import { basename, dirname, extname, join, relative } from 'node:path';
import type { SourceRef } from '../data/dataset';
import type { ProjectionResult } from '../analysis/results';
import { assertWritable, writeFileAtomic } from './atomicWrite';
import type { ClassNames } from '../data/classNames';
import { labelDisplayName } from '../data/classNames';

/** The class names of a table that has labels and names (else undefined: no `label_name` column). */
function namesOf(t: EmbeddingTable): ClassNames | undefined {
  return t.labels && t.classNames && Object.keys(t.classNames).length > 0 ? t.classNames : undefined;
}

/** Everything an export may carry; only `n`, `latentDim` and `latent` are required. */
export interface EmbeddingTable {
  n: number;
  latentDim: number;
  /** `n x latentDim`. */
  latent: Float32Array;
  errors?: Float32Array;
  labels?: string[];
  /** Display names of label values: a `label_name` column beside `label` (values without a name repeat the label). */
  classNames?: ClassNames;
  /** Per-sample ids (a table's id column). */
  ids?: string[];
  refs?: SourceRef[];
  /** The dataset's path: written once (JSON) or not at all (CSV/TSV), never per row; refs are shown relative to it. */
  source?: string;
  clusters?: Int32Array;
  /** VQ-VAE codebook entry per sample. */
  codes?: Int32Array;
  projection?: ProjectionResult;
  /** Per-sample anomaly scores of one method and the threshold above which a sample is flagged. */
  anomaly?: { method: string; scores: Float32Array; threshold: number };
}

/** Shortest decimal text that reads back as the same float32 (e.g. `0.1`, not `0.10000000149011612`). */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

/** RFC 4180 quoting: fields with a comma, quote or line break are wrapped in quotes, quotes doubled. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** TSV cells cannot hold tabs or line breaks: replace them with spaces. */
function tsvField(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ');
}

function checkTable(t: EmbeddingTable): void {
  if (t.latent.length < t.n * t.latentDim) throw new Error(`export: latent has ${t.latent.length} values, expected ${t.n} x ${t.latentDim}`);
  for (const [name, len] of [['errors', t.errors?.length], ['labels', t.labels?.length], ['refs', t.refs?.length], ['clusters', t.clusters?.length], ['codes', t.codes?.length], ['anomaly scores', t.anomaly?.scores.length]] as const) {
    if (len !== undefined && len !== t.n) throw new Error(`export: ${name} has ${len} entries, expected ${t.n}`);
  }
  if (t.projection && t.projection.coords.length !== t.n * t.projection.dims) throw new Error('export: projection does not match n');
}

/** How the per-row source column reads: the line in the file, the index in the array, or the file in the folder. */
export type SourceColumn = 'source_line' | 'source_index' | 'source_file';

/** Which source column a table gets: `source_file` when samples come from several files (an image folder). */
export function sourceColumn(t: Pick<EmbeddingTable, 'refs' | 'source' | 'n'>): SourceColumn | undefined {
  const refs = t.refs;
  if (!refs || t.n === 0) return undefined;
  const file = t.source ?? refs[0].file;
  let lines = false;
  // Refs of one file share it; checking a sample of rows keeps this O(1) for huge tables.
  const step = Math.max(1, Math.floor(t.n / 1000));
  for (let i = 0; i < t.n; i += step) {
    const r = refs[i];
    if (r.file !== file) return 'source_file';
    if (r.line !== undefined) lines = true;
  }
  return lines ? 'source_line' : 'source_index';
}

/** The per-row source cell: a line, an index, or a file path relative to the dataset folder. */
export function sourceText(ref: SourceRef | undefined, column: SourceColumn | undefined, source?: string): string {
  if (!ref || !column) return '';
  if (column === 'source_line') return ref.line === undefined ? '' : String(ref.line);
  if (column === 'source_index') return String(ref.index);
  return source !== undefined ? relative(source, ref.file).split('\\').join('/') : ref.file;
}

/**
 * CSV with a header row: `index, z0..z{d-1}, [proj_x, proj_y, proj_z], [cluster], [code], [error],
 * [score_<method>, anomalous], [label], [label_name], [id], [source_line | source_index | source_file]`. The one layout for
 * `train`'s embeddings.csv and every CSV export.
 */
export function embeddingsToCsv(t: EmbeddingTable): string {
  checkTable(t);
  const src = sourceColumn(t);
  const names = namesOf(t);
  const d = t.latentDim;
  const pd = t.projection?.dims ?? 0;
  const header = ['index', ...Array.from({ length: d }, (_, j) => `z${j}`), ...['proj_x', 'proj_y', 'proj_z'].slice(0, pd)];
  if (t.clusters) header.push('cluster');
  if (t.codes) header.push('code');
  if (t.errors) header.push('error');
  if (t.anomaly) header.push(`score_${t.anomaly.method}`, 'anomalous');
  if (t.labels) header.push('label');
  if (names) header.push('label_name');
  if (t.ids) header.push('id');
  if (src) header.push(src);
  const lines = [header.join(',')];
  for (let i = 0; i < t.n; i++) {
    const row = [String(i)];
    for (let j = 0; j < d; j++) row.push(formatFloat32(t.latent[i * d + j]));
    if (t.projection) for (let j = 0; j < pd; j++) row.push(formatFloat32(t.projection.coords[i * pd + j]));
    if (t.clusters) row.push(String(t.clusters[i]));
    if (t.codes) row.push(String(t.codes[i]));
    if (t.errors) row.push(formatFloat32(t.errors[i]));
    if (t.anomaly) row.push(formatFloat32(t.anomaly.scores[i]), t.anomaly.scores[i] > t.anomaly.threshold ? '1' : '0');
    if (t.labels) row.push(csvField(t.labels[i]));
    if (names && t.labels) row.push(csvField(labelDisplayName(t.labels[i], names)));
    if (t.ids) row.push(csvField(t.ids[i]));
    if (src && t.refs) row.push(csvField(sourceText(t.refs[i], src, t.source)));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * TensorBoard Projector files: `vectors` has one tab-separated latent row per sample and no header; `metadata` has
 * the header `index\tlabel\tcluster\terror\tsource` (plus `\tcode` for a VQ-VAE, `\tlabel_name` with class names) and one row per sample (empty cells where
 * unknown).
 */
export function embeddingsToProjector(t: EmbeddingTable): { vectors: string; metadata: string } {
  checkTable(t);
  const src = sourceColumn(t);
  const names = namesOf(t);
  const d = t.latentDim;
  const vec: string[] = [];
  const meta: string[] = [`index\tlabel\tcluster\terror\tsource${t.codes ? '\tcode' : ''}${names ? '\tlabel_name' : ''}`];
  for (let i = 0; i < t.n; i++) {
    const row: string[] = [];
    for (let j = 0; j < d; j++) row.push(formatFloat32(t.latent[i * d + j]));
    vec.push(row.join('\t'));
    meta.push(
      [
        String(i),
        tsvField(t.labels?.[i] ?? ''),
        t.clusters ? String(t.clusters[i]) : '',
        t.errors ? formatFloat32(t.errors[i]) : '',
        tsvField(sourceText(t.refs?.[i], src, t.source)),
        ...(t.codes ? [String(t.codes[i])] : []),
        ...(names && t.labels ? [tsvField(labelDisplayName(t.labels[i], names))] : []),
      ].join('\t'),
    );
  }
  return { vectors: vec.join('\n') + '\n', metadata: meta.join('\n') + '\n' };
}

/** JSON document with every field present in the table (latent and projection as arrays of rows). */
export function embeddingsToJson(t: EmbeddingTable): string {
  checkTable(t);
  const rows = (data: Float32Array, width: number): number[][] =>
    Array.from({ length: t.n }, (_, i) => Array.from(data.subarray(i * width, i * width + width), (v) => Number(formatFloat32(v))));
  const doc: Record<string, unknown> = { n: t.n, latentDim: t.latentDim, latent: rows(t.latent, t.latentDim) };
  if (t.errors) doc.errors = Array.from(t.errors, (v) => Number(formatFloat32(v)));
  if (t.clusters) doc.clusters = Array.from(t.clusters);
  if (t.codes) doc.codes = Array.from(t.codes);
  if (t.anomaly) doc.anomaly = { method: t.anomaly.method, threshold: t.anomaly.threshold, scores: Array.from(t.anomaly.scores, (v) => Number(formatFloat32(v))) };
  if (t.labels) doc.labels = t.labels;
  const names = namesOf(t);
  if (names) doc.classNames = names;
  if (t.ids) doc.ids = t.ids;
  if (t.source !== undefined) doc.source = t.source;
  const src = sourceColumn(t);
  const refs = t.refs;
  if (src && refs) {
    const key = src === 'source_line' ? 'sourceLines' : src === 'source_index' ? 'sourceIndex' : 'sourceFiles';
    doc[key] = Array.from({ length: t.n }, (_, i) => (src === 'source_file' ? sourceText(refs[i], src, t.source) : src === 'source_line' ? (refs[i].line ?? null) : refs[i].index));
  }
  if (t.projection) {
    const p = t.projection;
    doc.projection = { method: p.method, dims: p.dims, coords: rows(p.coords, p.dims), explainedVariance: p.explainedVariance };
  }
  return JSON.stringify(doc);
}

/** Path of the Projector metadata file that goes with a vectors file: `emb.tsv` -> `emb.metadata.tsv`. */
export function projectorMetadataPath(vectorsPath: string): string {
  const ext = extname(vectorsPath);
  const stem = basename(vectorsPath, ext);
  return join(dirname(vectorsPath), `${stem}.metadata${ext || '.tsv'}`);
}

export function writeEmbeddingsCsv(path: string, t: EmbeddingTable, overwrite = false): string[] {
  writeFileAtomic(path, embeddingsToCsv(t), overwrite);
  return [path];
}

export function writeEmbeddingsJson(path: string, t: EmbeddingTable, overwrite = false): string[] {
  writeFileAtomic(path, embeddingsToJson(t), overwrite);
  return [path];
}

/** Writes the vectors to `path` and the metadata next to it (see `projectorMetadataPath`); checks both first. */
export function writeProjectorTsv(path: string, t: EmbeddingTable, overwrite = false): string[] {
  const metaPath = projectorMetadataPath(path);
  assertWritable([path, metaPath], overwrite);
  const { vectors, metadata } = embeddingsToProjector(t);
  writeFileAtomic(path, vectors, overwrite);
  writeFileAtomic(metaPath, metadata, overwrite);
  return [path, metaPath];
}
