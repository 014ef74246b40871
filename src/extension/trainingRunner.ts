/**
 * Runs one training at a time in a worker thread and reports it: a cancellable progress notification (epoch x/y,
 * loss, samples/s), a status-bar item (click = cancel), the `latentExplorer.training` context key and the log.
 * Keeps the current model's WorkerClient as the explorer the panel and the export command use.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { SAMPLE_NAME } from '../core/data/sample';
import type { TrainProgress } from '../core/training/types';
import type { LoadOptions } from '../core/data/dataset';
import type { BackendPreference, SerializedError, TrainRequest, TrainSummary } from '../worker/protocol';
import { serializeError } from '../worker/protocol';
import { getLog, showDataWarnings, showError } from './log';
import { panelEmbedding, panelProgress, panelStatus, updatePanel } from './panelAdapter';
import type { CancelOutcome } from './workerClient';
import { CancelledError, WorkerClient } from './workerClient';

/** What `latentExplorer.train` returns (tests read it). */
export interface TrainCommandResult {
  status: 'done' | 'cancelled' | 'error' | 'dismissed';
  outDir?: string;
  files?: string[];
  /** Wall-clock seconds from start to finish (or stop). */
  seconds?: number;
  epochsRun?: number;
  loss?: number;
  backend?: string;
  error?: SerializedError;
  /** Cancelled: milliseconds from the cancel request to training having stopped; how it stopped. */
  stopMs?: number;
  cancelOutcome?: CancelOutcome;
  /** Live embedding frames received during training (one per epoch). */
  liveFrames?: number;
}

const CONTEXT_KEY = 'latentExplorer.training';

function progressText(p: TrainProgress): string {
  const stage = p.stage ? `${p.stage} · ` : '';
  return `${stage}epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · loss ${p.loss.toPrecision(4)} · ${Math.round(p.samplesPerSec)} samples/s`;
}

export class TrainingRunner implements vscode.Disposable {
  private readonly statusBar: vscode.StatusBarItem;
  private active: { client: WorkerClient; cancelAt?: number; cancel?: Promise<CancelOutcome>; liveFrames?: number } | undefined;
  private current: WorkerClient | undefined;
  private lastProgress: TrainProgress | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.statusBar = vscode.window.createStatusBarItem('latentExplorer.training', vscode.StatusBarAlignment.Left, 10);
    this.statusBar.name = 'Latent Explorer Training';
    this.statusBar.command = 'latentExplorer.cancelTraining';
  }

  /** True while a training runs. */
  get training(): boolean {
    return this.active !== undefined;
  }

  /** The latest progress event of the running training (undefined while idle or before the first batch). */
  get progress(): TrainProgress | undefined {
    return this.active ? this.lastProgress : undefined;
  }

  /** The explorer over the most recently trained or loaded model, if any. */
  get explorer(): WorkerClient | undefined {
    return this.current;
  }

  /** A new worker thread (dist/trainingWorker.js next to dist/extension.js). */
  createClient(): WorkerClient {
    const workerPath = join(this.context.extensionPath, 'dist', 'trainingWorker.js');
    if (!existsSync(workerPath)) throw new Error(`The training worker bundle is missing (${workerPath}): run \`npm run build\`.`);
    const log = getLog();
    return new WorkerClient({
      workerPath,
      onLog: (level, message) => log[level](message),
    });
  }

  /** Trains in a fresh worker with progress UI; never throws (errors are shown and returned). */
  async train(request: TrainRequest): Promise<TrainCommandResult> {
    const log = getLog();
    if (this.active) return { status: 'error', error: { name: 'Busy', message: 'A training is already running: cancel it first.' } };
    let client: WorkerClient;
    try {
      client = this.createClient();
    } catch (e) {
      showError(e instanceof Error ? e.message : String(e), e);
      return { status: 'error', error: serializeError(e) };
    }
    const active: NonNullable<TrainingRunner['active']> = { client };
    this.active = active;
    this.lastProgress = undefined;
    const t0 = Date.now();
    const name = request.datasetPath === undefined ? `the ${SAMPLE_NAME} sample` : basename(request.datasetPath);
    log.info(`training ${request.model.kind} (latent ${request.model.latentDim ?? 'default'}, ${request.train.epochs} epochs, seed ${request.train.seed}) on ${request.datasetPath ?? name}`);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
    this.statusBar.text = `$(loading~spin) Training ${name}`;
    this.statusBar.tooltip = `Latent Explorer: training ${request.model.kind} on ${name}. Click to cancel.`;
    this.statusBar.show();
    panelStatus('training', `${request.model.kind} on ${name}`);
    try {
      const summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Latent Explorer: training ${request.model.kind} on ${name}`, cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => void this.cancel());
          let done = 0;
          try {
            return await client.train(request, (p) => {
              this.lastProgress = p;
              const fraction = 100 * (((p.epoch - 1) * p.batches + p.batch) / (p.epochs * Math.max(1, p.batches)));
              progress.report({ message: progressText(p), increment: Math.max(0, fraction - done) });
              done = Math.max(done, fraction);
              this.statusBar.text = `$(loading~spin) Training ${p.epoch}/${p.epochs}`;
              panelProgress(p);
              if (p.phase === 'epoch') {
                log.info(`epoch ${p.epoch}/${p.epochs} loss ${p.loss.toPrecision(5)}${p.valLoss !== undefined ? ` val ${p.valLoss.toPrecision(5)}` : ''} · ${Math.round(p.samplesPerSec)} samples/s`);
              }
            }, (e) => {
              active.liveFrames = (active.liveFrames ?? 0) + 1;
              panelEmbedding(e);
            });
          } finally {
            sub.dispose();
          }
        },
      );
      return await this.finish(summary, active, t0);
    } catch (e) {
      client.dispose();
      const seconds = (Date.now() - t0) / 1000;
      if (e instanceof CancelledError || active.cancelAt !== undefined) {
        const stopMs = active.cancelAt !== undefined ? Date.now() - active.cancelAt : undefined;
        const cancelOutcome = active.cancel ? await active.cancel : undefined;
        log.info(`training cancelled after ${seconds.toFixed(1)} s (stopped ${stopMs ?? '?'} ms after the request, ${cancelOutcome ?? 'n/a'})`);
        void vscode.window.showInformationMessage('Latent Explorer: training cancelled.');
        panelStatus('idle', 'cancelled');
        return { status: 'cancelled', seconds, stopMs, cancelOutcome };
      }
      const err = serializeError(e);
      showError(`Training failed: ${err.message}`, e);
      panelStatus('failed', err.message);
      return { status: 'error', seconds, error: err };
    } finally {
      this.active = undefined;
      this.statusBar.hide();
      void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
    }
  }

  private async finish(summary: TrainSummary, active: NonNullable<TrainingRunner['active']>, t0: number): Promise<TrainCommandResult> {
    const log = getLog();
    const seconds = (Date.now() - t0) / 1000;
    const last = summary.history.at(-1);
    const base = { outDir: summary.outDir, files: summary.files, seconds, epochsRun: summary.history.length, loss: last?.loss, backend: summary.backend, liveFrames: active.liveFrames ?? 0 };
    if (summary.cancelled || active.cancelAt !== undefined) {
      active.client.dispose();
      const stopMs = active.cancelAt !== undefined ? Date.now() - active.cancelAt : undefined;
      const cancelOutcome = active.cancel ? await active.cancel : undefined;
      log.info(`training cancelled after ${summary.history.length} epochs (stopped ${stopMs ?? '?'} ms after the request)`);
      void vscode.window.showInformationMessage('Latent Explorer: training cancelled.');
      panelStatus('idle', 'cancelled');
      return { ...base, status: 'cancelled', stopMs, cancelOutcome };
    }
    log.info(`trained in ${seconds.toFixed(1)} s on ${summary.backend}: ${summary.history.length} epochs, final loss ${last?.loss.toPrecision(5) ?? 'n/a'}, ${Math.round(summary.samplesPerSec)} samples/s`);
    log.info(`wrote ${summary.files.length} files to ${summary.outDir}`);
    showDataWarnings(summary.info.datasetName, summary.info.warnings);
    this.setExplorer(active.client);
    panelStatus('done', `${summary.history.length} epochs, loss ${last?.loss.toPrecision(4) ?? 'n/a'}`);
    void vscode.window.showInformationMessage(`Latent Explorer: trained ${summary.info.model.kind} in ${seconds.toFixed(1)} s. Saved to ${summary.outDir}`);
    return { ...base, status: 'done' };
  }

  /** Cancels the running training (no-op when idle). Stops within the client's grace period (~1.5 s). */
  cancel(): Promise<CancelOutcome> {
    const active = this.active;
    if (!active) return Promise.resolve('idle');
    if (!active.cancel) {
      active.cancelAt = Date.now();
      getLog().info('cancel requested');
      this.statusBar.text = '$(loading~spin) Cancelling…';
      active.cancel = active.client.cancel();
    }
    return active.cancel;
  }

  /**
   * Opens a saved model folder in a fresh worker and makes it the current explorer; with `data`, over another
   * dataset (scored against the model's threshold) instead of its training data.
   */
  async load(modelDir: string, backend: BackendPreference, data?: { datasetPath?: string; loadOptions?: LoadOptions }): Promise<WorkerClient> {
    const client = this.createClient();
    try {
      const summary = await client.load(modelDir, backend, data);
      getLog().info(`loaded ${summary.info.model.kind} model from ${modelDir} (${summary.info.n} x ${summary.info.dim}, ${summary.backend})`);
      showDataWarnings(summary.info.datasetName, summary.info.warnings);
      this.setExplorer(client);
      return client;
    } catch (e) {
      client.dispose();
      throw e;
    }
  }

  private setExplorer(client: WorkerClient): void {
    const previous = this.current;
    this.current = client;
    updatePanel(client);
    if (previous && previous !== client) previous.dispose();
  }

  dispose(): void {
    void this.cancel();
    this.active?.client.dispose();
    this.current?.dispose();
    this.current = undefined;
    this.statusBar.dispose();
  }
}
