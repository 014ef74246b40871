/**
 * The training form's logic without VS Code: its steps, the defaults each field starts from (the same owners the
 * CLI uses: `defaultModelConfig` for model sizes, `DEFAULT_TRAIN_OPTIONS` for training), and how an answer is read.
 */
import type { InspectReport } from '../core/data/inspect';
import { classNamesText } from '../core/data/inspect';
import { SMALL_IMAGE_SET, defaultModelConfig, isSmallImageSet } from '../core/models/index';
import type { ModelKind } from '../core/models/types';
import { DEFAULT_TRAIN_OPTIONS } from '../core/training/train';


export type FormStep = 'data' | 'kind' | 'latent' | 'epochs' | 'seed' | 'window' | 'start';

/** The form's steps for a model kind, in order: the sequence model also asks for its window; `start` is always last. */
export function formSteps(kind: ModelKind): FormStep[] {
  return ['data', 'kind', 'latent', 'epochs', 'seed', ...(kind === 'sequence' ? ['window' as const] : []), 'start'];
}

/** `(i/n)` of a step for a model kind. */
export function stepLabel(step: FormStep, kind: ModelKind): string {
  const steps = formSteps(kind);
  return `(${steps.indexOf(step) + 1}/${steps.length})`;
}

/** Training options the form's Advanced part sets. */
export interface AdvancedChoices {
  learningRate: number;
  /** Hidden layer widths, outermost first (ignored by conv and sequence models). */
  hidden: number[];
  /** Fraction of rows held out for validation (and the anomaly threshold). */
  validationSplit: number;
  /** Early stopping patience in epochs (0 = off). */
  patience: number;
}

/** The latent size a kind starts from for data of `sampleShape`: the setting when set (> 0), else the CLI's default. */
export function latentDefault(kind: ModelKind, sampleShape: readonly number[], setting: number): number {
  return setting > 0 ? setting : defaultModelConfig(kind, [...sampleShape]).latentDim;
}

/** The Advanced fields' defaults for a kind, data shape and number of samples (the CLI's defaults). */
export function advancedDefaults(kind: ModelKind, sampleShape: readonly number[], latentDim?: number, rows?: number): AdvancedChoices {
  const config = defaultModelConfig(kind, [...sampleShape], latentDim !== undefined ? { latentDim } : undefined, rows);
  return { learningRate: DEFAULT_TRAIN_OPTIONS.learningRate, hidden: config.hidden, validationSplit: DEFAULT_TRAIN_OPTIONS.validationSplit, patience: DEFAULT_TRAIN_OPTIONS.patience };
}

/**
 * The samples the Advanced defaults are sized for: the preview's count when it read the whole file; undefined when it
 * stopped early (`partial`: the count is only a lower bound).
 */
export function previewRows(preview: Pick<InspectReport, 'n' | 'partial'>): number | undefined {
  return preview.partial ? undefined : preview.n;
}

/**
 * When a partial preview leaves the default hidden layers open (the file may or may not hold a small image set, see
 * SMALL_IMAGE_SET), both candidates as text, e.g. `500, 500, 2000 up to 12,000 samples, else 256, 64`; else undefined.
 * Left unchanged, the layers are then chosen by the training pipeline, which counts every row.
 */
export function hiddenBySize(kind: ModelKind, sampleShape: readonly number[], latentDim: number | undefined, preview: Pick<InspectReport, 'n' | 'partial'>): string | undefined {
  if (!preview.partial || preview.n > SMALL_IMAGE_SET.maxRows || !isSmallImageSet(kind, sampleShape, SMALL_IMAGE_SET.maxRows)) return undefined;
  const overrides = latentDim !== undefined ? { latentDim } : undefined;
  const small = defaultModelConfig(kind, [...sampleShape], overrides, SMALL_IMAGE_SET.maxRows).hidden.join(', ');
  const other = defaultModelConfig(kind, [...sampleShape], overrides).hidden.join(', ');
  return `${small} up to ${SMALL_IMAGE_SET.maxRows.toLocaleString('en')} samples, else ${other}`;
}

/** `256, 64` -> [256, 64]; '' -> []; undefined when not a list of positive whole numbers. */
export function parseHidden(text: string): number[] | undefined {
  const t = text.trim();
  if (t === '') return [];
  const parts = t.split(/[\s,;x×]+/).filter((p) => p !== '');
  const nums = parts.map(Number);
  return nums.every((n) => Number.isInteger(n) && n >= 1 && n <= 65536) ? nums : undefined;
}

/** A positive number (learning rate); undefined otherwise. */
export function parsePositive(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A validation split as a fraction from `20%`, `0.2` or `20`; undefined unless in [0, 0.9]. */
export function parseFraction(text: string): number | undefined {
  const t = text.trim();
  const pct = t.endsWith('%');
  const n = Number(pct ? t.slice(0, -1) : t);
  if (t === '' || !Number.isFinite(n)) return undefined;
  const f = pct || n > 1 ? n / 100 : n;
  return f >= 0 && f <= 0.9 ? f : undefined;
}

/** One line per thing the preview detected that the summary line does not say: the shape, paired labels, class names. */
export function detectedLines(r: InspectReport): string[] {
  const lines: string[] = [];
  const shape = r.kind === 'table' ? `${r.dim} features` : `${r.sampleShape.join('×')} ${r.kind === 'image' ? 'images' : 'windows'}`;
  lines.push(`Shape: ${r.n}${r.partial ? '+' : ''} samples of ${shape}`);
  if (r.labelFile !== undefined) lines.push(`Labels: paired from ${r.labelFile}`);
  if (r.labelClasses) lines.push(`Classes: ${r.labelClasses.count}${r.partial ? '+' : ''} (${r.labelClasses.first.slice(0, 10).join(', ')}${r.labelClasses.count > 10 ? ', ...' : ''})`);
  const names = classNamesText(r);
  if (names !== undefined) lines.push(`Class names: ${names}`);
  return lines;
}
