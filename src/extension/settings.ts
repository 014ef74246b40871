/** The `latentExplorer.*` settings, read with defaults and validated. */
import * as vscode from 'vscode';
import type { ModelKind } from '../common/modelKinds';
import { isModelKind } from '../common/modelKinds';
import { DEFAULT_SEED } from '../common/defaults';
import type { BackendPreference } from '../worker/protocol';

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
    latentDim: int(c.get('latentDim'), 8, 1),
    epochs: int(c.get('epochs'), 20, 1),
    batchSize: int(c.get('batchSize'), 0, 0),
    seed: int(c.get('seed'), DEFAULT_SEED, 0),
    backend: (BACKENDS as readonly string[]).includes(backend ?? '') ? (backend as BackendPreference) : 'auto',
    outputFolder: c.get<string>('outputFolder')?.trim() || '.latent',
    maxRows: int(c.get('maxRows'), 0, 0),
    threads: int(c.get('threads'), 0, 0),
  };
}
