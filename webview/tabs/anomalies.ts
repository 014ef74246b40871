/**
 * The Anomalies tab: the score chosen (reconstruction error, standardised error, negative ELBO, latent kNN /
 * Mahalanobis, combined), a histogram of it with the model's calibrated threshold, the threshold's expected
 * false-positive rate, and, when a label value is chosen as "anomaly", precision / recall at the threshold and the
 * ROC curve. Scores come from the host (`anomalies` requests); this file asks for them and lays them out.
 */
import type * as Plotly from 'plotly.js-dist-min';
import { ANOMALY_SCORE_METHODS } from '../../src/shared/protocol';
import type { AnomalyPayload, AnomalyScoreMethod } from '../../src/shared/protocol';
import type { PanelContext } from '../context';
import { h, select } from '../dom';
import { SupersededError } from '../hostChannel';
import type { AnomalyState } from '../state';
import { isImage } from '../sampleViews';
import { readTheme } from '../theme';
import { anomalyGallery, timelineView } from './anomalyViews';

export const SCORE_LABELS: Record<AnomalyScoreMethod, string> = {
  mse: 'reconstruction error (MSE)',
  smoothed: 'smoothed reconstruction error',
  zscore: 'standardised error (per feature)',
  elbo: 'negative ELBO (VAE)',
  knn: 'latent kNN distance',
  mahalanobis: 'latent Mahalanobis distance',
  combined: 'combined (standardised scores averaged)',
};

/** Points the histogram is drawn from at most (every k-th score beyond). */
const HISTOGRAM_MAX = 200_000;
/** Entries of the top list. */
const TOP = 15;

/** The request key of a state: what the current report should answer. */
export function anomalyKey(s: AnomalyState): string {
  return `${s.method ?? ''}|${s.labels.join('\u0000')}`;
}

/** True when the report answers the state's current choice. */
export function reportIsCurrent(s: AnomalyState): boolean {
  const r = s.report;
  if (!r) return false;
  const labels = r.evaluation?.anomalyLabels ?? [];
  return (s.method === undefined || s.method === r.method) && labels.length === s.labels.length && labels.every((l) => s.labels.includes(l));
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The threshold line: value, expected false-positive rate, where it was calibrated, how many it flags. */
export function thresholdText(r: AnomalyPayload): string {
  return `threshold ${r.threshold.toPrecision(4)}: expected false-positive rate ${pct(r.expectedFpr)} (set for ${pct(r.targetFpr)} on ${r.calibrationRows} ${r.heldOut ? 'held-out validation' : 'training'} rows); flags ${r.flagged} of ${r.scores.length}`;
}

/** Precision / recall / AUROC against the labels marked as anomalies. */
export function evaluationText(ev: NonNullable<AnomalyPayload['evaluation']>): string {
  return `label ${ev.anomalyLabels.map((l) => `"${l}"`).join(', ')} as anomaly (${ev.positives}): precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, false-positive rate ${ev.falsePositiveRate.toFixed(3)}, AUROC ${ev.auroc.toFixed(3)}`;
}

/** Indices of the `k` highest scores, highest first (ties: lower index first). */
export function topAnomalies(scores: Float32Array, k = TOP): number[] {
  return Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
}

/** The scores a histogram draws: all of them, or every k-th beyond `max`. */
export function histogramSample(scores: Float32Array, max = HISTOGRAM_MAX): number[] {
  const step = Math.ceil(scores.length / max);
  return step > 1 ? Array.from(scores.filter((_, i) => i % step === 0)) : Array.from(scores);
}

/** Asks the host for the chosen score, unless that answer is already here or on its way. */
function requestReport(pane: HTMLElement, ctx: PanelContext): void {
  const a = ctx.state.anomaly;
  const key = anomalyKey(a);
  if (reportIsCurrent(a) || a.pending === key) return;
  ctx.dispatch({ type: 'anomalyRequested', key });
  const request = { type: 'anomalies' as const, ...(a.method ? { method: a.method } : {}), ...(a.labels.length ? { anomalyLabels: a.labels } : {}) };
  ctx.channel.request(request, 'anomalies').then((m) => {
    ctx.dispatch({ type: 'anomalyReport', report: m.report });
    if (!pane.hidden) renderAnomalies(pane, ctx);
  }, (e: unknown) => {
    if (e instanceof SupersededError) return;
    ctx.dispatch({ type: 'anomalyFailed' });
    document.getElementById('anomaly-status')?.replaceChildren(`Scoring failed: ${e instanceof Error ? e.message : String(e)}`);
    ctx.reportError(e);
  });
}

/** The whole tab, from scratch (asks for the scores first when the current choice has none yet). */
export function renderAnomalies(pane: HTMLElement, ctx: PanelContext): void {
  pane.textContent = '';
  const model = ctx.state.model;
  if (!model) return;
  requestReport(pane, ctx);
  const s = ctx.state.anomaly;
  const r = s.report;
  const e = model.embedding;
  const rerender = (): void => { renderAnomalies(pane, ctx); };
  const controls = h('div', { class: 'row anomaly-controls' });
  const methods = r?.methods ?? [];
  if (r && methods.length > 0) {
    const current = s.method ?? r.method;
    controls.append(select(methods.map((m) => [m, `score: ${SCORE_LABELS[m]}${m === r.defaultMethod ? ' (default)' : ''}`]), current, (v) => {
      const method = ANOMALY_SCORE_METHODS.find((m) => m === v);
      if (method) ctx.dispatch({ type: 'anomalyChoice', method });
      rerender();
    }, 'anomaly-score'));
  }
  const names = e.labelNames;
  if (names && names.length > 1) {
    const opts: [string, string][] = [['', 'anomalies: not labelled'], ...names.map((l): [string, string] => [l, `anomalies: label "${l}"`])];
    controls.append(select(opts, s.labels.at(0) ?? '', (v) => { ctx.dispatch({ type: 'anomalyChoice', labels: v ? [v] : [] }); rerender(); }, 'anomaly-label'));
  }
  pane.append(controls);
  const filter = h('input', { type: 'checkbox', id: 'filter-anomalies' });
  filter.checked = ctx.state.ui.filterAnomalies;
  filter.addEventListener('change', () => { ctx.dispatch({ type: 'ui', patch: { filterAnomalies: filter.checked } }); });
  pane.append(h('label', { class: 'row' }, filter, 'show only points above the threshold'));
  if (!r) {
    pane.append(h('div', { class: 'muted', id: 'anomaly-status' }, 'Scoring…'));
    return;
  }
  const t = readTheme();
  const hist = h('div', { class: 'hist', id: 'error-hist', 'data-method': r.method });
  pane.append(hist, h('div', { id: 'anomaly-threshold', 'data-method': r.method }, thresholdText(r)));
  const bars: Partial<Plotly.PlotData> & { nbinsx: number } = { type: 'histogram', x: histogramSample(r.scores), marker: { color: t.accent }, nbinsx: 60 };
  ctx.plot.draw(hist, [bars],
    { height: 170, title: { text: SCORE_LABELS[r.method], font: { size: 11 } }, shapes: [{ type: 'line', x0: r.threshold, x1: r.threshold, yref: 'paper', y0: 0, y1: 1, line: { color: t.error, width: 2 } }] });
  const ev = r.evaluation;
  if (ev) {
    pane.append(h('div', { id: 'anomaly-eval' }, evaluationText(ev)));
    const roc = h('div', { class: 'hist', id: 'anomaly-roc' });
    pane.append(roc);
    const traces: Partial<Plotly.PlotData>[] = [
      { x: ev.roc.fpr, y: ev.roc.tpr, mode: 'lines', line: { color: t.accent }, name: 'ROC' },
      { x: [0, 1], y: [0, 1], mode: 'lines', line: { color: t.grid, dash: 'dot' }, name: 'chance' },
      { x: [ev.falsePositiveRate], y: [ev.recall], mode: 'markers', marker: { color: t.error, size: 9 }, name: 'threshold' },
    ];
    ctx.plot.draw(roc, traces, { height: 200, title: { text: `ROC (AUROC ${ev.auroc.toFixed(3)})`, font: { size: 11 } }, xaxis: { title: { text: 'false-positive rate', standoff: 2 }, range: [0, 1] }, yaxis: { title: { text: 'true-positive rate', standoff: 2 }, range: [0, 1.02] } });
  }
  if (r.timeline) pane.append(timelineView(ctx, r));
  const top = topAnomalies(r.scores);
  if (isImage(model.info)) pane.append(h('h3', {}, 'Gallery'), anomalyGallery(ctx, top, r.scores));
  const list = h('ol', { class: 'top', id: 'top-anomalies' });
  for (const i of top) {
    const a = h('a', { href: '#' }, `#${i}`);
    a.addEventListener('click', (ev2) => { ev2.preventDefault(); ctx.inspect(i); });
    const label = names && e.labelCodes ? names[e.labelCodes[i]] : undefined;
    list.append(h('li', {}, a, ` ${r.scores[i].toPrecision(3)}${label !== undefined ? ` · ${label}` : ''}`));
  }
  pane.append(h('h3', {}, 'Top anomalies'), list);
}
