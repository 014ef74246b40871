/**
 * The Clusters tab: method / k controls, the progress line of a long computation (UMAP, clustering, k curve) with
 * its Cancel button, scores against the labels (accuracy, NMI, ARI, confusion matrix), the k curve, and one card
 * per cluster (decoded centroid, nearest members).
 */
import { CLUSTER_METHODS, K_CURVE_RANGE } from '../../src/shared/protocol';
import type { AnalysisProgress, AnalysisTask, ClusterMethod, ClusterScoresPayload, ClustersPayload, KSuggestionPayload } from '../../src/shared/protocol';
import { NOISE_LABEL } from '../colors';
import type { PanelContext } from '../context';
import { button, h } from '../dom';
import { imageUrl, isImage } from '../sampleViews';
import { palette, readTheme } from '../theme';

export const METHOD_LABELS: Record<ClusterMethod, string> = {
  'umap-gmm': 'UMAP + Gaussian mixture (recommended)',
  'umap-kmeans': 'UMAP + k-means',
  kmeans: 'k-means on the codes',
  gmm: 'Gaussian mixture on the codes',
  dbscan: 'DBSCAN (UMAP space, finds k)',
  hdbscan: 'HDBSCAN (UMAP space, finds k)',
};

const STAGES: Record<AnalysisProgress['stage'], string> = { knn: 'nearest neighbours', graph: 'neighbour graph', layout: 'layout', cluster: 'clustering' };
const TASKS: Record<AnalysisTask, string> = { projection: 'UMAP view', clusters: 'Clustering', kSuggestion: 'k curve' };

/** Largest k offered for `n` points. */
export function kMax(n: number): number {
  return Math.max(K_CURVE_RANGE[0], Math.min(K_CURVE_RANGE[1], n - 1));
}

/** Density methods find k themselves. */
export const methodFindsK = (m: string): boolean => m === 'dbscan' || m === 'hdbscan';

/** A k field's value clamped to 2..kMax (2 when not a number). */
export function clampK(raw: string, max: number): number {
  return Math.max(2, Math.min(max, Math.round(Number(raw)) || 2));
}

/** "UMAP view: layout 120/200 (60%)". */
export function progressText(task: AnalysisTask, p: AnalysisProgress): string {
  const pct = p.total > 0 ? ` (${Math.round((100 * p.done) / p.total)}%)` : '';
  return `${TASKS[task]}: ${STAGES[p.stage]} ${p.done}/${p.total}${pct}`;
}

/** "3 clusters (hdbscan), 12 noise points. Click a cluster to highlight it." */
export function clusterSummary(c: ClustersPayload): string {
  return `${c.k} clusters${c.method ? ` (${c.method})` : ''}${c.noise ? `, ${c.noise} noise points` : ''}. Click a cluster to highlight it.`;
}

/** Title of the k-curve chart. */
export function kCurveTitle(s: KSuggestionPayload): string {
  return `silhouette / elbow${s.space === 'umap' ? ' (UMAP space)' : ''}: best k = ${s.best}${s.elbow !== undefined ? `, elbow k = ${s.elbow}` : ''}`;
}

/** The progress line with a Cancel button. */
export function progressView(task: AnalysisTask, p: AnalysisProgress, onCancel: () => void): HTMLElement {
  return h('div', { class: 'row analysis-progress', id: 'analysis-progress' },
    h('span', { class: 'muted' }, progressText(task, p)), h('progress', { max: String(Math.max(1, p.total)), value: String(p.done) }),
    button('Cancel', onCancel, { id: 'analysis-cancel', secondary: '' }));
}

/** Number of classes, accuracy / NMI / ARI and the cluster x label confusion matrix. */
export function scoresView(s: ClusterScoresPayload, noise: number): HTMLElement {
  const box = h('div', { class: 'cluster-scores', id: 'cluster-scores' });
  box.append(h('div', {}, `${s.classes} label classes · accuracy ${s.accuracy.toFixed(3)} · NMI ${s.nmi.toFixed(3)} · ARI ${s.ari.toFixed(3)}${noise ? ` · ${noise} noise points` : ''}`));
  const table = h('table', { class: 'confusion', id: 'confusion', title: 'rows: clusters, columns: labels' });
  table.append(h('tr', {}, h('th', {}, 'cluster'), ...s.confusion.classes.map((c) => h('th', {}, c))));
  s.confusion.clusters.forEach((c, i) => {
    const counts = s.confusion.counts[i];
    const max = Math.max(1, ...counts);
    const row = h('tr', {}, h('th', {}, c === -1 ? NOISE_LABEL : String(c)));
    for (const v of counts) {
      const td = h('td', {}, String(v));
      td.style.opacity = String(0.35 + (0.65 * v) / max);
      if (v === max && v > 0) td.classList.add('top');
      row.append(td);
    }
    table.append(row);
  });
  box.append(table);
  return box;
}

/** Method selector, k field, "Cluster" and "k curve" buttons. */
function controls(ctx: PanelContext, method: ClusterMethod, k: number, max: number): HTMLElement {
  const select = h('select', { id: 'cluster-method', title: 'clustering method' });
  for (const m of CLUSTER_METHODS) select.append(h('option', { value: m }, METHOD_LABELS[m]));
  select.value = method;
  const kField = h('input', { type: 'number', id: 'cluster-k', min: '2', max: String(max), step: '1', value: String(Math.max(2, Math.min(max, k || 2))), title: 'number of clusters' });
  const syncK = (): void => { kField.disabled = methodFindsK(select.value); };
  syncK();
  select.addEventListener('change', syncK);
  const chosen = (): ClusterMethod => CLUSTER_METHODS.find((m) => m === select.value) ?? method;
  const run = button('Cluster', () => {
    const m = chosen();
    const kk = clampK(kField.value, max);
    ctx.dispatch({ type: 'ui', patch: { clusterMethod: m, k: kk } });
    ctx.channel.notify({ type: 'setK', k: kk, method: m });
    ctx.setStatus(`Clustering (${m})…`);
  }, { id: 'cluster-run' });
  const curve = button('k curve', () => {
    const m = chosen();
    ctx.dispatch({ type: 'ui', patch: { clusterMethod: m } });
    ctx.channel.notify({ type: 'suggestK', kMin: K_CURVE_RANGE[0], kMax: max, method: m });
    ctx.setStatus('Computing the k curve…');
  }, { id: 'k-curve', secondary: '', title: `k-means inertia (elbow) and silhouette for k = ${K_CURVE_RANGE[0]}..${K_CURVE_RANGE[1]} in the method's space` });
  return h('div', { class: 'row cluster-controls', id: 'cluster-controls' }, select, h('label', {}, 'k ', kField), run, curve);
}

/** The whole tab, from scratch. */
export function renderClusters(pane: HTMLElement, ctx: PanelContext): void {
  const { model, analysis, kSuggestion, ui, emphasis } = ctx.state;
  pane.textContent = '';
  if (analysis) pane.append(progressView(analysis.task, analysis.progress, () => { ctx.channel.notify({ type: 'cancelAnalysis' }); }));
  if (!model) { pane.append(h('div', { class: 'muted' }, 'No clusters yet.')); return; }
  pane.append(controls(ctx, model.clusters?.method ?? ui.clusterMethod ?? 'umap-gmm', ui.k, kMax(model.embedding.n)));
  const c = model.clusters;
  if (!c) { pane.append(h('div', { class: 'muted' }, 'No clusters yet.')); return; }
  const pal = palette();
  pane.append(h('div', { class: 'muted' }, clusterSummary(c)));
  if (c.scores) pane.append(scoresView(c.scores, c.noise ?? 0));
  if (kSuggestion) {
    const div = h('div', { class: 'kplot', id: 'k-plot' });
    pane.append(div);
    const t = readTheme();
    ctx.plot.draw(div, [
      { x: kSuggestion.ks, y: kSuggestion.silhouettes, name: 'silhouette', mode: 'lines+markers', line: { color: t.accent } },
      { x: kSuggestion.ks, y: kSuggestion.inertias, name: 'inertia (elbow)', yaxis: 'y2', mode: 'lines+markers', line: { color: pal[1], dash: 'dot' } },
    ], { height: 170, showlegend: true, legend: { orientation: 'h', y: -0.35 }, title: { text: kCurveTitle(kSuggestion), font: { size: 11 } }, yaxis2: { overlaying: 'y', side: 'right', showgrid: false, color: t.fg } });
  }
  const list = h('div', { class: 'clusters', id: 'cluster-list' });
  const { info } = model;
  const dim = info.dim;
  c.sizes.forEach((size, j) => {
    const card = h('div', { class: `cluster${emphasis === j ? ' active' : ''}`, 'data-cluster': String(j) });
    const sw = h('span', { class: 'swatch' });
    sw.style.background = pal[j % pal.length];
    card.append(h('div', { class: 'cluster-head' }, sw, `cluster ${j}`, h('span', { class: 'muted' }, ` · ${size} points`)));
    const centroid = c.decodedCentroids.subarray(j * dim, (j + 1) * dim);
    if (isImage(info)) card.append(h('img', { src: imageUrl(info, centroid, 2), alt: `centroid ${j}`, title: 'decoded centroid' }));
    else card.append(h('div', { class: 'muted mono' }, `centroid: ${Array.from(centroid.subarray(0, 6), (v) => v.toFixed(2)).join(', ')}${dim > 6 ? ', …' : ''}`));
    const members = h('div', { class: 'members' }, 'nearest: ');
    for (const m of c.nearest[j].slice(0, 8)) {
      const a = h('a', { href: '#' }, `#${m}`);
      a.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); ctx.inspect(m); });
      members.append(a, ' ');
    }
    card.append(members);
    card.addEventListener('click', () => { ctx.dispatch({ type: 'toggleEmphasis', cluster: j }); });
    list.append(card);
  });
  pane.append(list);
}
