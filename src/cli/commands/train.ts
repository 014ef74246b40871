/**
 * `latent-explorer train [dataset] [options]`: trains an autoencoder (default dataset: the 2,000 sample digits that
 * ship with the project), saves it and writes `embeddings.csv`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, DEFAULT_WINDOW_LENGTH, defaultWindowStride } from '../../common/defaults';
import * as path from 'node:path';
import { initBackend, describeBackend, isBackendPreference } from '../../core/backend/backend';
import { MAX_COMPUTE_THREADS, setComputeThreads } from '../../core/kernels/computePool';
import type { LoadOptions } from '../../core/data/dataset';
import { SAMPLE_SIZE } from '../../core/data/sample';
import { DEFAULT_IMAGE_LATENT, SMALL_IMAGE_SET, availableModelKinds, defaultModelConfig, isModelKind } from '../../core/models/index';
import type { ModelConfig, ModelKind } from '../../core/models/types';
import { defaultOutDir, runTrainingPipeline } from '../../core/pipeline';
import { codeIndices, hasCodeIndices } from '../../core/inference';
import type { TrainOptions } from '../../core/training/types';
import { DEFAULT_MIN_IMPROVEMENT, DEFAULT_TRAIN_OPTIONS, PLATEAU_WINDOW } from '../../core/training/train';
import type { CliCommand, CliIo } from '../command';
import { UsageError, flagOptions, intOption, valueOptions } from '../command';
import { ProgressBar } from '../progressBar';
import { DATA_OPTIONS, DATA_USAGE, loadProgress, parseDataFlags, printWarnings } from '../dataOptions';
import { assertOutDirFree } from '../outDir';
import { DEFAULT_TARGET_FPR } from '../../core/analysis/anomalyModel';
import { DEFAULT_NOISE } from '../../core/models/denoising';

/** IDEC fine-tuning epochs when `--idec` is given without `--idec-epochs`. */
export const DEFAULT_IDEC_EPOCHS = 10;

/** Epochs when `--epochs` is not given (2,000 MNIST digits, dense, wasm: about 10 s). */
export const DEFAULT_CLI_EPOCHS = 20;

const USAGE = `Usage: latent-explorer train [dataset] [options]

Trains an autoencoder on a dataset (CSV, TSV, JSON, JSONL, NPY, NPZ, IDX or a folder of images) and writes the
model (model.json, weights.bin, latent-explorer.json) and embeddings.csv. Without a dataset, trains on the
${SAMPLE_SIZE.toLocaleString('en')} sample digits (28x28 MNIST images) that ship with Latent Explorer.

Options:
  --model KIND       ${availableModelKinds().join('|')} (default dense)
  --latent N         latent dimensions (default 8 for tables, ${DEFAULT_IMAGE_LATENT} for images)
  --hidden A,B       hidden layer widths, outermost first (default ${defaultModelConfig('dense', [256]).hidden.join(',')} from 256 features; ${SMALL_IMAGE_SET.hidden.join(',')} for a
                     dense model of ${SMALL_IMAGE_SET.minRows.toLocaleString('en')}-${SMALL_IMAGE_SET.maxRows.toLocaleString('en')} such samples, then trained at batch ${SMALL_IMAGE_SET.batchSize} without the plateau rule)
  --epochs N         training epochs (default ${DEFAULT_CLI_EPOCHS})
  --batch N          batch size (default auto: 64, or 128 from 16,384 training rows)
  --lr X             Adam learning rate (default 0.001)
  --patience N       early stopping patience in epochs, 0 = off (default ${DEFAULT_TRAIN_OPTIONS.patience})
  --min-improvement X  early stopping also ends a plateau: ${PLATEAU_WINDOW} epochs that gained less than X of the
                     (log) loss improvement so far; 0 = off (default ${DEFAULT_MIN_IMPROVEMENT})
  --seed N           seed for everything random (default ${DEFAULT_SEED})
  --beta X           vae/cvae: weight of the KL term (default 1; > 1 = beta-VAE)
  --noise T:L        denoising: input corruption, gaussian:STD or masking:FRACTION (default ${DEFAULT_NOISE.type}:${DEFAULT_NOISE.level})
  --codebook N       vqvae: codebook size (default 32)
  --commitment X     vqvae: commitment cost (default 0.25)
  --pretrain-epochs N  stacked: greedy pretraining epochs per layer (default: a quarter of --epochs)
  --window N         treat a table as a time series cut into windows of N rows (sequence model; default ${DEFAULT_WINDOW_LENGTH})
  --stride N         rows between window starts (default window / 4)
  --backend B        auto|tensorflow|wasm|cpu (default auto)
  --threads N        threads the wasm backend computes on, 0 = auto: every core (default 0); same results for any N
  --out DIR          output folder (default .latent/<dataset>-<model> next to the dataset)
  --force            replace the model in an existing output folder
  --anomaly-fpr X    false-positive rate of the anomaly thresholds, set on the validation split (default ${DEFAULT_TARGET_FPR})
  --idec K           after training, IDEC fine-tuning towards K clusters (reconstruction + KL to a sharpened
                     target distribution; dense-like models, not cvae)
  --idec-epochs N    IDEC epochs (default ${DEFAULT_IDEC_EPOCHS})
  --quiet            no progress output
  --verbose          also list the compute backend's kernel fixes
  -h, --help         this help

${DATA_USAGE}
`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

/** A number in [0, 1), or undefined when not given. */
function fractionOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError(`--${name} must be a number from 0 to below 1, got "${value}"`);
  return n;
}

function parse(args: string[]): ReturnType<typeof parseTrainArgs> {
  try {
    return parseTrainArgs(args);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Parsed and validated `train` arguments. */
export function parseTrainArgs(args: string[]): {
  datasetPath?: string;
  kind: ModelKind;
  model: Partial<ModelConfig>;
  train: Partial<Omit<TrainOptions, 'onProgress' | 'signal'>>;
  loadOptions: LoadOptions;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  threads?: number;
  outDir?: string;
  force: boolean;
  quiet: boolean;
  verbose: boolean;
  anomalyFpr?: number;
  idec?: { k: number; epochs: number };
} {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ...valueOptions('model', 'latent', 'hidden', 'epochs', 'batch', 'lr', 'patience', 'min-improvement', 'seed', 'beta', 'noise', 'codebook', 'commitment'),
      ...valueOptions('pretrain-epochs', 'window', 'stride', 'backend', 'threads', 'out', 'anomaly-fpr', 'idec', 'idec-epochs'),
      ...DATA_OPTIONS,
      ...flagOptions('force', 'quiet', 'verbose'),
    },
  });
  if (positionals.length > 1) throw new UsageError(`expected at most one dataset, got ${positionals.length}: ${positionals.join(' ')}`);
  const kind = values.model ?? 'dense';
  if (!isModelKind(kind) || !availableModelKinds().includes(kind)) throw new UsageError(`--model must be one of ${availableModelKinds().join(', ')}, got "${kind}"`);
  const backend = values.backend ?? 'auto';
  if (!isBackendPreference(backend)) throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got "${backend}"`);
  const model: Partial<ModelConfig> = {};
  const latent = intOption('latent', values.latent, 1);
  if (latent !== undefined) model.latentDim = latent;
  if (values.hidden !== undefined) {
    model.hidden = values.hidden === '' ? [] : values.hidden.split(',').map((s) => intOption('hidden', s.trim(), 1) as number);
  }
  const seed = intOption('seed', values.seed, 0);
  if (seed !== undefined) model.seed = seed;
  const beta = numberOption('beta', values.beta);
  if (beta !== undefined) model.beta = beta;
  if (values.noise !== undefined) {
    const [type, level] = values.noise.split(':');
    const lv = Number(level);
    if ((type !== 'gaussian' && type !== 'masking') || !(lv >= 0) || (type === 'masking' && lv >= 1)) throw new UsageError(`--noise must be gaussian:STD or masking:FRACTION (fraction < 1), got "${values.noise}"`);
    if (kind !== 'denoising') throw new UsageError('--noise applies to --model denoising');
    model.noise = { type, level: lv };
  }
  const codebook = intOption('codebook', values.codebook, 2);
  if (codebook !== undefined) model.codebookSize = codebook;
  const commitment = numberOption('commitment', values.commitment);
  if (commitment !== undefined) model.commitmentCost = commitment;
  const pretrain = intOption('pretrain-epochs', values['pretrain-epochs'], 0);
  if (pretrain !== undefined) model.pretrainEpochs = pretrain;
  const train: Partial<Omit<TrainOptions, 'onProgress' | 'signal'>> = {
    epochs: intOption('epochs', values.epochs, 1) ?? DEFAULT_CLI_EPOCHS,
    batchSize: intOption('batch', values.batch, 1),
    learningRate: numberOption('lr', values.lr),
    patience: intOption('patience', values.patience, 0),
    minImprovement: fractionOption('min-improvement', values['min-improvement']),
    seed,
  };
  const loadOptions: LoadOptions = parseDataFlags(values);
  const windowLength = intOption('window', values.window, 2) ?? (kind === 'sequence' ? DEFAULT_WINDOW_LENGTH : undefined);
  const stride = intOption('stride', values.stride, 1);
  if (windowLength !== undefined) loadOptions.window = { length: windowLength, stride: stride ?? defaultWindowStride(windowLength) };
  else if (stride !== undefined) throw new UsageError('--stride needs --window (or --model sequence)');
  const anomalyFpr = numberOption('anomaly-fpr', values['anomaly-fpr']);
  if (anomalyFpr !== undefined && !(anomalyFpr > 0 && anomalyFpr < 1)) throw new UsageError(`--anomaly-fpr must be in (0, 1), got ${anomalyFpr}`);
  if (loadOptions.window !== undefined && loadOptions.imageShape !== undefined) throw new UsageError('--image-shape and --window exclude each other (images or a time series)');
  const threads = intOption('threads', values.threads, 0);
  if (threads !== undefined && threads > MAX_COMPUTE_THREADS) throw new UsageError(`--threads must be at most ${MAX_COMPUTE_THREADS}, got ${threads}`);
  const idecK = intOption('idec', values.idec, 2);
  const idecEpochs = intOption('idec-epochs', values['idec-epochs'], 1);
  if (idecEpochs !== undefined && idecK === undefined) throw new UsageError('--idec-epochs needs --idec K');
  const idec = idecK !== undefined ? { k: idecK, epochs: idecEpochs ?? DEFAULT_IDEC_EPOCHS } : undefined;
  return { datasetPath: positionals[0], kind, model, train, loadOptions, backend, threads, outDir: values.out, force: values.force === true, quiet: values.quiet === true, verbose: values.verbose === true, anomalyFpr, ...(idec ? { idec } : {}) };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const opts = parse(args);
  if (opts.threads !== undefined) setComputeThreads(opts.threads);
  const datasetPath = opts.datasetPath === undefined ? undefined : path.resolve(opts.datasetPath);
  const outDir = path.resolve(opts.outDir ?? defaultOutDir(datasetPath, opts.kind));
  assertOutDirFree(outDir, opts.force);
  const info = await initBackend(opts.backend);
  if (!opts.quiet) io.stdout.write(`Backend: ${describeBackend(info, opts.verbose)}\n`);
  if (opts.datasetPath === undefined && !opts.quiet) io.stdout.write(`No dataset given: training on the ${SAMPLE_SIZE.toLocaleString('en')} sample digits.\n`);
  const bar = opts.quiet ? undefined : new ProgressBar(io.stdout);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const out = await runTrainingPipeline({
      datasetPath,
      loadOptions: opts.quiet || datasetPath === undefined ? opts.loadOptions : { ...opts.loadOptions, onProgress: loadProgress(io, path.basename(datasetPath)) },
      onDataset: (ds) => printWarnings(io, ds),
      model: { ...opts.model, kind: opts.kind },
      ...(opts.idec ? { idec: opts.idec } : {}),
      train: opts.train,
      outDir,
      anomalyFpr: opts.anomalyFpr,
      onProgress: bar ? (p): void => bar.update(p) : undefined,
      signal: abort.signal,
      log: opts.quiet ? undefined : (m): void => void io.stdout.write(`${m}\n`),
    });
    bar?.finish();
    const codes = hasCodeIndices(out.model) && !out.result.cancelled ? codeIndices(out.model, out.normalized, out.dataset.n) : undefined;
    out.model.dispose();
    const r = out.result;
    const last = r.history.at(-1);
    if (r.cancelled) {
      io.stderr.write('Training cancelled; nothing saved.\n');
      return 130;
    }
    const val = last?.valLoss !== undefined ? `, val loss ${last.valLoss.toPrecision(4)}` : '';
    io.stdout.write(
      `Trained ${out.dataset.n} samples for ${r.history.length} epoch(s)${r.stoppedEarly ? ' (stopped early)' : ''} in ${r.seconds.toFixed(1)} s` +
        ` (${Math.round(r.samplesPerSec)} samples/s); loss ${last ? last.loss.toPrecision(4) : '-'}${val}\n`,
    );
    for (const s of r.stages ?? []) {
      io.stdout.write(`  stage ${s.name}: ${s.epochs} epoch(s)${s.finalLoss !== undefined ? `, loss ${s.finalLoss.toPrecision(4)}` : ''}${s.finalValLoss !== undefined ? `, val ${s.finalValLoss.toPrecision(4)}` : ''}\n`);
    }
    if (codes) {
      const perplexity = last?.parts.perplexity;
      io.stdout.write(`Codebook: ${new Set(codes).size}/${out.model.config.codebookSize ?? '?'} codes used by the data${perplexity !== undefined ? `; perplexity ${perplexity.toPrecision(3)} per batch (last epoch)` : ''}\n`);
    }
    const cal = out.anomaly;
    const th = cal?.thresholds[cal.defaultMethod];
    if (cal && th) {
      io.stdout.write(`Anomaly threshold (${cal.defaultMethod} score): ${th.threshold.toPrecision(5)}, for ${(cal.targetFpr * 100).toFixed(1)}% false positives (${(th.expectedFpr * 100).toFixed(1)}% on ${cal.calibrationRows} ${cal.heldOut ? 'held-out validation' : 'training'} rows)\n`);
    }
    io.stdout.write(`Model: ${out.outDir}\nEmbeddings: ${path.join(out.outDir, 'embeddings.csv')}\n`);
    return 0;
  } finally {
    bar?.finish();
    process.removeListener('SIGINT', onSigint);
  }
}

export const trainCommand: CliCommand = {
  summary: 'train an autoencoder on a dataset (default: the sample digits) and write the model and embeddings.csv',
  usage: USAGE,
  run,
};
