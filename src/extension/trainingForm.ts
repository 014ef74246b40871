/**
 * The "Train Autoencoder…" form: a multi-step QuickPick. First the data preview (what was detected: format, shape,
 * the paired labels file, class names; every reading choice and column role, time and id columns included, can be
 * changed there), then model type, latent size (the CLI's default for this data shape unless the setting fixes one),
 * epochs, seed, the window of a sequence model, and a last step that starts training or opens the Advanced fields
 * (learning rate, hidden sizes, validation split, patience). Answers are remembered per workspace (the reading
 * choices and latent size per dataset).
 */
import * as vscode from 'vscode';
import type { ModelKind } from '../common/modelKinds';
import { MODEL_KIND_TRAITS, isModelKind } from '../common/modelKinds';
import { DEFAULT_WINDOW_LENGTH, defaultWindowStride } from '../common/defaults';
import { TRAINABLE_MODEL_KINDS } from '../core/models/types';
import type { DataChoices } from '../core/data/dataset';
import { previewData } from './dataPreview';
import type { Settings } from './settings';
import type { AdvancedChoices, FormStep } from './trainingFormModel';
import { advancedDefaults, hiddenBySize, latentDefault, parseFraction, parseHidden, parsePositive, previewRows, stepLabel } from './trainingFormModel';

export interface TrainChoices extends Partial<AdvancedChoices> {
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
const latentKey = (datasetPath: string, kind: ModelKind): string => `latentExplorer.latent:${kind}:${datasetPath}`;

/** The defaults the form starts from: last answers in this workspace, else the settings. */
export function formDefaults(state: vscode.Memento, settings: Settings): Pick<TrainChoices, 'kind' | 'epochs' | 'seed'> {
  const last = state.get<Partial<TrainChoices>>(FORM_KEY) ?? {};
  return {
    kind: isModelKind(last.kind) ? last.kind : settings.defaultModel,
    epochs: last.epochs ?? settings.epochs,
    seed: last.seed ?? settings.seed,
  };
}

function validated(parse: (s: string) => unknown, hint: string): (s: string) => string | undefined {
  return (s) => (parse(s) === undefined ? hint : undefined);
}

function wholeNumber(min: number, max: number): (s: string) => number | undefined {
  return (s) => {
    const n = Number(s);
    return s.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
}

async function ask<T>(title: string, prompt: string, value: string, parse: (s: string) => T | undefined, hint: string): Promise<T | undefined> {
  const s = await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: validated(parse, hint) });
  return s === undefined ? undefined : parse(s);
}

/**
 * The last step: Start, or change one Advanced field and come back. Resolves to the chosen values, or undefined when
 * dismissed.
 */
async function startStep(title: string, defaults: AdvancedChoices, kind: ModelKind, hiddenNote?: string): Promise<AdvancedChoices | undefined> {
  const a = { ...defaults };
  const usesHidden = kind !== 'conv' && kind !== 'sequence';
  for (;;) {
    type Field = 'start' | 'learningRate' | 'hidden' | 'validationSplit' | 'patience';
    const items: (vscode.QuickPickItem & { field: Field })[] = [
      { label: '$(play) Start training', field: 'start' },
      { label: 'Advanced', kind: vscode.QuickPickItemKind.Separator, field: 'start' },
      { label: `Learning rate: ${a.learningRate}`, description: 'Adam step size', field: 'learningRate' },
      ...(usesHidden ? [{ label: `Hidden sizes: ${hiddenNote !== undefined && a.hidden === defaults.hidden ? `by the dataset's size (${hiddenNote})` : a.hidden.length > 0 ? a.hidden.join(', ') : 'none'}`, description: 'encoder layer widths, outermost first', field: 'hidden' as const }] : []),
      { label: `Validation split: ${(a.validationSplit * 100).toFixed(0)}%`, description: 'held out for validation loss, early stopping and the anomaly threshold', field: 'validationSplit' },
      { label: `Early-stopping patience: ${a.patience === 0 ? 'off' : `${a.patience} epochs`}`, description: 'epochs without improvement before stopping', field: 'patience' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Start, or change an advanced setting', ignoreFocusOut: true });
    if (!pick) return undefined;
    switch (pick.field) {
      case 'start':
        return a;
      case 'learningRate':
        a.learningRate = (await ask(title, 'Learning rate (Adam)', String(a.learningRate), parsePositive, 'A positive number, e.g. 0.001.')) ?? a.learningRate;
        break;
      case 'hidden':
        a.hidden = (await ask(title, 'Hidden layer widths, outermost first (empty: none)', a.hidden.join(', '), parseHidden, 'Whole numbers separated by commas, e.g. 256, 64.')) ?? a.hidden;
        break;
      case 'validationSplit':
        a.validationSplit = (await ask(title, 'Validation split (fraction or %)', `${(a.validationSplit * 100).toFixed(0)}%`, parseFraction, 'From 0% to 90%.')) ?? a.validationSplit;
        break;
      case 'patience':
        a.patience = (await ask(title, 'Early-stopping patience in epochs (0 = off)', String(a.patience), wholeNumber(0, 100000), 'A whole number, 0 or more.')) ?? a.patience;
        break;
    }
  }
}

/** Shows the form for `datasetPath`; resolves undefined when the user dismisses any step. */
export async function showTrainingForm(context: vscode.ExtensionContext, datasetPath: string, settings: Settings): Promise<TrainChoices | undefined> {
  const title = 'Train Autoencoder';
  const state = context.workspaceState;
  const d = formDefaults(state, settings);
  const at = (step: FormStep, kind: ModelKind): string => `${title} ${stepLabel(step, kind)}`;

  const remembered = state.get<DataChoices>(dataKey(datasetPath)) ?? {};
  const preview = await previewData(datasetPath, at('data', d.kind), remembered);
  if (!preview) return undefined;
  const { choices: data, report } = preview;
  await state.update(dataKey(datasetPath), data);

  const available = TRAINABLE_MODEL_KINDS;
  const kinds = [...(available.includes(d.kind) ? [d.kind] : []), ...available.filter((k) => k !== d.kind)];
  const kindPick = await vscode.window.showQuickPick(
    kinds.map((k) => ({ label: k, description: MODEL_DESCRIPTIONS[k], detail: k === d.kind ? 'last used / default' : undefined })),
    { title: at('kind', d.kind), placeHolder: `Model type for ${report.kind === 'table' ? `${report.dim} features` : `${report.sampleShape.join('×')} ${report.kind}s`}`, ignoreFocusOut: true },
  );
  if (!kindPick) return undefined;
  const kind = kindPick.label;
  const latentStart = state.get<number>(latentKey(datasetPath, kind)) ?? latentDefault(kind, report.sampleShape, settings.latentDim);
  const latentDim = await ask(at('latent', kind), 'Latent size (dimensions of the code)', String(latentStart), wholeNumber(1, 1024), 'A whole number from 1 to 1024.');
  if (latentDim === undefined) return undefined;
  const epochs = await ask(at('epochs', kind), 'Epochs', String(d.epochs), wholeNumber(1, 100000), 'A whole number from 1 to 100000.');
  if (epochs === undefined) return undefined;
  const seed = await ask(at('seed', kind), 'Seed (same seed, same model)', String(d.seed), wholeNumber(0, 2 ** 31 - 1), 'A whole number, 0 or more.');
  if (seed === undefined) return undefined;
  let window: TrainChoices['window'];
  if (MODEL_KIND_TRAITS[kind].input === 'sequence') {
    const length = await ask(at('window', kind), 'Window length: rows of the time series per sample (windows start every quarter window)', String(DEFAULT_WINDOW_LENGTH), wholeNumber(2, 4096), 'A whole number from 2 to 4096.');
    if (length === undefined) return undefined;
    window = { length, stride: defaultWindowStride(length) };
  }
  const shape = window ? [window.length, report.dim] : report.sampleShape;
  const rows = previewRows(report);
  const advanced = await startStep(at('start', kind), advancedDefaults(kind, shape, latentDim, rows), kind, hiddenBySize(kind, shape, latentDim, report));
  if (!advanced) return undefined;

  const labelColumn = data.labelColumn !== undefined && data.labelColumn !== '' ? data.labelColumn : undefined;
  const defaults = advancedDefaults(kind, shape, latentDim, rows);
  // Only what differs from the defaults is passed on, so the CLI's defaults stay the one owner of the rest.
  const changed = (Object.keys(advanced) as (keyof AdvancedChoices)[]).filter((k) => JSON.stringify(advanced[k]) !== JSON.stringify(defaults[k]));
  const choices: TrainChoices = {
    kind, latentDim, epochs, seed, labelColumn, data, ...(window ? { window } : {}),
    ...Object.fromEntries(changed.map((k) => [k, advanced[k]])),
  };
  await state.update(FORM_KEY, { kind, epochs, seed });
  await state.update(latentKey(datasetPath, kind), latentDim);
  return choices;
}
