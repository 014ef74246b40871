/**
 * The Latent Explorer webview panel (host side): one panel at a time, restored after a window reload by
 * {@link registerLatentPanelSerializer}. All logic lives in {@link PanelController}; this class adapts it to VS Code.
 */
import * as vscode from 'vscode';
import type { Explorer, ExplorerInfo } from '../../core/explorer';
import type { ScoredData } from './scoredData';
import type { TrainProgress } from '../../core/training/types';
import type { EpochEmbedding } from '../../worker/protocol';
import type { HostToWebview, TrainingStatus } from '../../shared/protocol';
import { buildPanelHtml, createNonce } from './html';
import { PanelController } from './panelController';
import { openAtLine, revealSample } from '../reveal';
import { announceSaved } from '../savedFiles';
import { isAbsolute } from 'node:path';

export class LatentPanel {
  static readonly viewType = 'latentExplorer.panel';
  static current: LatentPanel | undefined;
  /** Where dropped messages and failures are logged; the extension may point this at its output channel. */
  static log: (message: string) => void = (m) => { console.warn(m); };

  private readonly controller: PanelController;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the panel (creating it if needed) and, when given, points it at `explorer`. */
  static createOrShow(context: vscode.ExtensionContext, explorer?: Explorer): LatentPanel {
    if (LatentPanel.current) {
      LatentPanel.current.panel.reveal(undefined, true);
      if (explorer) LatentPanel.current.setExplorer(explorer);
      return LatentPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(LatentPanel.viewType, 'Latent Explorer', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, LatentPanel.webviewOptions(context));
    const p = new LatentPanel(panel, context, undefined);
    if (explorer) p.setExplorer(explorer);
    return p;
  }

  /**
   * Scripts on; resources only from dist/ (the bundle) and media/ (css). No `retainContextWhenHidden`: the webview
   * keeps its UI state in `vscode.setState` and asks for `init` again when it is re-created, which costs less
   * memory than keeping a hidden page with a million-point scatter alive.
   */
  static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    };
  }

  private constructor(private readonly panel: vscode.WebviewPanel, context: vscode.ExtensionContext, state: unknown) {
    LatentPanel.current = this;
    const webview = panel.webview;
    webview.options = LatentPanel.webviewOptions(context);
    webview.html = buildPanelHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'media', 'panel.css')).toString(),
    });
    this.controller = new PanelController({
      post: (m: HostToWebview) => { void webview.postMessage(m); },
      reveal: async (file, line, sample) => {
        if (sample) await revealSample(context, sample.detail, sample.info);
        else await openAtLine(file, line);
      },
      pickSavePath: async (defaultName, filters) => {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const defaultUri = isAbsolute(defaultName) ? vscode.Uri.file(defaultName) : folder ? vscode.Uri.joinPath(folder, defaultName) : undefined;
        const uri = await vscode.window.showSaveDialog({ filters, ...(defaultUri ? { defaultUri } : {}) });
        return uri?.fsPath;
      },
      saved: (files) => { void announceSaved('saved', files); },
      uiStates: context.workspaceState,
      trainOn: async (path) => { await vscode.commands.executeCommand('latentExplorer.train', vscode.Uri.file(path)); },
      writeFile: async (path, bytes) => { await vscode.workspace.fs.writeFile(vscode.Uri.file(path), bytes); },
      log: (m) => { LatentPanel.log(m); },
    }, state);
    webview.onDidReceiveMessage((raw: unknown) => { void this.controller.handleRaw(raw); }, undefined, this.disposables);
    panel.onDidDispose(() => { this.dispose(); }, undefined, this.disposables);
  }

  /** A panel VS Code re-created after reload (serializer). */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, state: unknown): LatentPanel {
    LatentPanel.current?.panel.dispose();
    return new LatentPanel(panel, context, state);
  }

  setExplorer(explorer: Explorer): void { this.controller.setExplorer(explorer); }

  /** The model and dataset shown (undefined before a model arrives). */
  get modelInfo(): ExplorerInfo | undefined { return this.controller.modelInfo; }

  /** Draws data scored with the shown model over its training set (see PanelController.showScored). */
  showScored(data: ScoredData): void { this.controller.showScored(data); }

  trainingProgress(p: TrainProgress): void { this.controller.trainingProgress(p); }
  trainingEmbedding(e: EpochEmbedding): void { this.controller.trainingEmbedding(e); }

  /** Training ended without a model, or failed. */
  trainingStatus(status: TrainingStatus, message?: string): void { this.controller.trainingStatus(status, message); }

  get webviewPanel(): vscode.WebviewPanel { return this.panel; }

  dispose(): void {
    if (LatentPanel.current === this) LatentPanel.current = undefined;
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

/**
 * Restores the panel after a window reload. The webview's saved state (UiState, including `modelDir`) is handed to
 * `restore`, which loads the model and returns an Explorer (or undefined: the panel then shows an empty state).
 */
export function registerLatentPanelSerializer(context: vscode.ExtensionContext, restore: (state: unknown) => Promise<Explorer | undefined>): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(LatentPanel.viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const p = LatentPanel.revive(panel, context, state);
      try {
        const explorer = await restore(state);
        if (explorer) p.setExplorer(explorer);
      } catch (e) {
        LatentPanel.log(`latent panel: restore failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  });
}
