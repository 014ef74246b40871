/**
 * `latent-explorer export <modelDir> --format csv|tsv-projector|npy|json --out PATH [--force]`: writes the latent
 * codes (plus errors, labels, sources, and optionally cluster ids and a 2D projection) in a format other tools read:
 * CSV, TensorBoard Embedding Projector TSV (vectors + metadata), NumPy .npy (codes only) or JSON.
 */
import * as path from 'node:path';
import type { ProjectionMethod } from '../../core/explorer';
import { EXPORT_FORMATS, isExportFormat } from '../../common/exportFormats';
import { MAX_K } from '../../common/limits';
import type { CliCommand, CliIo } from '../command';
import { UsageError, intOption, valueOptions } from '../command';
import { COMMON_USAGE, parseModelArgs, withExplorer } from '../modelOptions';

const PROJECTIONS: readonly ProjectionMethod[] = ['pca', 'umap'];

const USAGE = `Usage: latent-explorer export <modelDir> --format FORMAT --out PATH [options]

Formats:
  csv                one row per sample: index, z0.., [proj_x, proj_y], [cluster], [code], error, [label], [id],
                     source_line (or source_index, or source_file in an image folder): train's embeddings.csv layout
  tsv-projector      TensorBoard Embedding Projector: PATH (vectors, no header) + PATH's .metadata.tsv
  npy                the n x latentDim float32 codes as a NumPy .npy file
  json               everything as one JSON document

Options:
  --format FORMAT    ${EXPORT_FORMATS.join('|')}
  --out PATH         output file
  --k N              include k-means cluster ids (k = N)
  --projection M     include a 2D projection: pca|umap
  --seed N           seed for clustering and UMAP (default 0)
${COMMON_USAGE}
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, modelDir } = parseModelArgs(args, valueOptions('format', 'out', 'k', 'projection', 'seed'));
  const format = values.format;
  if (!isExportFormat(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format ?? ''}"`);
  if (values.out === undefined) throw new UsageError('--out PATH is required');
  const out = path.resolve(values.out);
  const projection = values.projection;
  if (projection !== undefined && !(PROJECTIONS as readonly string[]).includes(projection)) throw new UsageError(`--projection must be pca or umap, got "${projection}"`);
  const k = intOption('k', values.k, 1, MAX_K);
  const seed = intOption('seed', values.seed, 0) ?? 0;
  return withExplorer(modelDir, values, io, async (explorer) => {
    if (k !== undefined) await explorer.cluster(k, seed);
    if (projection !== undefined) await explorer.project(projection as ProjectionMethod, 2, seed);
    const files = await explorer.exportEmbeddings(out, format, values.force === true);
    io.stdout.write(`${files.join('\n')}\n`);
    return 0;
  });
}

export const exportCommand: CliCommand = {
  summary: 'export latent codes as CSV, TensorBoard Projector TSV, NumPy .npy or JSON',
  usage: USAGE,
  run,
};
