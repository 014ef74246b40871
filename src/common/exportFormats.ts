/**
 * The export formats of embeddings: the one list every layer reads (the exporters in src/core/export, the CLI's
 * `export` / `embed --out`, the extension's Export command and the panel's export buttons).
 */

export const EXPORT_FORMATS = ['csv', 'tsv-projector', 'npy', 'json'] as const;

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFormatInfo {
  /** File extension, without the dot. */
  ext: string;
  /** Name in menus and save dialogs. */
  label: string;
  /** Name on a button. */
  short: string;
  /** What the file holds. */
  description: string;
}

export const EXPORT_FORMAT_INFO: Readonly<Record<ExportFormat, ExportFormatInfo>> = {
  csv: { ext: 'csv', label: 'CSV', short: 'CSV', description: 'latent codes + projection, cluster, error, label, source row' },
  'tsv-projector': { ext: 'tsv', label: 'TensorBoard Projector TSV', short: 'TSV', description: 'vectors.tsv + metadata.tsv' },
  npy: { ext: 'npy', label: 'NumPy', short: 'NPY', description: 'latent codes as float32' },
  json: { ext: 'json', label: 'JSON', short: 'JSON', description: 'every column in one JSON document' },
};

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** The format a file name asks for: by its extension (`.tsv` is the Projector's), CSV for anything else. */
export function exportFormatFromPath(file: string): ExportFormat {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return EXPORT_FORMATS.find((f) => EXPORT_FORMAT_INFO[f].ext === ext) ?? 'csv';
}
