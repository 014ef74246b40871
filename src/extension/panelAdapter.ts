/**
 * A thin guard around the panel (./panel/latentPanel.ts, owned by the panel engineer): training, model loading and
 * their results never depend on the webview opening; a panel failure is logged, not thrown into a command.
 */
import type * as vscode from 'vscode';
import type { Explorer } from '../core/explorer';
import type { TrainProgress } from '../core/training/types';
import type { TrainingStatus } from '../shared/protocol';
import type { EpochEmbedding } from '../worker/protocol';
import { getLog } from './log';
import { LatentPanel, registerLatentPanelSerializer } from './panel/latentPanel';
import type { ScoredData } from './panel/scoredData';
import { sameModelDir } from './panel/scoredData';

function guard(what: string, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    getLog().error(`panel: ${what} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return false;
  }
}

/** Opens (or reveals) the panel, pointed at `explorer` when given. Returns false when it could not open. */
export function showPanel(context: vscode.ExtensionContext, explorer?: Explorer): boolean {
  return guard('open', () => LatentPanel.createOrShow(context, explorer));
}

/**
 * Opens the panel on the model's training set and draws `data` (scored with that model) over it. The model is
 * loaded (`loadTraining`) unless the panel already shows it over its training data.
 */
export async function showScoredOverTraining(context: vscode.ExtensionContext, data: ScoredData, loadTraining: () => Promise<Explorer>): Promise<void> {
  const shown = LatentPanel.current?.modelInfo;
  const already = shown !== undefined && sameModelDir(shown.modelDir, data.modelDir) && shown.datasetPath !== data.datasetPath;
  const explorer = already ? undefined : await loadTraining();
  if (!showPanel(context, explorer)) return;
  guard('showScored', () => LatentPanel.current?.showScored(data));
}

/** Gives the open panel (if any) a new explorer, e.g. after training finished while it was open. */
export function updatePanel(explorer: Explorer): void {
  guard('setExplorer', () => LatentPanel.current?.setExplorer(explorer));
}

/** Forwards training progress to the open panel, if any. */
export function panelProgress(p: TrainProgress): void {
  guard('trainingProgress', () => LatentPanel.current?.trainingProgress(p));
}

/** Forwards the per-epoch live embedding to the open panel, if any. */
export function panelEmbedding(e: EpochEmbedding): void {
  guard('trainingEmbedding', () => LatentPanel.current?.trainingEmbedding(e));
}

/** Tells the open panel (if any) how the training went. */
export function panelStatus(status: TrainingStatus, message?: string): void {
  guard('trainingStatus', () => LatentPanel.current?.trainingStatus(status, message));
}

/** Registers the panel's webview serializer (restores the panel after a reload) and routes its log to ours. */
export function registerPanelSerializer(context: vscode.ExtensionContext, restore: (state: unknown) => Promise<Explorer | undefined>): void {
  const log = getLog();
  LatentPanel.log = (m: string) => log.info(`panel: ${m}`);
  guard('serializer registration', () => context.subscriptions.push(registerLatentPanelSerializer(context, restore)));
}
