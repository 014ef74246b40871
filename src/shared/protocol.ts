/**
 * The one typed protocol between the extension host (src/extension/panel/) and the panel's webview (webview/), in
 * the style of vscode-hexeditor's shared/protocol.ts: two discriminated unions keyed by `type`
 * (./protocol/messages.ts), requests answered by id (`REPLY_TYPE`), and a validator for each direction:
 * {@link parseWebviewMessage} (the webview is untrusted input) and {@link parseHostMessage}.
 * Imported by both sides, so nothing here uses a Node or DOM API.
 */
export * from './protocol/messages';
export * from './protocol/limits';
export { EXPORT_FORMATS, parseUiState, parseWebviewMessage } from './protocol/fromWebview';
export type { ValidationLimits } from './protocol/fromWebview';
export { parseHostMessage } from './protocol/fromHost';
export { CLUSTER_METHODS } from '../common/clusterMethods';
export { ANOMALY_SCORE_METHODS } from '../core/analysis/anomalyScores';
