/**
 * The panel's Anomalies tab: the score chosen (reconstruction error, standardised error, negative ELBO, latent kNN /
 * Mahalanobis, combined), a histogram of it with the model's calibrated threshold, the threshold's expected
 * false-positive rate, and, when a label value is chosen as "anomaly", precision / recall at the threshold and the
 * ROC curve. Scores come from the host (`anomalies` messages); this file only lays them out.
 */
import * as Plotly from 'plotly.js-dist-min';
import type { AnomalyPayload } from '../src/shared/protocol';
import type { AnomalyScoreMethod } from '../src/common/anomalyMethods';

/** What the tab shows: the chosen score and anomaly labels, and the host's latest answer (scores unpacked). */
export interface AnomalyState {
  /** Undefined = the model's default score. */
  method?: AnomalyScoreMethod;
  /** Label values counted as anomalies (empty = none). */
  labels: string[];
  report?: Omit<AnomalyPayload, 'scores'> & { scores: Float32Array };
  /** Key of the request in flight (method + labels), so one is not sent twice. */
  pending?: string;
}

export const SCORE_LABELS: Record<AnomalyScoreMethod, string> = {
  mse: 'reconstruction error (MSE)',
  smoothed: 'smoothed reconstruction error',
  zscore: 'standardised error (per feature)',
  elbo: 'negative ELBO (VAE)',
  knn: 'latent kNN distance',
  mahalanobis: 'latent Mahalanobis distance',
  combined: 'combined (standardised scores averaged)',
};

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

export interface AnomalyDeps {
  h: <K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: (Node | string)[]) => HTMLElementTagNameMap[K];
  select: (options: [string, string][], value: string, onChange: (v: string) => void, id: string) => HTMLSelectElement;
  layout: (extra?: Partial<Plotly.Layout>) => Partial<Plotly.Layout>;
  config: Partial<Plotly.Config>;
  colors: { accent: string; error: string; second: string };
  labelNames?: string[];
  labelOf: (i: number) => string | undefined;
  onMethod: (m: AnomalyScoreMethod) => void;
  onLabels: (labels: string[]) => void;
  onInspect: (i: number) => void;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Lays the tab out into `p` (below its fixed controls): histogram, threshold line, numbers, ROC and top list. */
export function renderAnomalyReport(p: HTMLElement, s: AnomalyState, d: AnomalyDeps): void {
  const { h } = d;
  const r = s.report;
  const controls = h('div', { class: 'row anomaly-controls' });
  const methods = r?.methods ?? [];
  if (methods.length > 0) {
    const current = s.method ?? r?.method ?? methods[0];
    controls.append(d.select(methods.map((m) => [m, `score: ${SCORE_LABELS[m]}${m === r?.defaultMethod ? ' (default)' : ''}`]), current, (v) => d.onMethod(v as AnomalyScoreMethod), 'anomaly-score'));
  }
  if (d.labelNames && d.labelNames.length > 1) {
    const opts: [string, string][] = [['', 'anomalies: not labelled'], ...d.labelNames.map((l): [string, string] => [l, `anomalies: label "${l}"`])];
    controls.append(d.select(opts, s.labels[0] ?? '', (v) => d.onLabels(v ? [v] : []), 'anomaly-label'));
  }
  p.append(controls);
  if (!r) {
    p.append(h('div', { class: 'muted', id: 'anomaly-status' }, 'Scoring…'));
    return;
  }
  const scores = r.scores;
  const info = h('div', { id: 'anomaly-threshold', 'data-method': r.method },
    `threshold ${r.threshold.toPrecision(4)}: expected false-positive rate ${pct(r.expectedFpr)} (set for ${pct(r.targetFpr)} on ${r.calibrationRows} ${r.heldOut ? 'held-out validation' : 'training'} rows); flags ${r.flagged} of ${scores.length}`);
  p.append(info);
  const ev = r.evaluation;
  if (ev) {
    p.append(h('div', { id: 'anomaly-eval' }, `label ${ev.anomalyLabels.map((l) => `"${l}"`).join(', ')} as anomaly (${ev.positives}): precision ${ev.precision.toFixed(3)}, recall ${ev.recall.toFixed(3)}, false-positive rate ${ev.falsePositiveRate.toFixed(3)}, AUROC ${ev.auroc.toFixed(3)}`));
    const roc = h('div', { class: 'hist', id: 'anomaly-roc' });
    p.append(roc);
    const point = { x: [ev.falsePositiveRate], y: [ev.recall], mode: 'markers', marker: { color: d.colors.error, size: 9 }, name: 'threshold' } as Partial<Plotly.PlotData>;
    requestAnimationFrame(() => void Plotly.newPlot(roc, [
      { x: ev.roc.fpr, y: ev.roc.tpr, mode: 'lines', line: { color: d.colors.accent }, name: 'ROC' } as Partial<Plotly.PlotData>,
      { x: [0, 1], y: [0, 1], mode: 'lines', line: { color: d.colors.second, dash: 'dot' }, name: 'chance' } as Partial<Plotly.PlotData>,
      point,
    ], d.layout({ height: 200, title: { text: `ROC (AUROC ${ev.auroc.toFixed(3)})`, font: { size: 11 } }, xaxis: { title: { text: 'false-positive rate', standoff: 2 }, range: [0, 1] }, yaxis: { title: { text: 'true-positive rate', standoff: 2 }, range: [0, 1.02] } }), d.config));
  }
  const hist = h('div', { class: 'hist', id: 'error-hist', 'data-method': r.method });
  p.insertBefore(hist, info);
  const step = Math.ceil(scores.length / 200_000);
  const sample = step > 1 ? scores.filter((_, i) => i % step === 0) : scores;
  const t = r.threshold;
  requestAnimationFrame(() => void Plotly.newPlot(hist, [{ type: 'histogram', x: Array.from(sample), marker: { color: d.colors.accent }, nbinsx: 60 } as Partial<Plotly.PlotData>],
    d.layout({ height: 170, title: { text: SCORE_LABELS[r.method], font: { size: 11 } }, shapes: [{ type: 'line', x0: t, x1: t, yref: 'paper', y0: 0, y1: 1, line: { color: d.colors.error, width: 2 } }] }), d.config));
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]).slice(0, 15);
  const list = h('ol', { class: 'top', id: 'top-anomalies' });
  for (const i of order) {
    const a = h('a', { href: '#' }, `#${i}`);
    a.addEventListener('click', (e) => { e.preventDefault(); d.onInspect(i); });
    const label = d.labelOf(i);
    list.append(h('li', {}, a, ` ${scores[i].toPrecision(3)}${label !== undefined ? ` · ${label}` : ''}`));
  }
  p.append(h('h3', {}, 'Top anomalies'), list);
}
