/** The `latentExplorer.*` settings, read with defaults and validated. */
import * as vscode from 'vscode';
import type { ModelKind } from '../common/modelKinds';
import { isModelKind } from '../common/modelKinds';
import { DEFAULT_SEED } from '../common/defaults';
import type { BackendPreference } from '../worker/protocol';
import type { ClassNames } from '../core/data/classNames';
import { classNamesFrom } from '../core/data/classNames';

export interface Settings {
  defaultModel: ModelKind;
  latentDim: number;
  epochs: number;
  batchSize: number;
  seed: number;
  backend: BackendPreference;
  /** Relative to the workspace folder (or absolute). */
  outputFolder: string;
  /** 0 = all rows. */
  maxRows: number;
  /** Compute threads for the wasm kernels; 0 = auto (every core). */
  threads: number;
  /** Names of label values for data without a classes.txt / labels.json beside it (src/core/data/classNames.ts). */
  classNames?: ClassNames;
}

export const BACKENDS: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

function int(v: unknown, fallback: number, min: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fallback;
}

/** Current settings; invalid values fall back to the defaults declared in package.json. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('latentExplorer');
  const kind = c.get<string>('defaultModel');
  const backend = c.get<string>('backend');
  return {
    defaultModel: isModelKind(kind) ? kind : 'dense',
    latentDim: int(c.get('latentDim'), 0, 0),
    epochs: int(c.get('epochs'), 20, 1),
    batchSize: int(c.get('batchSize'), 0, 0),
    seed: int(c.get('seed'), DEFAULT_SEED, 0),
    backend: (BACKENDS as readonly string[]).includes(backend ?? '') ? (backend as BackendPreference) : 'auto',
    outputFolder: c.get<string>('outputFolder')?.trim() || '.latent',
    maxRows: int(c.get('maxRows'), 0, 0),
    threads: int(c.get('threads'), 0, 0),
    ...classNamesSetting(c.get('classNames')),
  };
}

/** The `classNames` setting (a list in label order, or a map of label value to name); empty or invalid: none. */
function classNamesSetting(v: unknown): { classNames?: ClassNames } {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return {};
  const { names } = classNamesFrom(v);
  return names && Object.keys(names).length > 0 ? { classNames: names } : {};
}
