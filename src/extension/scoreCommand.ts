/**
 * "Score with Latent Explorer Model…": encodes another file with a trained model (in a worker thread) and scores
 * every sample against the threshold saved with the model: the train-on-normal-data, score-new-data workflow. The
 * scores go to `<model>/scores/<data>.csv` (src/core/export/outputPaths.ts), for a time series with the merged
 * events and the per-row score series; the summary offers Open, Reveal and Show in Panel: the scored points drawn
 * over the model's training set (placed in its view, anomalies above the training threshold marked).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { AnomalyScoreMethod } from '../core/analysis/anomalyScores';
import type { ScoreSummary } from '../core/analysis/scoreSummary';
import { describeScoreSummary, eventsToCsv, rowScoresToCsv, summariseScores, refsForSummary } from '../core/analysis/scoreSummary';
import { scoreOutputPaths } from '../core/export/outputPaths';
import type { SerializedError } from '../worker/protocol';
import { serializeError } from '../worker/protocol';
import { getLog, showDataWarnings, showError } from './log';
import { outputFolderPath } from './outputFolder';
import { showPanel, showScoredOverTraining } from './panelAdapter';
import type { ScoredData } from './panel/scoredData';
import { listModelDirs, SIDECAR } from './paths';
import { announceSaved } from './savedFiles';
import { readSettings } from './settings';
import type { TrainingRunner } from './trainingRunner';

/** Options of `latentExplorer.scoreFile`; a `modelDir` skips the model pick. */
export interface ScoreCommandOptions {
  modelDir?: string;
  /** Anomaly score (default: the model's calibrated default). */
  method?: AnomalyScoreMethod;
  /** Show the summary notification (default true). */
  notify?: boolean;
  /** Draw the scored points over the training set in the panel right away, as the summary's Show in Panel does. */
  show?: boolean;
}

/** What `latentExplorer.scoreFile` returns (tests read it). */
export interface ScoreCommandResult {
  status: 'done' | 'dismissed' | 'error';
  files?: string[];
  summary?: Omit<ScoreSummary, 'top'>;
  warnings?: string[];
  error?: SerializedError;
  /** With `show`: where the panel showed the scored data (`training`: over the training set; `new`: the model over the new data). */
  shown?: 'training' | 'new' | 'failed';
}

/** Asks for a saved model: those in the output folder, newest first, or any folder holding a sidecar. */
async function pickModel(context: vscode.ExtensionContext, data: vscode.Uri): Promise<string | undefined> {
  const root = outputFolderPath(context, readSettings(), data);
  const browse = { label: '$(folder-opened) Browse for a model folder…', dir: '' };
  const pick = await vscode.window.showQuickPick(
    [...listModelDirs(root).map((m) => ({ label: m.name, description: new Date(m.mtimeMs).toLocaleString(), dir: m.dir })), browse],
    { title: `Score ${basename(data.fsPath)} with a trained model`, placeHolder: `Models in ${root}` },
  );
  if (!pick) return undefined;
  if (pick.dir !== '') return pick.dir;
  const folder = await vscode.window.showOpenDialog({ title: 'Model folder (holds latent-explorer.json)', canSelectFiles: false, canSelectFolders: true, canSelectMany: false });
  return folder?.[0]?.fsPath;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Scores `uri` (asked for when absent) with a model (asked for unless `options.modelDir`); never throws. */
export async function scoreFile(context: vscode.ExtensionContext, runner: TrainingRunner, uri: vscode.Uri | undefined, options: ScoreCommandOptions = {}): Promise<ScoreCommandResult> {
  const fail = (message: string, e?: unknown): ScoreCommandResult => {
    showError(message, e);
    return { status: 'error', error: e === undefined ? { name: 'Error', message } : serializeError(e) };
  };
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({ title: 'Score data with a trained model: pick the data', canSelectFiles: true, canSelectFolders: true, canSelectMany: false });
    if (!picked?.[0]) return { status: 'dismissed' };
    uri = picked[0];
  }
  if (uri.scheme !== 'file') return fail(`Only local files can be scored (got ${uri.toString()}).`);
  const datasetPath = uri.fsPath;
  if (!existsSync(datasetPath)) return fail(`${datasetPath}: file not found.`);
  const modelDir = options.modelDir ?? (await pickModel(context, uri));
  if (!modelDir) return { status: 'dismissed' };
  if (!existsSync(join(modelDir, SIDECAR))) return fail(`${modelDir} is not a saved Latent Explorer model (no ${SIDECAR}).`);

  const settings = readSettings();
  const data = { datasetPath, loadOptions: settings.classNames ? { classNames: settings.classNames } : {} };
  const paths = scoreOutputPaths(modelDir, datasetPath);
  const log = getLog();
  const client = runner.createClient();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Latent Explorer: scoring ${basename(datasetPath)} with ${basename(modelDir)}` },
      async () => {
        const summary = await client.load(modelDir, settings.backend, data);
        const info = summary.info;
        const report = await client.anomalies(options.method);
        const { latent } = await client.embed();
        mkdirSync(dirname(paths.scores), { recursive: true });
        const files = await client.exportEmbeddings(paths.scores, 'csv', true);
        const first = summariseScores(report, { window: info.window });
        const refs = await refsForSummary(first, (index) => client.sample(index));
        const sum = summariseScores(report, { window: info.window, refs });
        if (info.window && sum.events) {
          writeFileSync(paths.events, eventsToCsv(sum.events, refs));
          writeFileSync(paths.rows, rowScoresToCsv(report.scores, report.threshold, info.window));
          files.push(paths.events, paths.rows);
        }
        const scored: ScoredData = {
          modelDir, datasetPath, name: basename(datasetPath), latent, count: info.n, scores: report.scores, threshold: report.threshold, method: report.method,
        };
        return { info, sum, files, scored };
      },
    );
    const { info, sum, files, scored } = result;
    // The scored points over the training set; when the training data cannot be read any more, the model over the new data.
    const show = async (): Promise<NonNullable<ScoreCommandResult['shown']>> => {
      try {
        await showScoredOverTraining(context, scored, () => runner.load(modelDir, settings.backend));
        return 'training';
      } catch (e) {
        getLog().warn(`could not show ${basename(datasetPath)} over the training set of ${modelDir}: ${e instanceof Error ? e.message : String(e)}`);
        try {
          showPanel(context, await runner.load(modelDir, settings.backend, data));
          return 'new';
        } catch (e2) {
          showError(`Could not open ${basename(datasetPath)} with ${modelDir}: ${e2 instanceof Error ? e2.message : String(e2)}`, e2);
          return 'failed';
        }
      }
    };
    log.info(`scored ${datasetPath} with ${modelDir}:\n${describeScoreSummary(sum)}wrote ${files.join(', ')}`);
    showDataWarnings(info.datasetName, info.warnings);
    if (options.notify !== false) {
      const events = sum.events ? `, ${sum.events.length} event${sum.events.length === 1 ? '' : 's'}` : '';
      const message = `scored ${sum.n} samples of ${info.datasetName}: ${sum.flagged} (${pct(sum.n ? sum.flagged / sum.n : 0)}) above the model's threshold (${pct(sum.targetFpr)} expected on normal data)${events}. Saved`;
      void announceSaved(message, files, [{
        label: 'Show in Panel',
        run: async () => { await show(); },
      }]);
    }
    const { top: _top, ...summary } = sum;
    const shown = options.show ? await show() : undefined;
    return { status: 'done', files, summary, ...(info.warnings ? { warnings: info.warnings } : {}), ...(shown ? { shown } : {}) };
  } catch (e) {
    return fail(`Scoring ${basename(datasetPath)} failed: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    client.dispose();
  }
}
