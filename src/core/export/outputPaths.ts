/**
 * Where outputs go by default, one owner for the CLI, the commands and the panel: exports of a model's embeddings
 * go into its model folder, named after the dataset; scores of other data go into the model folder's `scores/`.
 * Datasets are only ever read, so nothing is written beside them.
 */
import { basename, join } from 'node:path';
import { EXPORT_FORMAT_INFO } from '../../common/exportFormats';
import type { ExportFormat } from '../../common/exportFormats';

const DATA_EXTENSIONS = /\.(csv|tsv|txt|json|jsonl|ndjson|npy|npz|idx\d*|ubyte|parquet|arrow|feather|png|jpe?g)$/i;

/** `iris.csv` -> `iris`, `train-images-idx3-ubyte.gz` -> `train-images-idx3-ubyte`, folder `digits/` -> `digits`. */
export function datasetBaseName(datasetPath: string): string {
  let name = basename(datasetPath.replace(/[\\/]+$/, ''));
  name = name.replace(/\.gz$/i, '').replace(DATA_EXTENSIONS, '');
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '');
  return safe || 'dataset';
}

/**
 * The default file of an export: `<modelDir>/<dataset>-embeddings.<ext>`. Without a saved model folder the bare file
 * name is returned, for the caller to place in its working folder.
 */
export function defaultExportPath(info: { modelDir?: string; datasetName: string }, format: ExportFormat): string {
  const name = `${datasetBaseName(info.datasetName)}-embeddings.${EXPORT_FORMAT_INFO[format].ext}`;
  return info.modelDir !== undefined ? join(info.modelDir, name) : name;
}

/** Sub-folder of a model folder that holds the scores of other datasets. */
export const SCORES_FOLDER = 'scores';

/**
 * Files written when `datasetPath` is scored with the model in `modelDir`: the per-sample scores (the embeddings CSV
 * layout with score and anomalous columns), and for a time series the events and the per-row score series.
 */
export function scoreOutputPaths(modelDir: string, datasetPath: string): { scores: string; events: string; rows: string } {
  const base = join(modelDir, SCORES_FOLDER, datasetBaseName(datasetPath));
  return { scores: `${base}.csv`, events: `${base}-events.csv`, rows: `${base}-rows.csv` };
}
