/** The "Latent Explorer" log output channel and the error notification that links to it. */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The shared LogOutputChannel (created on first use; disposed with the extension's subscriptions). */
export function getLog(context?: vscode.ExtensionContext): vscode.LogOutputChannel {
  if (!channel) {
    channel = vscode.window.createOutputChannel('Latent Explorer', { log: true });
    context?.subscriptions.push(channel, { dispose: () => { channel = undefined; } });
  }
  return channel;
}

/**
 * Logs `message` as an error and shows it with a "Show Log" action. Not awaited by callers: the notification
 * stays until the user acts, and commands must return without waiting for it.
 */
export function showError(message: string, error?: unknown): void {
  const log = getLog();
  log.error(message);
  if (error instanceof Error && error.stack) log.debug(error.stack);
  void vscode.window.showErrorMessage(`Latent Explorer: ${message}`, 'Show Log').then((pick) => {
    if (pick === 'Show Log') log.show(true);
  });
}

/**
 * What the loader noted about the data (a dropped column, an inferred label, a skipped file): every note goes to the
 * log, and a warning notification shows the first with a "Show Log" action.
 */
export function showDataWarnings(datasetName: string, warnings: readonly string[] | undefined): void {
  if (!warnings || warnings.length === 0) return;
  const log = getLog();
  for (const w of warnings) log.warn(`${datasetName}: ${w}`);
  const more = warnings.length > 1 ? ` (and ${warnings.length - 1} more in the log)` : '';
  void vscode.window.showWarningMessage(`Latent Explorer: ${datasetName}: ${warnings[0]}${more}`, 'Show Log').then((pick) => {
    if (pick === 'Show Log') log.show(true);
  });
}
