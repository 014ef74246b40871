/**
 * The panel's HTML shell and its Content-Security-Policy. Kept free of `vscode` imports so unit tests can check it.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin local resources are served from. */
  cspSource: string;
  /** Fresh per render, from {@link createNonce}. */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/panel.css)`. */
  styleUri: string;
  /** Document title. */
  title?: string;
}

/** 128 random bits, base64: a CSP nonce that differs on every call. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The CSP: nothing by default; images from the extension, `data:` and `blob:` (thumbnails and plot exports are
 * drawn to canvases and shown as data URLs); scripts only with the nonce. `style-src 'unsafe-inline'` is needed
 * because Plotly injects a `<style>` element at runtime and sets `style` attributes on its SVG nodes (modebar,
 * legend, hover labels); scripts stay nonce-only, so this does not open script injection.
 * `font-src` allows the codicon font if a stylesheet references it.
 */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** The webview document: CSP meta, the stylesheet, the app root and the bundled script carrying the nonce. */
export function buildPanelHtml(opts: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri } = opts;
  const title = escapeAttr(opts.title ?? 'Latent Explorer');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(buildCsp(cspSource, nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttr(styleUri)}">
  <title>${title}</title>
</head>
<body>
  <div id="app" data-state="loading"><div class="loading">Loading Latent Explorer…</div></div>
  <script nonce="${escapeAttr(nonce)}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>`;
}
