/**
 * The "Train Autoencoder…" form: a multi-step QuickPick (model type, latent size, epochs, seed, then the data
 * preview where the label and every other reading choice is confirmed) whose answers are remembered per workspace
 * and seeded from the settings.
 */
import * as vscode from 'vscode';
import type { ModelKind } from '../common/modelKinds';
import { MODEL_KIND_TRAITS, isModelKind } from '../common/modelKinds';
import { DEFAULT_WINDOW_LENGTH, defaultWindowStride } from '../common/defaults';
import { TRAINABLE_MODEL_KINDS } from '../core/models/types';
import type { DataChoices } from '../core/data/dataset';
import { previewData } from './dataPreview';
import type { Settings } from './settings';

export interface TrainChoices {
  kind: ModelKind;
  latentDim: number;
  epochs: number;
  seed: number;
  /** Undefined: no label column. */
  labelColumn?: string;
  /** Sequence models: rows per window and rows between window starts. */
  window?: { length: number; stride: number };
  /** How to read the data, as confirmed in the preview step (label, id, time, ignored columns, header, ...). */
  data?: DataChoices;
}


const MODEL_DESCRIPTIONS: Record<ModelKind, string> = {
  dense: 'MLP encoder/decoder',
  tied: 'decoder reuses the encoder weights (transposed)',
  denoising: 'learns to undo input noise',
  sparse: 'L1 penalty on the code',
  vae: 'variational: smooth latent space, sampling',
  conv: 'convolutional, for images',
  cvae: 'conditional VAE (needs a label column)',
  stacked: 'layer-wise pretraining, then fine-tuning',
  vqvae: 'vector-quantised codebook',
  sequence: 'for time-series windows',
};

const FORM_KEY = 'latentExplorer.trainForm';
const dataKey = (datasetPath: string): string => `latentExplorer.data:${datasetPath}`;
/** Steps of the form for a model kind: the sequence model asks for its window length too. */
export function formSteps(kind: ModelKind): number {
  return MODEL_KIND_TRAITS[kind].input === 'sequence' ? 6 : 5;
}

/** The defaults the form starts from: last answers in this workspace, else the settings. */
export function formDefaults(state: vscode.Memento, settings: Settings): Omit<TrainChoices, 'labelColumn'> {
  const last = state.get<Partial<TrainChoices>>(FORM_KEY) ?? {};
  return {
    kind: isModelKind(last.kind) ? last.kind : settings.defaultModel,
    latentDim: last.latentDim ?? settings.latentDim,
    epochs: last.epochs ?? settings.epochs,
    seed: last.seed ?? settings.seed,
  };
}

function intInput(step: number, total: number, title: string, prompt: string, value: number, min: number, max: number): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `${title} (${step}/${total})`,
    prompt,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: (s) => {
      const n = Number(s);
      return Number.isInteger(n) && n >= min && n <= max ? undefined : `Enter a whole number from ${min} to ${max}.`;
    },
  });
}

/** Shows the form for `datasetPath`; resolves undefined when the user dismisses any step. */
export async function showTrainingForm(context: vscode.ExtensionContext, datasetPath: string, settings: Settings): Promise<TrainChoices | undefined> {
  const title = 'Train Autoencoder';
  const d = formDefaults(context.workspaceState, settings);
  const available = TRAINABLE_MODEL_KINDS;
  const kinds = [...(available.includes(d.kind) ? [d.kind] : []), ...available.filter((k) => k !== d.kind)];
  const kindPick = await vscode.window.showQuickPick(
    kinds.map((k) => ({ label: k, description: MODEL_DESCRIPTIONS[k], detail: k === d.kind ? 'last used / default' : undefined })),
    { title: `${title} (1/${formSteps(d.kind)})`, placeHolder: 'Model type', ignoreFocusOut: true },
  );
  if (!kindPick) return undefined;
  const kind = kindPick.label as ModelKind;
  const total = formSteps(kind);
  const latent = await intInput(2, total, title, 'Latent size (dimensions of the code)', d.latentDim, 1, 1024);
  if (latent === undefined) return undefined;
  const epochs = await intInput(3, total, title, 'Epochs', d.epochs, 1, 100000);
  if (epochs === undefined) return undefined;
  const seed = await intInput(4, total, title, 'Seed (same seed, same model)', d.seed, 0, 2 ** 31 - 1);
  if (seed === undefined) return undefined;
  let window: TrainChoices['window'];
  if (MODEL_KIND_TRAITS[kind].input === 'sequence') {
    const length = await intInput(5, total, title, 'Window length: rows of the time series per sample (windows start every quarter window)', DEFAULT_WINDOW_LENGTH, 2, 4096);
    if (length === undefined) return undefined;
    window = { length: Number(length), stride: defaultWindowStride(Number(length)) };
  }

  const remembered = context.workspaceState.get<DataChoices>(dataKey(datasetPath)) ?? {};
  const data = await previewData(datasetPath, `${title} (${total}/${total})`, remembered);
  if (!data) return undefined;
  await context.workspaceState.update(dataKey(datasetPath), data);
  const labelColumn = data.labelColumn !== undefined && data.labelColumn !== '' ? data.labelColumn : undefined;
  const choices: TrainChoices = { kind, latentDim: Number(latent), epochs: Number(epochs), seed: Number(seed), labelColumn, data, ...(window ? { window } : {}) };
  await context.workspaceState.update(FORM_KEY, { kind: choices.kind, latentDim: choices.latentDim, epochs: choices.epochs, seed: choices.seed });
  return choices;
}
