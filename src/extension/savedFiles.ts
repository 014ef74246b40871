/** The notification after something was written (an export, scores): what and where, with Open and Reveal actions. */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';

/** An extra action on the notification. */
export interface SavedAction {
  label: string;
  run: () => unknown;
}

/** Files an editor shows as text (the others are revealed, not opened). */
const TEXT_FILE = /\.(csv|tsv|json|txt|svg)$/i;
/** Files VS Code previews (images). */
const PREVIEWED_FILE = /\.(png|jpe?g|svg)$/i;

/** Shows the file in VS Code's Explorer when it lies in the workspace, else in the system's file manager. */
export function revealFile(file: string): Thenable<unknown> {
  const uri = vscode.Uri.file(file);
  return vscode.workspace.getWorkspaceFolder(uri) ? vscode.commands.executeCommand('revealInExplorer', uri) : vscode.commands.executeCommand('revealFileInOS', uri);
}

/**
 * `Latent Explorer: <message>` naming `files` (relative to the first one's folder), with Open (first file, when an
 * editor can show it) and Reveal; resolves when the notification is answered or dismissed.
 */
export async function announceSaved(message: string, files: readonly string[], extra: readonly SavedAction[] = []): Promise<void> {
  if (files.length === 0) return;
  const dir = dirname(files[0]);
  const names = files.map((f) => (dirname(f) === dir ? basename(f) : f)).join(', ');
  const openable = TEXT_FILE.test(files[0]) || PREVIEWED_FILE.test(files[0]);
  const actions: SavedAction[] = [
    ...extra,
    ...(openable ? [{ label: 'Open', run: () => vscode.commands.executeCommand('vscode.open', vscode.Uri.file(files[0])) }] : []),
    { label: 'Reveal', run: () => revealFile(files[0]) },
  ];
  const pick = await vscode.window.showInformationMessage(`Latent Explorer: ${message} ${names} in ${dir}`, ...actions.map((a) => a.label));
  await actions.find((a) => a.label === pick)?.run();
}
