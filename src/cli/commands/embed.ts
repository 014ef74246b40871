/**
 * `latent-explorer embed <modelDir> [--data PATH] [--out FILE]`: encodes a dataset with a saved model and writes the
 * codes, reconstruction errors, labels and sources as CSV. Also home of the small helpers the `cluster` and
 * `export` commands share (opening a saved model as a `LocalExplorer`, option parsing).
 */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { describeBackend, initBackend, isBackendPreference } from '../../core/backend/backend';
import type { BackendPreference } from '../../core/backend/backend';
import type { ExportFormat } from '../../core/explorer';
import { LocalExplorer } from '../../core/localExplorer';
import type { CliCommand, CliIo } from '../cli';
import { UsageError } from '../cli';
import { DATA_OPTIONS, DATA_USAGE, parseDataFlags } from '../dataOptions';
import { ANOMALY_SCORE_METHODS, isAnomalyScoreMethod } from '../../core/analysis/anomalyScores';
import { describeAnomalies } from './anomalyText';

/** Options every explorer command accepts. */
export const COMMON_OPTIONS = {
  ...DATA_OPTIONS,
  data: { type: 'string' },
  backend: { type: 'string' },
  force: { type: 'boolean' },
  quiet: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export const COMMON_USAGE = `  --data PATH        dataset to encode (default: the one the model was trained on)
  --backend B        auto|tensorflow|wasm|cpu (default auto)
  --force            replace existing output files
  --quiet            print only errors
  --verbose          also list the compute backend's kernel fixes
  -h, --help         this help

${DATA_USAGE.replace('Data options', 'Data options (default: the choices saved with the model)')}`;

/** Runs an argument parser, turning its errors (unknown flag, missing value) into `UsageError`s. */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** An integer option `>= min`, or undefined when absent. */
export function intOption(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${String(value)}"`);
  return n;
}

/** The single `<modelDir>` positional. */
export function modelDirArg(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected one model folder, got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}`);
  return path.resolve(positionals[0]);
}

/** Export format from a file name: .json, .npy, .tsv (Projector) or CSV for anything else. */
export function formatFromPath(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.npy' ? 'npy' : ext === '.tsv' ? 'tsv-projector' : 'csv';
}

/** Opens a saved model as an explorer (see `openExplorer`), runs `use` on it and always disposes it. */
export async function withExplorer<T>(modelDir: string, values: ExplorerFlags, io: CliIo, use: (explorer: LocalExplorer) => Promise<T>): Promise<T> {
  const explorer = await openExplorer(modelDir, values, io);
  try {
    return await use(explorer);
  } finally {
    explorer.dispose();
  }
}

/** The flags every command on a saved model shares. */
export interface ExplorerFlags { data?: unknown; backend?: unknown; quiet?: unknown; verbose?: unknown; [flag: string]: unknown }

/** Initialises the backend and opens a saved model (and its dataset, or `--data`) as an explorer. */
async function openExplorer(modelDir: string, values: ExplorerFlags, io: CliIo): Promise<LocalExplorer> {
  const backend = values.backend ?? 'auto';
  if (!isBackendPreference(backend)) throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got "${String(backend)}"`);
  const info = await initBackend(backend as BackendPreference);
  const quiet = values.quiet === true;
  if (!quiet) io.stdout.write(`Backend: ${describeBackend(info, values.verbose === true)}\n`);
  const dataPath = typeof values.data === 'string' ? path.resolve(values.data) : undefined;
  const explorer = await LocalExplorer.load(modelDir, dataPath, parseDataFlags(values as Parameters<typeof parseDataFlags>[0]));
  const i = explorer.info();
  for (const w of i.warnings ?? []) io.stderr.write(`warning: ${i.datasetName}: ${w}\n`);
  if (!quiet) {
    io.stdout.write(`Model ${i.model.kind} (latent ${i.model.latentDim}) on ${i.datasetName}: ${i.n} samples x ${i.dim} features\n`);
  }
  return explorer;
}

const USAGE = `Usage: latent-explorer embed <modelDir> [options]

Encodes every sample of the dataset with a saved model and writes one CSV row per sample: the latent code
(z0..), the reconstruction error (mean squared error, normalised units), the label, the id and the source line
(or index, or image file), in the same layout as train's embeddings.csv; with --score or --anomaly-label also the
score and whether it is above the model's saved threshold (score_<method>, anomalous).

Options:
  --out FILE         output file (default <modelDir>/embeddings.csv); .json/.npy/.tsv pick that format
  --score S          anomaly score: ${ANOMALY_SCORE_METHODS.join('|')} (default: the model's calibrated default;
                     elbo needs a vae/cvae). Prints its threshold (calibrated on the validation split at the
                     false-positive rate chosen in training) and how many samples it flags
  --anomaly-label L  label value(s), comma-separated, that mark anomalies: also prints precision, recall,
                     false-positive rate, AUROC and the ROC curve of the score
${COMMON_USAGE}
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({ args, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, out: { type: 'string' }, score: { type: 'string' }, 'anomaly-label': { type: 'string' } } }),
  );
  const score = values.score;
  if (score !== undefined && !isAnomalyScoreMethod(score)) throw new UsageError(`--score must be one of ${ANOMALY_SCORE_METHODS.join(', ')}, got "${score}"`);
  const anomalyLabels = typeof values['anomaly-label'] === 'string' ? values['anomaly-label'].split(',').map((s) => s.trim()).filter((s) => s.length > 0) : undefined;
  const modelDir = modelDirArg(positionals);
  const out = path.resolve(typeof values.out === 'string' ? values.out : path.join(modelDir, 'embeddings.csv'));
  return withExplorer(modelDir, values, io, async (explorer) => {
    const e = await explorer.embed();
    // Asked for a score: computed before writing, so the output carries it and the flags at the saved threshold
    // (`score_<method>`, `anomalous`); otherwise the output keeps train's embeddings.csv layout.
    const asked = score !== undefined || anomalyLabels !== undefined;
    const scored = asked ? await explorer.anomalies(score, anomalyLabels) : undefined;
    const files = await explorer.exportEmbeddings(out, formatFromPath(out), values.force === true);
    const report = scored ?? (values.quiet !== true ? await explorer.anomalies() : undefined);
    let mean = 0;
    for (const v of e.errors) mean += v / e.n;
    if (values.quiet !== true) io.stdout.write(`Encoded ${e.n} samples to ${e.latentDim} dimensions; mean reconstruction error ${mean.toPrecision(4)}\n`);
    if (report) io.stdout.write(describeAnomalies(report));
    io.stdout.write(`${files.join('\n')}\n`);
    return 0;
  });
}

export const embedCommand: CliCommand = {
  summary: 'encode a dataset with a saved model and write the codes and reconstruction errors',
  usage: USAGE,
  run,
};
