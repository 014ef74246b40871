/**
 * UI state per model: what the user chose for one model (k, clustering method, selection, projection) belongs to that
 * model, so a different dataset or model starts clean and a model opened again gets its own choices back. Pure:
 * the store behind it (VS Code's workspace state) is passed in.
 */
import type { ExplorerInfo } from '../../core/explorer';
import { DEFAULT_UI_STATE, parseUiState } from '../../shared/protocol';
import type { UiState } from '../../shared/protocol';

/** Key-value storage of saved states (VS Code's `Memento` fits). */
export interface UiStateStore {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

/** Storage key prefix of per-model states. */
const PREFIX = 'latentExplorer.ui:';

/** Which model a state belongs to: its folder when saved, else its data file and model kind (an unsaved model). */
export function modelKey(info: Pick<ExplorerInfo, 'modelDir' | 'datasetPath' | 'model'>): string {
  return info.modelDir ?? `${info.datasetPath}#${info.model.kind}`;
}

/**
 * The state a model starts with: what was saved for it, or the defaults with only the user's view preferences
 * (tab, colouring, 2D/3D, error quantile) kept from `current`; never another model's k, selection or method. The
 * side pane's layout belongs to the panel, not the model: it always stays.
 */
export function startingUiState(current: UiState, saved: unknown, modelDir?: string): UiState {
  const own = parseUiState(saved);
  const base: UiState = own ?? { ...DEFAULT_UI_STATE, tab: current.tab, colorBy: current.colorBy, dims: current.dims, errorQuantile: current.errorQuantile };
  const { modelDir: _other, sideWidth: _w, sideCollapsed: _c, ...rest } = base;
  return {
    ...rest,
    ...(modelDir !== undefined ? { modelDir } : {}),
    ...(current.sideWidth !== undefined ? { sideWidth: current.sideWidth } : {}),
    ...(current.sideCollapsed !== undefined ? { sideCollapsed: current.sideCollapsed } : {}),
  };
}

/** Per-model states in `store`. */
export class ModelUiStates {
  constructor(private readonly store: UiStateStore) {}

  load(key: string): unknown {
    return this.store.get(PREFIX + key);
  }

  save(key: string, state: UiState): void {
    void this.store.update(PREFIX + key, state);
  }
}
