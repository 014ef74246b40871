/**
 * "Reveal in editor" for one sample (see src/core/data/samplePreview.ts for the decision): a text file opens at the
 * sample's line, an image folder's sample opens its image, and a sample of a binary file is rendered into the
 * extension's storage (a PNG for images, a CSV of values otherwise) and that preview is opened instead of the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExplorerInfo, SampleDetail } from '../core/explorer';
import { datasetBaseName } from '../core/export/outputPaths';
import type { RevealPlan } from '../core/data/samplePreview';
import { revealPlan, samplePng, sampleValuesCsv } from '../core/data/samplePreview';

/** What was opened (commands return it; tests read it). */
export interface RevealResult {
  kind: RevealPlan['kind'];
  /** The file opened: the data file, the image, or the rendered preview. */
  path: string;
  line?: number;
}

/** Folder of rendered previews: the workspace's storage, else the global one. */
function previewFolder(context: vscode.ExtensionContext): string {
  const dir = join((context.storageUri ?? context.globalStorageUri).fsPath, 'previews');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Opens a text file at 1-based `line` in the first editor group. */
export async function openAtLine(file: string, line?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos), preview: true });
}

/** Reveals sample `detail` of the dataset `info` describes. */
export async function revealSample(context: vscode.ExtensionContext, detail: SampleDetail, info: ExplorerInfo): Promise<RevealResult> {
  const plan = revealPlan(detail.ref, info);
  const open = (path: string): Thenable<unknown> => vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { viewColumn: vscode.ViewColumn.One, preview: true });
  const stem = `${datasetBaseName(info.datasetName)}-${detail.index}`;
  switch (plan.kind) {
    case 'text':
      await openAtLine(plan.file, plan.line);
      return { kind: 'text', path: plan.file, ...(plan.line !== undefined ? { line: plan.line } : {}) };
    case 'file':
      await open(plan.file);
      return { kind: 'file', path: plan.file };
    case 'image': {
      const path = join(previewFolder(context), `${stem}.png`);
      writeFileSync(path, samplePng(detail.original, info.sampleShape));
      await open(path);
      return { kind: 'image', path };
    }
    case 'values': {
      const path = join(previewFolder(context), `${stem}.csv`);
      writeFileSync(path, sampleValuesCsv(detail.original, info.columns, info.kind, info.sampleShape));
      await openAtLine(path);
      return { kind: 'values', path };
    }
  }
}
