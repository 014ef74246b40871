/**
 * Extension entry point (bundled to dist/extension.js). Training and exploration run in a worker thread
 * (dist/trainingWorker.js) so the extension host stays responsive; see ./trainingRunner.ts and ./workerClient.ts.
 */
import * as vscode from 'vscode';
import type { Explorer } from '../core/explorer';
import { registerCommands } from './commands';
import { getLog } from './log';
import { registerPanelSerializer } from './panelAdapter';
import { readSettings } from './settings';
import { TrainingRunner } from './trainingRunner';

let runner: TrainingRunner | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = getLog(context);
  log.info(`Latent Explorer ${(context.extension.packageJSON as { version: string }).version} activated (${vscode.ExtensionMode[context.extensionMode]} mode)`);
  runner = new TrainingRunner(context);
  context.subscriptions.push(runner);
  void vscode.commands.executeCommand('setContext', 'latentExplorer.training', false);
  registerCommands(context, runner);
  const r = runner;
  // After a window reload, the panel asks for its model again: reopen the saved folder in a worker.
  registerPanelSerializer(context, async (state: unknown): Promise<Explorer | undefined> => {
    const modelDir = typeof state === 'object' && state !== null ? (state as { modelDir?: unknown }).modelDir : undefined;
    if (typeof modelDir !== 'string') return r.explorer;
    try {
      return await r.load(modelDir, readSettings().backend);
    } catch (e) {
      log.warn(`could not restore the panel's model ${modelDir}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  });
}

export function deactivate(): void {
  runner?.dispose();
  runner = undefined;
}
