/**
 * The options and set-up that every command on a saved model shares (`embed`, `cluster`, `export`): backend, data
 * flags, output overwriting, and opening the model as a `LocalExplorer`.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { describeBackend, initBackend, isBackendPreference } from '../core/backend/backend';
import { LocalExplorer } from '../core/localExplorer';
import type { CliIo } from './command';
import { UsageError, flagOptions, optionText, parseOrUsage, valueOptions } from './command';
import { DATA_OPTIONS, DATA_USAGE, parseDataFlags } from './dataOptions';

/** Options every explorer command accepts. */
export const COMMON_OPTIONS = { ...DATA_OPTIONS, ...valueOptions('data', 'backend'), ...flagOptions('force', 'quiet', 'verbose') };

export const COMMON_USAGE = `  --data PATH        dataset to encode (default: the one the model was trained on)
  --backend B        auto|tensorflow|wasm|cpu (default auto)
  --force            replace existing output files
  --quiet            print only errors
  --verbose          also list the compute backend's kernel fixes
  -h, --help         this help

${DATA_USAGE.replace('Data options', 'Data options (default: the choices saved with the model)')}`;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
interface ModelArgsConfig<O extends OptionsConfig> {
  args: string[];
  allowPositionals: true;
  strict: true;
  options: typeof COMMON_OPTIONS & O;
}
/** The flag values `parseModelArgs` returns for a command's own options O (plus COMMON_OPTIONS). */
export type ModelArgsValues<O extends OptionsConfig> = ReturnType<typeof parseArgs<ModelArgsConfig<O>>>['values'];

/**
 * Parses a command on a saved model: `<modelDir>` and COMMON_OPTIONS plus the command's own `options` (strict: an
 * unknown flag or a missing model folder is a usage error).
 */
export function parseModelArgs<const O extends OptionsConfig>(args: string[], options: O): { values: ModelArgsValues<O>; modelDir: string } {
  const config: ModelArgsConfig<O> = { args, allowPositionals: true, strict: true, options: { ...COMMON_OPTIONS, ...options } };
  const { values, positionals } = parseOrUsage(() => parseArgs(config));
  return { values, modelDir: modelDirArg(positionals) };
}

/** The single `<modelDir>` positional. */
function modelDirArg(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected one model folder, got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}`);
  return path.resolve(positionals[0]);
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
  if (!isBackendPreference(backend)) throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got "${optionText(backend)}"`);
  const info = await initBackend(backend);
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
