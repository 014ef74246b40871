/** Where the extension writes: the workspace folder of a file (else the first one, else global storage) and its output folder. */
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from './settings';

/** `<workspace folder of the file, else the first one, else global storage>`. */
export function outputRootFor(context: vscode.ExtensionContext, file?: vscode.Uri): string {
  const ws = (file && vscode.workspace.getWorkspaceFolder(file)) ?? vscode.workspace.workspaceFolders?.[0];
  return ws ? ws.uri.fsPath : context.globalStorageUri.fsPath;
}

/** The models folder: `latentExplorer.outputFolder` under the output root. */
export function outputFolderPath(context: vscode.ExtensionContext, settings: Settings, file?: vscode.Uri): string {
  return resolve(outputRootFor(context, file), settings.outputFolder);
}
