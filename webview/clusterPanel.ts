/**
 * Pieces of the Clusters tab: the method / k controls, the progress line of a long computation (UMAP, clustering,
 * k curve) with its Cancel button, and the scores against the labels (accuracy, NMI, ARI, confusion matrix).
 * Plain DOM; main.ts places them and wires the callbacks to protocol messages.
 */
import { CLUSTER_METHODS } from '../src/shared/protocol';
import type { AnalysisProgress, AnalysisTask, ClusterMethod, ClusterScoresPayload } from '../src/shared/protocol';

export const METHOD_LABELS: Record<ClusterMethod, string> = {
  'umap-gmm': 'UMAP + Gaussian mixture (recommended)',
  'umap-kmeans': 'UMAP + k-means',
  kmeans: 'k-means on the codes',
  gmm: 'Gaussian mixture on the codes',
  dbscan: 'DBSCAN (UMAP space, finds k)',
  hdbscan: 'HDBSCAN (UMAP space, finds k)',
};

/** Label of the noise group (density methods). */
export const NOISE_LABEL = 'noise';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};

export interface ClusterControlsOptions {
  method: ClusterMethod;
  k: number;
  /** Largest k offered. */
  kMax: number;
  onRun(method: ClusterMethod, k: number): void;
  onCurve(method: ClusterMethod): void;
}

/** Method selector, k field, "Cluster" and "k curve (2..30)" buttons. */
export function clusterControls(o: ClusterControlsOptions): HTMLElement {
  const row = el('div', { class: 'row cluster-controls', id: 'cluster-controls' });
  const method = el('select', { id: 'cluster-method', title: 'clustering method' });
  for (const m of CLUSTER_METHODS) method.append(el('option', { value: m }, METHOD_LABELS[m]));
  method.value = o.method;
  const k = el('input', { type: 'number', id: 'cluster-k', min: '2', max: String(Math.max(2, o.kMax)), step: '1', value: String(Math.max(2, Math.min(o.kMax, o.k || 2))), title: 'number of clusters' });
  const density = (): boolean => method.value === 'dbscan' || method.value === 'hdbscan';
  const syncK = (): void => { k.disabled = density(); };
  syncK();
  method.addEventListener('change', syncK);
  const chosen = (): ClusterMethod => method.value as ClusterMethod;
  const kValue = (): number => Math.max(2, Math.min(o.kMax, Math.round(Number(k.value) || 2)));
  const run = el('vscode-button' as 'button', { id: 'cluster-run' }, 'Cluster');
  run.addEventListener('click', () => o.onRun(chosen(), kValue()));
  const curve = el('vscode-button' as 'button', { id: 'k-curve', secondary: '', title: 'k-means inertia (elbow) and silhouette for k = 2..30 in the method\'s space' }, 'k curve');
  curve.addEventListener('click', () => o.onCurve(chosen()));
  row.append(method, el('label', {}, 'k ', k), run, curve);
  return row;
}

const STAGES: Record<AnalysisProgress['stage'], string> = { knn: 'nearest neighbours', graph: 'neighbour graph', layout: 'layout', cluster: 'clustering' };
const TASKS: Record<AnalysisTask, string> = { projection: 'UMAP view', clusters: 'Clustering', kSuggestion: 'k curve' };

/** "UMAP view: layout 120/200 (60%)". */
export function progressText(task: AnalysisTask, p: AnalysisProgress): string {
  const pct = p.total > 0 ? ` (${Math.round((100 * p.done) / p.total)}%)` : '';
  return `${TASKS[task]}: ${STAGES[p.stage]} ${p.done}/${p.total}${pct}`;
}

/** The progress line with a Cancel button. */
export function progressView(task: AnalysisTask, p: AnalysisProgress, onCancel: () => void): HTMLElement {
  const row = el('div', { class: 'row analysis-progress', id: 'analysis-progress' }, el('span', { class: 'muted' }, progressText(task, p)));
  const bar = el('progress', { max: String(Math.max(1, p.total)), value: String(p.done) });
  const cancel = el('vscode-button' as 'button', { id: 'analysis-cancel', secondary: '' }, 'Cancel');
  cancel.addEventListener('click', onCancel);
  row.append(bar, cancel);
  return row;
}

/** Number of classes, accuracy / NMI / ARI and the cluster x label confusion matrix. */
export function scoresView(s: ClusterScoresPayload, noise: number): HTMLElement {
  const box = el('div', { class: 'cluster-scores', id: 'cluster-scores' });
  box.append(el('div', {}, `${s.classes} label classes · accuracy ${s.accuracy.toFixed(3)} · NMI ${s.nmi.toFixed(3)} · ARI ${s.ari.toFixed(3)}${noise ? ` · ${noise} noise points` : ''}`));
  const table = el('table', { class: 'confusion', id: 'confusion', title: 'rows: clusters, columns: labels' });
  table.append(el('tr', {}, el('th', {}, 'cluster'), ...s.confusion.classes.map((c) => el('th', {}, c))));
  s.confusion.clusters.forEach((c, i) => {
    const counts = s.confusion.counts[i];
    const max = Math.max(1, ...counts);
    const row = el('tr', {}, el('th', {}, c === -1 ? NOISE_LABEL : String(c)));
    for (const v of counts) {
      const td = el('td', {}, String(v));
      td.style.opacity = String(0.35 + (0.65 * v) / max);
      if (v === max && v > 0) td.classList.add('top');
      row.append(td);
    }
    table.append(row);
  });
  box.append(table);
  return box;
}
