/**
 * The extension's commands. Every command that asks questions also accepts an options object that skips the UI
 * (integration tests use it) and returns a result object instead of throwing.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { SAMPLE_NAME } from '../core/data/sample';
import type { DataChoices } from '../core/data/dataset';
import { EXPORT_FORMATS, EXPORT_FORMAT_INFO } from '../common/exportFormats';
import { MODEL_KIND_TRAITS } from '../common/modelKinds';
import type { ExportFormat } from '../common/exportFormats';
import type { ModelKind } from '../core/models/types';
import { TRAINABLE_MODEL_KINDS } from '../core/models/types';
import type { BackendPreference, SerializedError, TrainRequest } from '../worker/protocol';
import { serializeError } from '../worker/protocol';
import { defaultExportPath } from '../core/export/outputPaths';
import { getLog, showError } from './log';
import { announceSaved } from './savedFiles';
import { outputFolderPath, outputRootFor } from './outputFolder';
import type { RevealResult } from './reveal';
import { revealSample } from './reveal';
import type { ScoreCommandOptions, ScoreCommandResult } from './scoreCommand';
import { scoreFile } from './scoreCommand';
import { showPanel } from './panelAdapter';
import { isInside, listModelDirs, modelOutDir } from './paths';
import { BACKENDS, readSettings } from './settings';
import { showTrainingForm } from './trainingForm';
import { DEFAULT_WINDOW_LENGTH, defaultWindowStride } from '../common/defaults';
import type { TrainCommandResult, TrainingRunner } from './trainingRunner';

/** Options for `latentExplorer.train` / `trainActiveFile`; any present field skips the form. */
export interface TrainCommandOptions {
  kind?: ModelKind;
  latentDim?: number;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  /** Early stopping patience in epochs (0 = off; default: the training loop's). */
  patience?: number;
  /** Fraction of rows held out for validation (default: the training loop's). */
  validationSplit?: number;
  /** Hidden layer widths, outermost first (default: the model's for the data shape). */
  hidden?: number[];
  /** Label column name; omit for none. */
  labelColumn?: string;
  /** How to read the data (the training form's preview step; `latent-explorer inspect` shows the same choices). */
  data?: DataChoices;
  maxRows?: number;
  /** Sequence models: window length and stride in rows (default 32 / 8). */
  window?: { length: number; stride: number };
  backend?: BackendPreference;
  /** Open the panel when training starts and show the model when it finishes (default true). */
  openPanel?: boolean;
}

/** Every contributed command id (tests check they are all registered). */
export const COMMAND_IDS = [
  'latentExplorer.trainActiveFile',
  'latentExplorer.train',
  'latentExplorer.trySample',
  'latentExplorer.open',
  'latentExplorer.loadModel',
  'latentExplorer.export',
  'latentExplorer.cancelTraining',
  'latentExplorer.selectBackend',
  'latentExplorer.scoreFile',
] as const;

const DATA_FILTERS = { 'Datasets': ['csv', 'tsv', 'txt', 'json', 'jsonl', 'ndjson', 'npy', 'npz', 'parquet', 'arrow', 'feather', 'idx', 'gz', 'ubyte'] };

function isOptions(v: unknown): v is TrainCommandOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri);
}

function latentAndHidden(latentDim: number | undefined, hidden: number[] | undefined): { latentDim?: number; hidden?: number[] } {
  return { ...(latentDim !== undefined ? { latentDim } : {}), ...(hidden !== undefined ? { hidden } : {}) };
}

function errorResult(message: string, e?: unknown): TrainCommandResult {
  showError(message, e);
  const error: SerializedError = e === undefined ? { name: 'Error', message } : serializeError(e);
  return { status: 'error', error };
}

async function trainUri(context: vscode.ExtensionContext, runner: TrainingRunner, uri: vscode.Uri | undefined, options: TrainCommandOptions | undefined): Promise<TrainCommandResult> {
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Train Autoencoder: pick a dataset', canSelectFiles: true, canSelectFolders: true, canSelectMany: false, filters: DATA_FILTERS,
    });
    if (!picked?.[0]) return { status: 'dismissed' };
    uri = picked[0];
  }
  if (uri.scheme !== 'file') return errorResult(`Only local files can be trained on (got ${uri.toString()}).`);
  const datasetPath = uri.fsPath;
  if (!existsSync(datasetPath)) return errorResult(`${datasetPath}: file not found.`);
  const settings = readSettings();
  const choices = options ?? (await showTrainingForm(context, datasetPath, settings));
  if (!choices) return { status: 'dismissed' };
  const kind = choices.kind ?? settings.defaultModel;
  if (!TRAINABLE_MODEL_KINDS.includes(kind)) return errorResult(`Unknown or unavailable model type "${kind}" (available: ${TRAINABLE_MODEL_KINDS.join(', ')}).`);
  const outDir = modelOutDir(outputRootFor(context, uri), settings.outputFolder, datasetPath, kind);
  if (isInside(datasetPath, outDir)) return errorResult(`${datasetPath} lies inside the output folder ${outDir}; move it or change latentExplorer.outputFolder.`);
  const maxRows = options?.maxRows ?? settings.maxRows;
  const request: TrainRequest = {
    datasetPath,
    loadOptions: {
      ...(choices.data ?? {}),
      ...(choices.labelColumn !== undefined ? { labelColumn: choices.labelColumn } : {}),
      ...(maxRows > 0 ? { maxRows } : {}),
      ...(settings.classNames ? { classNames: settings.classNames } : {}),
      ...(choices.window ? { window: choices.window } : MODEL_KIND_TRAITS[kind].input === 'sequence' ? { window: { length: DEFAULT_WINDOW_LENGTH, stride: defaultWindowStride(DEFAULT_WINDOW_LENGTH) } } : {}),
    },
    // Latent size: the form's (or the options') answer, else the setting when set, else the CLI's default for the data.
    model: { kind, ...latentAndHidden(choices.latentDim ?? (settings.latentDim > 0 ? settings.latentDim : undefined), choices.hidden) },
    train: {
      epochs: choices.epochs ?? settings.epochs,
      seed: choices.seed ?? settings.seed,
      batchSize: options?.batchSize ?? settings.batchSize,
      ...(choices.learningRate !== undefined ? { learningRate: choices.learningRate } : {}),
      ...(choices.patience !== undefined ? { patience: choices.patience } : {}),
      ...(choices.validationSplit !== undefined ? { validationSplit: choices.validationSplit } : {}),
    },
    outDir,
    backend: options?.backend ?? settings.backend,
    threads: settings.threads,
  };
  return runWithPanel(context, runner, request, options);
}

/** Opens the panel as training starts (live loss curves and per-epoch embedding), shows the model when it is done. */
async function runWithPanel(context: vscode.ExtensionContext, runner: TrainingRunner, request: TrainRequest, options: TrainCommandOptions | undefined): Promise<TrainCommandResult> {
  if (options?.openPanel !== false && !runner.training) showPanel(context);
  const result = await runner.train(request);
  if (result.status === 'done' && options?.openPanel !== false && runner.explorer) showPanel(context, runner.explorer);
  return result;
}

/**
 * Trains the default dense autoencoder on the sample digits that ship with the extension, so a new user sees the
 * panel within seconds without a file of their own. Written under the first workspace folder's output folder, or
 * the extension's global storage when no folder is open.
 */
async function trainSample(context: vscode.ExtensionContext, runner: TrainingRunner, options: TrainCommandOptions | undefined): Promise<TrainCommandResult> {
  const settings = readSettings();
  const kind = options?.kind ?? 'dense';
  const request: TrainRequest = {
    loadOptions: options?.maxRows !== undefined ? { maxRows: options.maxRows } : {},
    model: { kind, ...(options?.latentDim !== undefined ? { latentDim: options.latentDim } : {}) },
    train: { epochs: options?.epochs ?? settings.epochs, seed: options?.seed ?? settings.seed, batchSize: options?.batchSize ?? settings.batchSize },
    outDir: modelOutDir(outputRootFor(context), settings.outputFolder, SAMPLE_NAME, kind),
    backend: options?.backend ?? settings.backend,
    threads: settings.threads,
  };
  return runWithPanel(context, runner, request, options);
}

function activeFileUri(): vscode.Uri | undefined {
  const editorUri = vscode.window.activeTextEditor?.document.uri;
  if (editorUri?.scheme === 'file') return editorUri;
  // Binary datasets (npy, idx) open in custom editors or the binary placeholder: use the active tab's resource.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
  return input?.uri instanceof vscode.Uri && input.uri.scheme === 'file' ? input.uri : undefined;
}

/** Registers every command; returns their disposables (already pushed onto `context.subscriptions`). */
export function registerCommands(context: vscode.ExtensionContext, runner: TrainingRunner): void {
  const reg = (id: string, fn: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  reg('latentExplorer.trainActiveFile', async (options?: unknown): Promise<TrainCommandResult> => {
    const uri = activeFileUri();
    if (!uri) return errorResult('Open a dataset file (CSV, TSV, JSON, NPY, IDX…) in the editor first.');
    return trainUri(context, runner, uri, isOptions(options) ? options : undefined);
  });

  // From the Explorer context menu VS Code passes (uri, selectedUris); tests pass (uri, options).
  reg('latentExplorer.train', async (uri?: unknown, options?: unknown): Promise<TrainCommandResult> => {
    const target = uri instanceof vscode.Uri ? uri : undefined;
    const opts = isOptions(options) ? options : isOptions(uri) ? uri : undefined;
    return trainUri(context, runner, target, opts);
  });

  reg('latentExplorer.trySample', async (options?: unknown): Promise<TrainCommandResult> => trainSample(context, runner, isOptions(options) ? options : undefined));

  reg('latentExplorer.cancelTraining', async (): Promise<string> => runner.cancel());

  reg('latentExplorer.open', (): boolean => {
    const shown = showPanel(context, runner.explorer);
    if (!shown) showError('The Latent Explorer panel is not available in this build.');
    return shown;
  });

  reg('latentExplorer.loadModel', async (modelDir?: unknown): Promise<{ status: 'done' | 'dismissed' | 'error'; modelDir?: string; error?: SerializedError }> => {
    const settings = readSettings();
    let dir = typeof modelDir === 'string' ? modelDir : modelDir instanceof vscode.Uri ? modelDir.fsPath : undefined;
    if (!dir) {
      const root = outputFolderPath(context, settings);
      const models = listModelDirs(root);
      if (models.length === 0) {
        showError(`No saved models under ${root}: train one first (models are saved with a latent-explorer.json).`);
        return { status: 'error', error: { name: 'Error', message: `no models under ${root}` } };
      }
      const pick = await vscode.window.showQuickPick(
        models.map((m) => ({ label: m.name, description: new Date(m.mtimeMs).toLocaleString(), dir: m.dir })),
        { title: 'Load Model', placeHolder: `Saved models in ${root}` },
      );
      if (!pick) return { status: 'dismissed' };
      dir = pick.dir;
    }
    try {
      const explorer = await runner.load(dir, settings.backend);
      showPanel(context, explorer);
      return { status: 'done', modelDir: dir };
    } catch (e) {
      showError(`Could not load the model in ${dir}: ${e instanceof Error ? e.message : String(e)}`, e);
      return { status: 'error', error: serializeError(e) };
    }
  });

  reg('latentExplorer.export', async (options?: unknown): Promise<{ status: 'done' | 'dismissed' | 'error'; files?: string[]; error?: SerializedError }> => {
    const explorer = runner.explorer;
    if (!explorer?.hasModel) {
      showError('No model to export: train or load one first.');
      return { status: 'error', error: { name: 'Error', message: 'no model' } };
    }
    const o = (typeof options === 'object' && options !== null ? options : {}) as { path?: string; format?: ExportFormat; overwrite?: boolean };
    let format = o.format;
    if (!format) {
      const items = EXPORT_FORMATS.map((f) => ({ label: EXPORT_FORMAT_INFO[f].label, description: EXPORT_FORMAT_INFO[f].description, format: f }));
      const pick = await vscode.window.showQuickPick(items, { title: 'Export Embeddings' });
      if (!pick) return { status: 'dismissed' };
      format = pick.format;
    }
    let path = o.path;
    if (!path) {
      const ext = EXPORT_FORMAT_INFO[format].ext;
      const uri = await vscode.window.showSaveDialog({
        title: 'Export Embeddings', defaultUri: vscode.Uri.file(resolve(outputRootFor(context), defaultExportPath(explorer.info(), format))), filters: { [EXPORT_FORMAT_INFO[format].label]: [ext] },
      });
      if (!uri) return { status: 'dismissed' };
      path = uri.fsPath;
    }
    const info = explorer.info();
    if (resolve(path) === resolve(info.datasetPath)) return { ...errorResult('Refusing to overwrite the dataset itself.'), status: 'error' };
    // The save dialog already asked about replacing an existing file.
    const overwrite = o.overwrite ?? (o.path === undefined && existsSync(path) && statSync(path).isFile());
    try {
      const files = await explorer.exportEmbeddings(path, format, overwrite);
      getLog().info(`exported ${format} to ${files.join(', ')}`);
      void announceSaved('exported', files);
      return { status: 'done', files };
    } catch (e) {
      showError(`Export failed: ${e instanceof Error ? e.message : String(e)}`, e);
      return { status: 'error', error: serializeError(e) };
    }
  });

  reg('latentExplorer.selectBackend', async (choice?: unknown): Promise<BackendPreference | undefined> => {
    const current = readSettings().backend;
    let pick = typeof choice === 'string' && (BACKENDS as readonly string[]).includes(choice) ? (choice as BackendPreference) : undefined;
    if (!pick) {
      const descriptions: Record<BackendPreference, string> = {
        auto: 'tfjs-node if installed, else WebAssembly, else JavaScript',
        tensorflow: 'native TensorFlow (@tensorflow/tfjs-node, optional)',
        wasm: 'WebAssembly (XNNPACK, SIMD)',
        cpu: 'pure JavaScript (slowest, always available)',
      };
      const item = await vscode.window.showQuickPick(
        BACKENDS.map((b) => ({ label: b, description: descriptions[b], detail: b === current ? 'current' : undefined })),
        { title: 'Select Compute Backend', placeHolder: 'Used by the next training or model load' },
      );
      if (!item) return undefined;
      pick = item.label;
    }
    const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('latentExplorer').update('backend', pick, target);
    getLog().info(`compute backend preference: ${pick}`);
    return pick;
  });

  // From the Explorer context menu VS Code passes (uri, selectedUris); tests pass (uri, options).
  reg('latentExplorer.scoreFile', async (uri?: unknown, options?: unknown): Promise<ScoreCommandResult> => {
    const target = uri instanceof vscode.Uri ? uri : activeFileUri();
    const opts = isOptions(options) ? options : isOptions(uri) ? uri : undefined;
    return scoreFile(context, runner, target, opts as ScoreCommandOptions | undefined);
  });

  // Internal (not contributed): reveals sample `index` of the current model's data as the panel's button does.
  reg('latentExplorer.revealSample', async (index?: unknown): Promise<RevealResult | { error: string }> => {
    const explorer = runner.explorer;
    if (!explorer?.hasModel) return { error: 'no model' };
    if (typeof index !== 'number') return { error: 'expected a sample index' };
    return revealSample(context, await explorer.sample(index), explorer.info());
  });
}
