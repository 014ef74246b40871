/**
 * Latent Explorer panel front end. Talks to the host only through the typed protocol (src/shared/protocol.ts),
 * keeps UI state (never data) in `vscode.setState`, and takes every colour from VS Code's theme variables.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import * as Plotly from 'plotly.js-dist-min';
import { DEFAULT_UI_STATE, PANEL_TABS, parseUiState } from '../src/shared/protocol';
import type {
  ClustersPayload, LiveEmbeddingPayload, EpochRecord, ExportFormat, HostToWebview, KSuggestionPayload, PanelInfo, PanelTab, SamplePayload, TrainProgress, TrainingStatus, UiState, WebviewToHost,
} from '../src/shared/protocol';
import { ScatterView, packRgba, parseColor } from './scatter';
import { anomalyKey, renderAnomalyReport, reportIsCurrent } from './anomalies';
import type { AnomalyState } from './anomalies';
import { defaultAnomalyLabels } from '../src/core/analysis/anomalyReport';
import { NOISE_LABEL, clusterControls, progressText, progressView, scoresView } from './clusterPanel';
import type { AnalysisProgress, AnalysisTask, ClusterMethod, ClusterScoresPayload } from '../src/shared/protocol';

interface VsCodeApi { postMessage(m: WebviewToHost): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

// ---------------------------------------------------------------------------------------------------------------
// theme

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
const theme = (): { bg: string; fg: string; grid: string; accent: string; error: string; font: string } => ({
  bg: cssVar('--vscode-editor-background', '#1e1e1e'),
  fg: cssVar('--vscode-editor-foreground', '#cccccc'),
  grid: cssVar('--vscode-editorWidget-border', '#454545'),
  accent: cssVar('--vscode-charts-blue', '#3794ff'),
  error: cssVar('--vscode-charts-red', '#f14c4c'),
  font: cssVar('--vscode-font-family', 'sans-serif'),
});
/** Categorical palette: VS Code's chart colours first, then a fixed set. */
function palette(): string[] {
  const names = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];
  const base = names.map((n, i) => cssVar(`--vscode-charts-${n}`, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'][i]));
  return [...base, '#4ec9b0', '#ce9178', '#9cdcfe', '#c586c0', '#dcdcaa', '#569cd6', '#f48771', '#6a9955'];
}
/** Viridis-like ramp for continuous values in [0, 1]. */
function ramp(t: number): [number, number, number] {
  const stops: [number, number, number][] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.max(0, Math.min(0.9999, t)) * (stops.length - 1);
  const i = Math.floor(x), f = x - i;
  return [0, 1, 2].map((j) => stops[i][j] + f * (stops[i + 1][j] - stops[i][j])) as [number, number, number];
}
function plotLayout(extra: Partial<Plotly.Layout> = {}): Partial<Plotly.Layout> {
  const t = theme();
  return {
    paper_bgcolor: t.bg, plot_bgcolor: t.bg, font: { color: t.fg, family: t.font, size: 11 }, margin: { l: 40, r: 10, t: 24, b: 30 },
    xaxis: { gridcolor: t.grid, zerolinecolor: t.grid }, yaxis: { gridcolor: t.grid, zerolinecolor: t.grid }, showlegend: false, ...extra,
  };
}
const plotConfig: Partial<Plotly.Config> = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

// ---------------------------------------------------------------------------------------------------------------
// state

interface Model {
  info: PanelInfo;
  n: number;
  latentDim: number;
  latent: Float32Array;
  errors: Float32Array;
  labelNames?: string[];
  labelCodes?: Int32Array;
  /** VQ-VAE: codebook entry per sample. */
  codes?: Int32Array;
  coords: Float32Array;
  dims: 2 | 3;
  method: string;
  clusters?: {
    k: number; assignments: Int32Array; sizes: number[]; nearest: number[][]; decodedCentroids: Float32Array;
    method?: ClusterMethod; noise?: number; probabilities?: Float32Array; scores?: ClusterScoresPayload;
  };
}

let ui: UiState = { ...DEFAULT_UI_STATE, ...(parseUiState(vscode.getState()) ?? {}) };
let model: Model | undefined;
let history: EpochRecord[] = [];
let training: TrainingStatus = 'idle';
let kSuggestion: KSuggestionPayload | undefined;
/** The long computation running in the host (UMAP, clustering, k curve), shown with a Cancel button. */
let analysis: { task: AnalysisTask; progress: AnalysisProgress } | undefined;
const K_MAX = 30;
let requestSeq = 1;
const pending = new Map<number, string>();
let hoverTimer: ReturnType<typeof setTimeout> | undefined;
let hoverIndex: number | undefined;
let anomaly: AnomalyState = { labels: [] };

function post(m: WebviewToHost): void { vscode.postMessage(m); }
function saveUi(patch: Partial<UiState>): void {
  ui = { ...ui, ...patch };
  vscode.setState(ui);
  post({ type: 'uiState', state: ui });
}
function request(kind: string): number { const id = requestSeq++; pending.set(id, kind); return id; }

// ---------------------------------------------------------------------------------------------------------------
// DOM

const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
};
const button = (label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLElement => {
  const b = h('vscode-button' as 'button', attrs, label);
  b.addEventListener('click', onClick);
  return b;
};
const select = (options: [string, string][], value: string, onChange: (v: string) => void, id: string): HTMLSelectElement => {
  const s = h('select', { id });
  for (const [v, label] of options) s.append(h('option', { value: v }, label));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  return s;
};

const app = document.getElementById('app')!;
app.textContent = '';
app.dataset.state = 'waiting';
const header = h('div', { class: 'header' });
const status = h('div', { class: 'status', id: 'status' }, 'Waiting for a model…');
const toolbar = h('div', { class: 'toolbar' });
const main = h('div', { class: 'main' });
const plotWrap = h('div', { class: 'plot', id: 'plot' });
const legend = h('div', { class: 'legend', id: 'legend' });
const tooltip = h('div', { class: 'tooltip', id: 'tooltip' });
const side = h('div', { class: 'side' });
const tabBar = h('div', { class: 'tabs', role: 'tablist' });
const tabBody = h('div', { class: 'tab-body' });
header.append(status, toolbar);
plotWrap.append(legend, tooltip);
side.append(tabBar, tabBody);
main.append(plotWrap, side);
app.append(header, main);

const panes = Object.fromEntries(PANEL_TABS.map((t) => [t, h('div', { class: 'pane', id: `pane-${t}` })])) as Record<PanelTab, HTMLDivElement>;
const TAB_LABELS: Record<PanelTab, string> = { point: 'Point', clusters: 'Clusters', interpolate: 'Interpolate', generate: 'Generate', anomalies: 'Anomalies', training: 'Training' };
for (const t of PANEL_TABS) {
  const b = h('button', { class: 'tab', role: 'tab', id: `tab-${t}` }, TAB_LABELS[t]);
  b.addEventListener('click', () => showTab(t));
  tabBar.append(b);
  tabBody.append(panes[t]);
}
function showTab(t: PanelTab): void {
  for (const x of PANEL_TABS) {
    panes[x].hidden = x !== t;
    document.getElementById(`tab-${x}`)!.setAttribute('aria-selected', String(x === t));
  }
  if (ui.tab !== t) saveUi({ tab: t });
  if (t === 'training') renderTraining();
  if (t === 'anomalies') renderAnomalies();
  if (t === 'generate') renderGenerateControls();
}

const scatter = new ScatterView(plotWrap, {
  background: theme().bg,
  onHover: (i, x, y) => onHover(i, x, y),
  onClick: (i, data, e) => onClick(i, data, e),
});

// ---------------------------------------------------------------------------------------------------------------
// toolbar

function buildToolbar(): void {
  toolbar.textContent = '';
  if (!model) return;
  const colorOpts: [string, string][] = [['cluster', 'Colour: cluster'], ['error', 'Colour: recon. error']];
  if (model.labelNames) colorOpts.splice(1, 0, ['label', `Colour: ${model.info.labelName ?? 'label'}`]);
  if (model.codes) colorOpts.push(['code', 'Colour: VQ code']);
  toolbar.append(select(colorOpts, ui.colorBy, (v) => { saveUi({ colorBy: v as UiState['colorBy'] }); recolor(); }, 'color-by'));
  if (model.latentDim > 3) {
    toolbar.append(select([['pca', 'PCA'], ['umap', 'UMAP']], ui.projection === 'umap' ? 'umap' : 'pca', (v) => {
      saveUi({ projection: v as UiState['projection'] });
      setStatus(`Computing ${v.toUpperCase()}…`);
      post({ type: 'setProjection', method: ui.projection, dims: ui.dims });
    }, 'projection'));
  }
  if (model.latentDim >= 3) {
    toolbar.append(select([['2', '2D'], ['3', '3D']], String(ui.dims), (v) => {
      saveUi({ dims: v === '3' ? 3 : 2 });
      post({ type: 'setProjection', method: ui.projection, dims: ui.dims });
    }, 'dims'));
  }
  const kLabel = h('label', { class: 'k' }, 'k ');
  const k = h('input', { type: 'range', min: '2', max: String(Math.max(2, Math.min(K_MAX, model.n - 1))), value: String(ui.k), id: 'k-slider' });
  const kValue = h('span', { id: 'k-value' }, String(ui.k));
  k.addEventListener('input', () => { kValue.textContent = k.value; });
  k.addEventListener('change', () => { saveUi({ k: Number(k.value) }); post({ type: 'setK', k: ui.k, ...(ui.clusterMethod ? { method: ui.clusterMethod } : {}) }); setStatus(`Clustering with k = ${ui.k}…`); });
  const hint = h('span', { class: 'hint', id: 'k-hint' }, kSuggestion ? `best silhouette: k = ${kSuggestion.best}` : '');
  kLabel.append(k, kValue, hint);
  toolbar.append(kLabel);
  const exp = h('span', { class: 'exports' });
  const fmts: [ExportFormat, string][] = [['csv', 'CSV'], ['tsv-projector', 'TSV'], ['npy', 'NPY'], ['json', 'JSON']];
  for (const [f, label] of fmts) exp.append(button(label, () => post({ type: 'exportEmbeddings', format: f }), { secondary: '', title: `Export embeddings as ${label}` }));
  exp.append(button('PNG', () => post({ type: 'savePlot', format: 'png', dataUrl: scatter.toPng() }), { secondary: '', title: 'Save plot as PNG' }));
  exp.append(button('SVG', () => post({ type: 'savePlot', format: 'svg', dataUrl: scatter.toSvg() }), { secondary: '', title: 'Save plot as SVG' }));
  toolbar.append(exp);
}

function setStatus(text: string): void {
  status.textContent = text;
  // The loader's notes about the data stay visible in the header: a count, every note in the tooltip.
  const warnings = model?.info.warnings ?? [];
  if (warnings.length > 0) {
    status.append(h('span', { class: 'data-warnings', title: warnings.join('\n') }, ` · ⚠ ${warnings.length} data warning${warnings.length > 1 ? 's' : ''}`));
  }
}
function describe(): string {
  if (!model) return training === 'training' ? 'Training…' : 'Waiting for a model…';
  const i = model.info;
  const ev = model.method === 'none' ? 'latent space' : model.method.toUpperCase();
  const codes = model.codes ? ` · ${new Set(model.codes).size}/${i.codebookSize ?? '?'} codes used` : '';
  return `${i.datasetName} · ${i.n.toLocaleString()} samples · ${i.modelKind} AE, latent ${i.latentDim}${codes} · ${ev} ${model.dims}D · ${i.backend}`;
}

// ---------------------------------------------------------------------------------------------------------------
// scatter colouring and filters

function errorThreshold(): number {
  if (!model) return Infinity;
  const sorted = Float32Array.from(model.errors).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(ui.errorQuantile * sorted.length))];
}

function recolor(): void {
  if (!model || live) return;
  const pal = palette().map(parseColor);
  const n = model.n;
  const colors = new Uint32Array(n);
  legend.textContent = '';
  if (ui.colorBy === 'label' && model.labelCodes && model.labelNames) {
    for (let i = 0; i < n; i++) { const c = pal[model.labelCodes[i] % pal.length]; colors[i] = packRgba(c[0], c[1], c[2]); }
    model.labelNames.slice(0, 20).forEach((name, j) => legend.append(swatch(pal[j % pal.length], name)));
  } else if (ui.colorBy === 'error') {
    let lo = Infinity, hi = -Infinity;
    for (const e of model.errors) { const l = Math.log(e + 1e-12); if (l < lo) lo = l; if (l > hi) hi = l; }
    for (let i = 0; i < n; i++) { const c = ramp((Math.log(model.errors[i] + 1e-12) - lo) / (hi - lo || 1)); colors[i] = packRgba(c[0], c[1], c[2]); }
    legend.append(swatch(ramp(0), 'low error'), swatch(ramp(1), 'high error'));
  } else if (ui.colorBy === 'code' && model.codes) {
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) { const code = model.codes[i]; counts.set(code, (counts.get(code) ?? 0) + 1); const c = pal[code % pal.length]; colors[i] = packRgba(c[0], c[1], c[2]); }
    [...counts].sort((a, b) => b[1] - a[1]).slice(0, 20).forEach(([code, size]) => legend.append(swatch(pal[code % pal.length], `code ${code} (${size})`)));
  } else if (model.clusters) {
    const grey = parseColor(cssVar('--vscode-disabledForeground', '#808080'));
    for (let i = 0; i < n; i++) {
      const a = model.clusters.assignments[i];
      const c = a < 0 ? grey : pal[a % pal.length];
      colors[i] = packRgba(c[0], c[1], c[2]);
    }
    model.clusters.sizes.forEach((s, j) => legend.append(swatch(pal[j % pal.length], `cluster ${j} (${s})`)));
    if (model.clusters.noise) legend.append(swatch(grey, `${NOISE_LABEL} (${model.clusters.noise})`));
  } else {
    const c = parseColor(theme().accent);
    colors.fill(packRgba(c[0], c[1], c[2]));
  }
  scatter.setColors(colors);
  applyFilter();
}

function swatch(c: [number, number, number], label: string): HTMLElement {
  const s = h('span', { class: 'swatch' });
  s.style.background = `rgb(${c.join(',')})`;
  return h('span', { class: 'legend-item' }, s, label);
}

let emphasisCluster: number | undefined;
function applyFilter(): void {
  if (!model || live) return;
  let mask: Uint8Array | undefined;
  if (ui.filterAnomalies) {
    const r = anomaly.report;
    const scores = r && r.scores.length === model.n ? r.scores : model.errors;
    const t = r && r.scores.length === model.n ? r.threshold : errorThreshold();
    mask = new Uint8Array(model.n);
    for (let i = 0; i < model.n; i++) mask[i] = (r ? scores[i] > t : scores[i] >= t) ? 1 : 0;
  }
  scatter.setMask(mask);
  let emph: Uint8Array | undefined;
  if (emphasisCluster !== undefined && model.clusters) {
    emph = new Uint8Array(model.n);
    for (let i = 0; i < model.n; i++) emph[i] = model.clusters.assignments[i] === emphasisCluster ? 1 : 0;
  }
  scatter.setEmphasis(emph);
  scatter.render();
  scatter.setHighlight(ui.selection);
  plotWrap.dataset.points = String(model.n);
  plotWrap.dataset.drawn = String(scatter.drawn);
  plotWrap.dataset.clusters = String(model.clusters?.k ?? 0);
  plotWrap.dataset.dims = String(model.dims);
}

// ---------------------------------------------------------------------------------------------------------------
// hover and click

function onHover(i: number | undefined, x: number, y: number): void {
  if (hoverTimer) clearTimeout(hoverTimer);
  hoverIndex = i;
  if (i === undefined || !model || live) { tooltip.hidden = true; return; }
  const rect = plotWrap.getBoundingClientRect();
  tooltip.style.left = `${Math.min(x - rect.left + 14, rect.width - 180)}px`;
  tooltip.style.top = `${Math.min(y - rect.top + 14, rect.height - 120)}px`;
  tooltip.hidden = false;
  tooltip.textContent = '';
  tooltip.append(h('div', {}, `#${i}${model.labelNames && model.labelCodes ? ` · ${model.labelNames[model.labelCodes[i]]}` : ''}${model.clusters ? ` · cluster ${model.clusters.assignments[i]}` : ''}`));
  tooltip.append(h('div', { class: 'muted' }, `error ${model.errors[i].toPrecision(3)}${model.codes ? ` · code ${model.codes[i]}` : ''}`));
  const z = Array.from(model.latent.subarray(i * model.latentDim, i * model.latentDim + Math.min(6, model.latentDim)), (v) => v.toFixed(2)).join(', ');
  tooltip.append(h('div', { class: 'muted' }, `z = [${z}${model.latentDim > 6 ? ', …' : ''}]`));
  if (isImage()) hoverTimer = setTimeout(() => post({ type: 'requestSample', requestId: request('hover'), index: i, purpose: 'hover' }), 120);
}

function onClick(i: number | undefined, data: [number, number] | undefined, e: MouseEvent): void {
  if (!model || live) return;
  if (i !== undefined) {
    const sel = e.shiftKey && ui.selection.length ? [ui.selection[0], i] : [i, ...ui.selection.filter((s) => s !== i)].slice(0, 2);
    saveUi({ selection: sel });
    scatter.setHighlight(sel);
    post({ type: 'requestSample', requestId: request('inspect'), index: i, purpose: 'inspect' });
    showTab(ui.tab === 'interpolate' || ui.tab === 'generate' ? ui.tab : 'point');
    renderInterpolateControls();
    renderGenerateControls();
  } else if (data && model.method === 'none' && model.latentDim === 2) {
    post({ type: 'decodeLatent', requestId: request('decode'), latent: [data[0], data[1]], ...conditionOf() });
    showTab('point');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// sample rendering (images as canvases, tables as bar charts)

/** Time-series windows (`[steps, channels]` samples of a sequence model): drawn as line charts. */
function isSequence(): boolean {
  const s = model?.info.sampleShape;
  return !!s && s.length === 2 && (model!.info.modelKind === 'sequence' || model!.info.kind === 'sequence');
}

/** Line chart of one window per channel; `compare` (the reconstruction) dashed on top. */
function sequenceView(values: ArrayLike<number>, title: string, compare?: ArrayLike<number>): HTMLElement {
  const box = h('figure', { class: 'sample sequence' });
  const div = h('div', { class: 'lines' });
  box.append(div);
  const [steps, ch] = model!.info.sampleShape;
  const names = model!.info.columns;
  const pal = palette();
  const t = Array.from({ length: steps }, (_, i) => i);
  const traces: Partial<Plotly.PlotData>[] = [];
  for (let c = 0; c < ch; c++) {
    const channel = (v: ArrayLike<number>): number[] => t.map((i) => v[i * ch + c]);
    const name = names[c] ?? `ch${c}`;
    traces.push({ x: t, y: channel(values), mode: 'lines', name: compare ? `${name} original` : name, line: { color: pal[c % pal.length] } });
    if (compare) traces.push({ x: t, y: channel(compare), mode: 'lines', name: `${name} reconstruction`, line: { color: pal[c % pal.length], dash: 'dot' } });
  }
  requestAnimationFrame(() => void Plotly.newPlot(div, traces, plotLayout({ title: { text: title, font: { size: 11 } }, height: 240, showlegend: true, legend: { orientation: 'h', y: -0.45 }, xaxis: { title: { text: 'time step', standoff: 4 } }, margin: { l: 40, r: 10, t: 24, b: 40 } }), plotConfig));
  return box;
}

function isImage(): boolean {
  const s = model?.info.sampleShape;
  return !!s && model!.info.kind === 'image' && s.length === 3 && (s[2] === 1 || s[2] === 3);
}

/** Draws one image sample (data units, scaled by its own min/max) to a canvas, returned as a data URL. */
function imageUrl(values: ArrayLike<number>, scale = 3): string {
  const [hgt, wid, ch] = model!.info.sampleShape;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) { if (values[i] < lo) lo = values[i]; if (values[i] > hi) hi = values[i]; }
  const span = hi - lo || 1;
  const c = document.createElement('canvas');
  c.width = wid; c.height = hgt;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(wid, hgt);
  for (let p = 0; p < wid * hgt; p++) {
    for (let j = 0; j < 3; j++) img.data[4 * p + j] = Math.round((255 * (values[p * ch + (ch === 3 ? j : 0)] - lo)) / span);
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const big = document.createElement('canvas');
  big.width = wid * scale; big.height = hgt * scale;
  const bctx = big.getContext('2d')!;
  bctx.imageSmoothingEnabled = false;
  bctx.drawImage(c, 0, 0, big.width, big.height);
  return big.toDataURL('image/png');
}

function sampleView(values: ArrayLike<number>, title: string, compare?: ArrayLike<number>): HTMLElement {
  if (isSequence()) return sequenceView(values, title, compare);
  const box = h('figure', { class: 'sample' });
  if (isImage()) {
    box.append(h('img', { src: imageUrl(values), alt: title }), h('figcaption', {}, title));
    return box;
  }
  const div = h('div', { class: 'bars' });
  box.append(div);
  const cols = model!.info.columns;
  const x = Array.from({ length: values.length }, (_, i) => cols[i] ?? `f${i}`);
  const t = theme();
  const traces: Partial<Plotly.PlotData>[] = [{ type: 'bar', x, y: Array.from(values), name: compare ? 'original' : title, marker: { color: t.accent } }];
  if (compare) traces.push({ type: 'bar', x, y: Array.from(compare), name: 'reconstruction', marker: { color: palette()[1] } });
  requestAnimationFrame(() => void Plotly.newPlot(div, traces, plotLayout({ title: { text: title, font: { size: 11 } }, barmode: 'group', height: 200, showlegend: !!compare, legend: { orientation: 'h', y: -0.3 } }), plotConfig));
  return box;
}

function renderSample(s: SamplePayload): void {
  const p = panes.point;
  p.textContent = '';
  p.append(h('h3', {}, `Sample #${s.index}${s.label !== undefined ? ` · ${s.label}` : ''}`));
  p.append(h('div', { class: 'muted' }, `reconstruction error ${s.error.toPrecision(4)} · ${s.file.split(/[\\/]/).pop()}${s.line ? `:${s.line}` : ''}`));
  if (isImage()) {
    const row = h('div', { class: 'row' }, sampleView(s.original, 'original'), sampleView(s.reconstruction, 'reconstruction'));
    p.append(row);
  } else p.append(sampleView(s.original, 'original vs reconstruction', s.reconstruction));
  p.append(h('div', { class: 'muted mono' }, `z = [${Array.from(s.latent, (v) => v.toFixed(3)).join(', ')}]`));
  const cl = model?.clusters;
  if (cl && s.index < cl.assignments.length) {
    const a = cl.assignments[s.index];
    const prob = cl.probabilities ? ` · probability ${cl.probabilities[s.index].toFixed(3)}` : '';
    p.append(h('div', { class: 'muted', id: 'point-cluster' }, a < 0 ? `cluster: ${NOISE_LABEL}` : `cluster ${a}${prob}`));
  }
  p.append(corruptionControls(s.index));
  p.append(h('div', { class: 'actions' },
    button('Reveal in editor', () => post({ type: 'reveal', index: s.index })),
    button('Interpolate from here', () => { saveUi({ selection: [s.index, ...ui.selection.filter((x) => x !== s.index)].slice(0, 2) }); showTab('interpolate'); renderInterpolateControls(); }, { secondary: '' })));
}

/** Denoising / occlusion demo: damage the sample, see what the model reconstructs. */
const corruption = { mode: 'mask' as 'noise' | 'mask', level: 0.25, seed: 0 };
function corruptionControls(index: number): HTMLElement {
  const row = h('div', { class: 'row corrupt', id: 'corrupt-controls' });
  const level = h('input', { type: 'number', id: 'corrupt-level', min: '0', max: '1', step: '0.05', value: String(corruption.level) });
  level.addEventListener('change', () => { const v = Number(level.value); if (Number.isFinite(v)) corruption.level = Math.max(0, Math.min(1, v)); level.value = String(corruption.level); });
  const what = isImage() ? [['mask', 'occlude a patch'], ['noise', 'add Gaussian noise']] : [['mask', 'mask features'], ['noise', 'add Gaussian noise']];
  row.append(
    select(what as [string, string][], corruption.mode, (v) => { corruption.mode = v === 'noise' ? 'noise' : 'mask'; }, 'corrupt-mode'),
    h('label', { title: 'patch area / masked fraction, or noise std (normalised units)' }, 'level ', level),
    button('Corrupt & reconstruct', () => { corruption.seed++; post({ type: 'corrupt', requestId: request('corrupt'), index, mode: corruption.mode, level: corruption.level, seed: corruption.seed }); }, { id: 'corrupt-run', secondary: '' }),
  );
  return row;
}

function renderCorrupted(m: Extract<HostToWebview, { type: 'corrupted' }>): void {
  const p = panes.point;
  p.querySelector('#corrupt-result')?.remove();
  const what = m.mode === 'noise' ? `noise σ = ${m.level}` : `${Math.round(m.level * 100)}% masked`;
  const box = h('div', { id: 'corrupt-result', 'data-mode': m.mode });
  box.append(h('div', { class: 'muted' }, `${what} · error of the reconstruction vs the clean sample ${m.error.toPrecision(3)}`));
  box.append(isImage()
    ? h('div', { class: 'row' }, sampleView(m.corrupted, 'corrupted'), sampleView(m.reconstruction, 'reconstruction'))
    : sampleView(m.corrupted, 'corrupted vs reconstruction', m.reconstruction));
  p.querySelector('#corrupt-controls')?.after(box);
}

function renderDecoded(latent: number[], values: Float32Array): void {
  const p = panes.point;
  p.textContent = '';
  p.append(h('h3', {}, 'Decoded latent point'));
  p.append(h('div', { class: 'muted mono' }, `z = [${latent.map((v) => v.toFixed(3)).join(', ')}]`));
  p.append(sampleView(values, 'decoded'));
}

// ---------------------------------------------------------------------------------------------------------------
// clusters

function renderClusters(): void {
  const p = panes.clusters;
  p.textContent = '';
  if (analysis) p.append(progressView(analysis.task, analysis.progress, () => post({ type: 'cancelAnalysis' })));
  if (model) {
    p.append(clusterControls({
      method: model.clusters?.method ?? ui.clusterMethod ?? 'umap-gmm', k: ui.k, kMax: Math.max(2, Math.min(K_MAX, model.n - 1)),
      onRun: (method, k) => { saveUi({ clusterMethod: method, k }); post({ type: 'setK', k, method }); setStatus(`Clustering (${method})…`); },
      onCurve: (method) => { saveUi({ clusterMethod: method }); post({ type: 'suggestK', kMin: 2, kMax: Math.max(2, Math.min(K_MAX, model!.n - 1)), method }); setStatus('Computing the k curve…'); },
    }));
  }
  if (!model?.clusters) { p.append(h('div', { class: 'muted' }, 'No clusters yet.')); return; }
  const c = model.clusters;
  const pal = palette();
  p.append(h('div', { class: 'muted' }, `${c.k} clusters${c.method ? ` (${c.method})` : ''}${c.noise ? `, ${c.noise} noise points` : ''}. Click a cluster to highlight it.`));
  if (c.scores) p.append(scoresView(c.scores, c.noise ?? 0));
  if (kSuggestion) {
    const div = h('div', { class: 'kplot', id: 'k-plot' });
    p.append(div);
    const t = theme();
    requestAnimationFrame(() => void Plotly.newPlot(div, [
      { x: kSuggestion!.ks, y: kSuggestion!.silhouettes, name: 'silhouette', mode: 'lines+markers', line: { color: t.accent } },
      { x: kSuggestion!.ks, y: kSuggestion!.inertias, name: 'inertia (elbow)', yaxis: 'y2', mode: 'lines+markers', line: { color: palette()[1], dash: 'dot' } },
    ], plotLayout({ height: 170, showlegend: true, legend: { orientation: 'h', y: -0.35 }, title: { text: `silhouette / elbow${kSuggestion!.space === 'umap' ? ' (UMAP space)' : ''}: best k = ${kSuggestion!.best}${kSuggestion!.elbow !== undefined ? `, elbow k = ${kSuggestion!.elbow}` : ''}`, font: { size: 11 } },
      yaxis2: { overlaying: 'y', side: 'right', showgrid: false, color: t.fg } }), plotConfig));
  }
  const list = h('div', { class: 'clusters', id: 'cluster-list' });
  const dim = model.info.dim;
  c.sizes.forEach((size, j) => {
    const card = h('div', { class: `cluster${emphasisCluster === j ? ' active' : ''}`, 'data-cluster': String(j) });
    const sw = h('span', { class: 'swatch' });
    sw.style.background = pal[j % pal.length];
    card.append(h('div', { class: 'cluster-head' }, sw, `cluster ${j}`, h('span', { class: 'muted' }, ` · ${size} points`)));
    const centroid = c.decodedCentroids.subarray(j * dim, (j + 1) * dim);
    if (isImage()) card.append(h('img', { src: imageUrl(centroid, 2), alt: `centroid ${j}`, title: 'decoded centroid' }));
    else card.append(h('div', { class: 'muted mono' }, 'centroid: ' + Array.from(centroid.subarray(0, 6), (v) => v.toFixed(2)).join(', ') + (dim > 6 ? ', …' : '')));
    const members = h('div', { class: 'members' }, 'nearest: ');
    for (const m of c.nearest[j].slice(0, 8)) {
      const a = h('a', { href: '#' }, `#${m}`);
      a.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); saveUi({ selection: [m] }); scatter.setHighlight([m]); post({ type: 'requestSample', requestId: request('inspect'), index: m, purpose: 'inspect' }); showTab('point'); });
      members.append(a, ' ');
    }
    card.append(members);
    card.addEventListener('click', () => { emphasisCluster = emphasisCluster === j ? undefined : j; applyFilter(); renderClusters(); });
    list.append(card);
  });
  p.append(list);
}

// ---------------------------------------------------------------------------------------------------------------
// interpolation

function renderInterpolateControls(): void {
  const p = panes.interpolate;
  let controls = p.querySelector('.controls');
  if (!controls) { controls = h('div', { class: 'controls' }); p.prepend(controls); }
  controls.textContent = '';
  const [a, b] = ui.selection;
  controls.append(h('div', { class: 'muted' }, 'Click a point for A, shift-click another for B.'));
  controls.append(h('div', {}, `A: ${a !== undefined ? `#${a}` : '—'}   B: ${b !== undefined ? `#${b}` : '—'}`));
  const mode = select([['linear', 'linear'], ['spherical', 'spherical (slerp)']], ui.interpolationMode, (v) => saveUi({ interpolationMode: v as UiState['interpolationMode'] }), 'interp-mode');
  const steps = h('input', { type: 'number', min: '2', max: '32', value: String(ui.interpolationSteps), id: 'interp-steps' });
  steps.addEventListener('change', () => saveUi({ interpolationSteps: Math.max(2, Math.min(32, Math.round(Number(steps.value) || 8))) }));
  const go = button('Interpolate', () => runInterpolation(), { id: 'interp-run' });
  if (a === undefined || b === undefined) go.setAttribute('disabled', '');
  controls.append(h('div', { class: 'row' }, mode, h('label', {}, 'steps ', steps), go));
}

function runInterpolation(): void {
  const [a, b] = ui.selection;
  if (a === undefined || b === undefined) return;
  post({ type: 'interpolate', requestId: request('interpolate'), a, b, steps: ui.interpolationSteps, mode: ui.interpolationMode });
}

function renderInterpolation(m: Extract<HostToWebview, { type: 'interpolation' }>): void {
  const p = panes.interpolate;
  p.querySelector('.strip')?.remove();
  p.append(decodedStrip(m.decoded, 1, m.steps, `#${m.a} → #${m.b}, ${m.mode}, ${m.steps} steps`, { id: 'interp-strip', 'data-steps': String(m.steps) }));
}

/**
 * A strip/grid of decoded outputs (`rows x cols`, row-major): images for image datasets, else one heatmap row per
 * output. Shared by the Interpolate and Generate tabs.
 */
function decodedStrip(decoded: Float32Array, rows: number, cols: number, caption: string, attrs: Record<string, string>): HTMLElement {
  const dim = model!.info.dim;
  const count = rows * cols;
  const strip = h('div', { class: 'strip', ...attrs });
  strip.append(h('div', { class: 'muted' }, caption));
  if (isImage()) {
    for (let r = 0; r < rows; r++) {
      const row = h('div', { class: 'strip-row' });
      for (let c = 0; c < cols; c++) {
        const s = r * cols + c;
        row.append(h('img', { src: imageUrl(decoded.subarray(s * dim, (s + 1) * dim), 2), alt: `step ${s}` }));
      }
      strip.append(row);
    }
  } else if (isSequence()) {
    const [steps, ch] = model!.info.sampleShape;
    const div = h('div', { class: 'lines' });
    strip.append(div, h('div', { class: 'muted' }, `channel ${model!.info.columns[0] ?? 0}${ch > 1 ? ` (of ${ch})` : ''}, one line per decoded window, light to dark`));
    const t = Array.from({ length: steps }, (_, i) => i);
    const traces: Partial<Plotly.PlotData>[] = Array.from({ length: count }, (_, s) => {
      const c = ramp(count > 1 ? s / (count - 1) : 0);
      return { x: t, y: t.map((i) => decoded[s * dim + i * ch]), mode: 'lines', name: `#${s}`, line: { color: `rgb(${c.join(',')})` } };
    });
    requestAnimationFrame(() => void Plotly.newPlot(div, traces, plotLayout({ height: 220, xaxis: { title: { text: 'time step' } } }), plotConfig));
  } else {
    const div = h('div', { class: 'heat' });
    strip.append(div);
    const z = Array.from({ length: count }, (_, s) => Array.from(decoded.subarray(s * dim, (s + 1) * dim)));
    requestAnimationFrame(() => void Plotly.newPlot(div, [{ type: 'heatmap', z, x: model!.info.columns.slice(0, dim), colorscale: 'Viridis', showscale: false }],
      plotLayout({ height: 60 + 18 * count, yaxis: { title: { text: 'step' }, autorange: 'reversed' }, margin: { l: 40, r: 10, t: 10, b: 60 } }), plotConfig));
  }
  return strip;
}

// ---------------------------------------------------------------------------------------------------------------
// generate (latent grid, one-dimension traversal, prior samples)

type GenMode = 'grid' | 'traversal' | 'prior';
const gen = { mode: 'grid' as GenMode, dimX: 0, dimY: 1, gridSpan: 2, gridSteps: 8, dim: 0, span: 3, steps: 7, count: 16, seed: 0, useSelection: false, condition: undefined as string | undefined };
/** CVAE: the class every generated / clicked latent point is decoded as. */
const conditionOf = (): { condition?: string } => (model?.info.conditionClasses && gen.condition !== undefined ? { condition: gen.condition } : {});
const clampInt = (v: string, lo: number, hi: number, dflt: number): number => { const n = Math.round(Number(v)); return Number.isFinite(n) ? Math.max(lo, Math.min(hi, n)) : dflt; };
const clampSpan = (v: string, dflt: number): number => { const n = Number(v); return Number.isFinite(n) && n > 0 ? Math.min(10, n) : dflt; };

function numberInput(id: string, value: number, attrs: Record<string, string>, onChange: (v: string) => void): HTMLInputElement {
  const el = h('input', { type: 'number', id, value: String(value), ...attrs });
  el.addEventListener('change', () => { onChange(el.value); renderGenerateControls(); });
  return el;
}

function renderGenerateControls(): void {
  const p = panes.generate;
  let controls = p.querySelector('.controls');
  if (!controls) { controls = h('div', { class: 'controls' }); p.prepend(controls); }
  controls.textContent = '';
  if (!model) return;
  const d = model.latentDim;
  const isVae = model.info.modelKind === 'vae' || model.info.modelKind === 'cvae';
  if (gen.mode === 'prior' && !isVae) gen.mode = 'grid';
  if (gen.mode === 'grid' && d < 2) gen.mode = 'traversal';
  gen.dimX = Math.min(gen.dimX, d - 1); gen.dimY = Math.min(gen.dimY, d - 1); gen.dim = Math.min(gen.dim, d - 1);
  if (gen.dimX === gen.dimY) gen.dimY = gen.dimX === 0 ? Math.min(1, d - 1) : 0;
  const modes: [string, string][] = [];
  if (d >= 2) modes.push(['grid', 'latent grid']);
  modes.push(['traversal', 'traverse one dimension']);
  if (isVae) modes.push(['prior', 'sample from prior N(0, I)']);
  controls.append(h('div', { class: 'row' }, select(modes, gen.mode, (v) => { gen.mode = v as GenMode; renderGenerateControls(); }, 'gen-mode')));
  const classes = model.info.conditionClasses;
  if (classes?.length) {
    controls.append(h('div', { class: 'row' }, h('label', {}, 'condition ', select(classes.map((c) => [c, c]), gen.condition ?? classes[0], (v) => { gen.condition = v; }, 'gen-condition'))));
  }
  const dimOpts: [string, string][] = Array.from({ length: d }, (_, i) => [String(i), `z${i}`]);
  const sel = ui.selection[0];
  const baseRow = (): HTMLElement => {
    const opts: [string, string][] = [['mean', 'base: latent mean']];
    if (sel !== undefined) opts.push(['sel', `base: sample #${sel}`]);
    return select(opts, gen.useSelection && sel !== undefined ? 'sel' : 'mean', (v) => { gen.useSelection = v === 'sel'; }, 'gen-base');
  };
  if (gen.mode === 'grid') {
    controls.append(h('div', { class: 'row' },
      h('label', {}, 'x ', select(dimOpts, String(gen.dimX), (v) => { gen.dimX = Number(v); renderGenerateControls(); }, 'gen-dimx')),
      h('label', {}, 'y ', select(dimOpts, String(gen.dimY), (v) => { gen.dimY = Number(v); renderGenerateControls(); }, 'gen-dimy')),
      h('label', {}, 'span ± ', numberInput('gen-span', gen.gridSpan, { min: '0.1', max: '10', step: '0.5' }, (v) => { gen.gridSpan = clampSpan(v, 2); })),
      h('label', {}, 'steps ', numberInput('gen-steps', gen.gridSteps, { min: '2', max: '16' }, (v) => { gen.gridSteps = clampInt(v, 2, 16, 8); }))));
    controls.append(h('div', { class: 'row' }, baseRow()));
  } else if (gen.mode === 'traversal') {
    controls.append(h('div', { class: 'row' },
      h('label', {}, 'dim ', select(dimOpts, String(gen.dim), (v) => { gen.dim = Number(v); }, 'gen-dim')),
      h('label', {}, 'range ± ', numberInput('gen-span', gen.span, { min: '0.1', max: '10', step: '0.5' }, (v) => { gen.span = clampSpan(v, 3); })),
      h('label', {}, 'steps ', numberInput('gen-steps', gen.steps, { min: '2', max: '16' }, (v) => { gen.steps = clampInt(v, 2, 16, 7); }))));
    controls.append(h('div', { class: 'row' }, baseRow()));
  } else {
    controls.append(h('div', { class: 'row' },
      h('label', {}, 'count ', numberInput('gen-count', gen.count, { min: '1', max: '64' }, (v) => { gen.count = clampInt(v, 1, 64, 16); })),
      h('label', {}, 'seed ', numberInput('gen-seed', gen.seed, { min: '0' }, (v) => { gen.seed = clampInt(v, 0, 2 ** 31 - 1, 0); }))));
  }
  controls.append(h('div', { class: 'row' }, button('Generate', () => runGenerate(), { id: 'gen-run' })));
}

let lastCaption = '';
function runGenerate(): void {
  if (!model) return;
  const requestId = request('generate');
  const sel = ui.selection[0];
  const base = gen.useSelection && sel !== undefined ? { base: sel } : {};
  const c = conditionOf();
  const b = base.base !== undefined ? `#${base.base}` : 'mean';
  if (gen.mode === 'grid') { lastCaption = `grid z${gen.dimX} (x) × z${gen.dimY} (y), ±${gen.gridSpan} around ${b}, ${gen.gridSteps}×${gen.gridSteps}`; post({ type: 'generate', requestId, mode: 'grid', dimX: gen.dimX, dimY: gen.dimY, span: gen.gridSpan, steps: gen.gridSteps, ...base, ...c }); }
  else if (gen.mode === 'traversal') { lastCaption = `z${gen.dim} from ${-gen.span} to ${gen.span} (${gen.steps} steps), base ${b}`; post({ type: 'generate', requestId, mode: 'traversal', dim: gen.dim, span: gen.span, steps: gen.steps, ...base, ...c }); }
  else { lastCaption = `${gen.count} samples from N(0, I), seed ${gen.seed}${c.condition !== undefined ? `, class ${c.condition}` : ''}`; post({ type: 'generate', requestId, mode: 'prior', count: gen.count, seed: gen.seed, ...c }); }
}

function renderGenerated(m: Extract<HostToWebview, { type: 'generated' }>): void {
  const p = panes.generate;
  p.querySelector('.strip')?.remove();
  p.append(decodedStrip(m.decoded, m.rows, m.cols, lastCaption, { id: 'gen-strip', 'data-mode': m.mode, 'data-count': String(m.rows * m.cols) }));
}

// ---------------------------------------------------------------------------------------------------------------
// anomalies

function renderAnomalies(): void {
  const p = panes.anomalies;
  p.textContent = '';
  if (!model) return;
  if (!reportIsCurrent(anomaly) && anomaly.pending !== anomalyKey(anomaly)) {
    anomaly.pending = anomalyKey(anomaly);
    post({ type: 'anomalies', requestId: request('anomalies'), ...(anomaly.method ? { method: anomaly.method } : {}), ...(anomaly.labels.length ? { anomalyLabels: anomaly.labels } : {}) });
  }
  const th = theme();
  const m = model;
  renderAnomalyReport(p, anomaly, {
    h, select, layout: plotLayout, config: plotConfig, colors: { accent: th.accent, error: th.error, second: th.grid },
    labelNames: m.labelNames, labelOf: (i) => (m.labelNames && m.labelCodes ? m.labelNames[m.labelCodes[i]] : undefined),
    onMethod: (v) => { anomaly = { ...anomaly, method: v }; renderAnomalies(); },
    onLabels: (labels) => { anomaly = { ...anomaly, labels }; renderAnomalies(); },
    onInspect: (i) => { saveUi({ selection: [i] }); scatter.setHighlight([i]); post({ type: 'requestSample', requestId: request('inspect'), index: i, purpose: 'inspect' }); showTab('point'); },
  });
  const filter = h('input', { type: 'checkbox', id: 'filter-anomalies' });
  filter.checked = ui.filterAnomalies;
  filter.addEventListener('change', () => { saveUi({ filterAnomalies: filter.checked }); applyFilter(); });
  p.querySelector('.anomaly-controls')?.after(h('label', { class: 'row' }, filter, 'show only points above the threshold'));
}

// ---------------------------------------------------------------------------------------------------------------
// training

const liveBatches: TrainProgress[] = [];
function renderTraining(): void {
  const p = panes.training;
  let div = p.querySelector<HTMLDivElement>('#loss-plot');
  let info = p.querySelector<HTMLDivElement>('.train-info');
  if (!div || !info) {
    p.textContent = '';
    info = h('div', { class: 'train-info muted' });
    div = h('div', { id: 'loss-plot', class: 'loss' });
    p.append(info, div);
  }
  const last = liveBatches[liveBatches.length - 1];
  info.textContent = training === 'training' && last
    ? `training${last.stage ? ` (${last.stage})` : ''}: epoch ${last.epoch}/${last.epochs}, batch ${last.batch}/${last.batches}, loss ${last.loss.toPrecision(4)}, ${Math.round(last.samplesPerSec)} samples/s`
    : `${training}${history.length ? ` · ${history.length} epochs, final loss ${history[history.length - 1].loss.toPrecision(4)}` : ''}`;
  if (panes.training.hidden) return;
  const t = theme();
  const ep = history.map((r) => r.epoch);
  const traces: Partial<Plotly.PlotData>[] = [{ x: ep, y: history.map((r) => r.loss), name: 'loss', mode: 'lines+markers', line: { color: t.accent } }];
  if (history.some((r) => r.valLoss !== undefined)) traces.push({ x: ep, y: history.map((r) => r.valLoss ?? null) as number[], name: 'val loss', mode: 'lines+markers', line: { color: palette()[1] } });
  const partNames = [...new Set(history.flatMap((r) => Object.keys(r.parts)))].filter((k) => k !== 'total');
  if (partNames.length > 1) partNames.forEach((k, j) => traces.push({ x: ep, y: history.map((r) => r.parts[k] ?? null) as number[], name: k, mode: 'lines', line: { dash: 'dot', color: palette()[2 + j] } }));
  // Stacked models: one shaded band label per stage (greedy pretraining of each layer, then fine-tuning).
  const shapes: Partial<Plotly.Shape>[] = [];
  const annotations: Partial<Plotly.Annotations>[] = [];
  history.forEach((r, i) => {
    if (!r.stage || (i > 0 && history[i - 1].stage === r.stage)) return;
    shapes.push({ type: 'line', x0: r.epoch - 0.5, x1: r.epoch - 0.5, yref: 'paper', y0: 0, y1: 1, line: { color: t.grid, dash: 'dot', width: 1 } });
    annotations.push({ x: r.epoch - 0.5, xanchor: 'left', yref: 'paper', y: 1, yanchor: 'top', text: r.stage, showarrow: false, font: { size: 9, color: t.fg } });
  });
  void Plotly.react(div, traces, plotLayout({ shapes, annotations, height: 260, showlegend: true, legend: { orientation: 'h', y: -0.25 }, xaxis: { title: { text: 'epoch' }, gridcolor: t.grid }, yaxis: { type: 'log', gridcolor: t.grid }, title: { text: 'loss per epoch', font: { size: 11 } } }), plotConfig);
}

// ---------------------------------------------------------------------------------------------------------------
// live embedding while training

/** The latest per-epoch frame while a training runs; the scatter shows it instead of the model's embedding. */
let live: { epoch: number; count: number } | undefined;

function showLive(f: LiveEmbeddingPayload): void {
  const coords = f.coords;
  const count = Math.floor(coords.length / 2);
  live = { epoch: f.epoch, count };
  tooltip.hidden = true;
  scatter.setData(coords, 2);
  const pal = palette().map(parseColor);
  const colors = new Uint32Array(count);
  legend.textContent = '';
  if (f.labelNames && f.labelCodes) {
    const codes = f.labelCodes;
    for (let i = 0; i < count; i++) { const c = pal[codes[i] % pal.length]; colors[i] = packRgba(c[0], c[1], c[2]); }
    f.labelNames.slice(0, 20).forEach((name, j) => legend.append(swatch(pal[j % pal.length], name)));
  } else {
    const c = parseColor(theme().accent);
    colors.fill(packRgba(c[0], c[1], c[2]));
  }
  scatter.setColors(colors);
  scatter.render();
  plotWrap.dataset.live = String(f.epoch);
  plotWrap.dataset.liveFrames = String(Number(plotWrap.dataset.liveFrames ?? 0) + 1);
  plotWrap.dataset.points = String(count);
  plotWrap.dataset.drawn = String(scatter.drawn);
  const sample = count < f.total ? `${count.toLocaleString()} of ${f.total.toLocaleString()} samples` : `${count.toLocaleString()} samples`;
  setStatus(`Live embedding · ${f.stage ? `${f.stage} · ` : ''}epoch ${f.epoch}/${f.epochs} · ${sample} · ${f.method === 'pca' ? 'PCA' : 'latent space'}`);
}

/** Leaves live mode: back to the model's embedding (or an empty plot when there is none). */
function endLive(): void {
  if (!live) return;
  live = undefined;
  delete plotWrap.dataset.live;
  if (model) {
    scatter.setData(model.coords, model.dims);
    recolor();
  } else {
    scatter.setData(new Float32Array(0), 2);
    scatter.render();
    legend.textContent = '';
    plotWrap.dataset.points = '0';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// messages

function setClusters(c: ClustersPayload): void {
  if (!model) return;
  model.clusters = {
    k: c.k, assignments: c.assignments, sizes: c.sizes, nearest: c.nearest, decodedCentroids: c.decodedCentroids,
    ...(c.method ? { method: c.method } : {}), ...(c.noise ? { noise: c.noise } : {}), ...(c.scores ? { scores: c.scores } : {}),
    ...(c.probabilities ? { probabilities: c.probabilities } : {}),
  };
  emphasisCluster = undefined;
  if (ui.k !== c.k) saveUi({ k: c.k });
  recolor();
  renderClusters();
}

function onMessage(m: HostToWebview): void {
  switch (m.type) {
    case 'init': {
      history = m.history;
      training = m.training;
      ui = { ...ui, ...m.uiState, selection: ui.selection.length ? ui.selection : m.uiState.selection };
      vscode.setState(ui);
      kSuggestion = m.kSuggestion ?? kSuggestion;
      if (m.info && m.embedding && m.projection) {
        live = undefined;
        delete plotWrap.dataset.live;
        const e = m.embedding;
        const hadCodes = !!model?.codes;
        anomaly = { labels: defaultAnomalyLabels(e.labelNames ?? []) };
        model = {
          info: m.info, n: e.n, latentDim: e.latentDim, latent: e.latent, errors: e.errors,
          ...(e.labelNames && e.labelCodes ? { labelNames: e.labelNames, labelCodes: e.labelCodes } : {}),
          ...(e.codes ? { codes: e.codes } : {}),
          coords: m.projection.coords, dims: m.projection.dims, method: m.projection.method,
        };
        ui.selection = ui.selection.filter((i) => i < e.n);
        if (ui.colorBy === 'label' && !model.labelNames) ui.colorBy = 'cluster';
        if (ui.colorBy === 'code' && !model.codes) ui.colorBy = 'cluster';
        // A VQ-VAE arriving: colour by codebook entry (the user can switch back).
        if (model.codes && !hadCodes && ui.colorBy === 'cluster') ui.colorBy = 'code';
        gen.condition = model.info.conditionClasses?.includes(gen.condition ?? '') ? gen.condition : model.info.conditionClasses?.[0];
        scatter.setData(model.coords, model.dims);
        buildToolbar();
        if (m.clusters) setClusters(m.clusters); else recolor();
        app.dataset.state = 'ready';
        setStatus(describe());
        renderInterpolateControls();
        renderGenerateControls();
        if (ui.selection.length) post({ type: 'requestSample', requestId: request('inspect'), index: ui.selection[0], purpose: 'inspect' });
        else panes.point.replaceChildren(h('div', { class: 'muted' }, model.latentDim === 2 ? 'Click a point to inspect it, or empty space to decode that latent position.' : 'Click a point to inspect it.'));
      } else {
        app.dataset.state = m.training === 'training' ? 'training' : 'waiting';
        setStatus(describe());
      }
      showTab(model ? ui.tab : 'training');
      if (m.live && m.training === 'training') showLive(m.live);
      renderTraining();
      return;
    }
    case 'trainingEmbedding':
      training = 'training';
      showLive(m.embedding);
      return;
    case 'trainingProgress': {
      training = 'training';
      liveBatches.push(m.progress);
      if (liveBatches.length > 500) liveBatches.splice(0, 250);
      if (m.progress.phase === 'epoch') {
        if (m.progress.epoch === 1) history = history.filter((r) => r.epoch < 1);
        history = history.filter((r) => r.epoch !== m.progress.epoch);
        history.push({ epoch: m.progress.epoch, loss: m.progress.loss, parts: m.progress.parts, seconds: 0, ...(m.progress.valLoss !== undefined ? { valLoss: m.progress.valLoss } : {}), ...(m.progress.stage ? { stage: m.progress.stage } : {}) });
      }
      if (!model) { app.dataset.state = 'training'; showTab('training'); }
      if (!live) setStatus(model ? `${describe()} · training epoch ${m.progress.epoch}/${m.progress.epochs}…` : `Training: epoch ${m.progress.epoch}/${m.progress.epochs}, loss ${m.progress.loss.toPrecision(4)}`);
      renderTraining();
      return;
    }
    case 'trainingStatus':
      training = m.status;
      if (m.status !== 'training') endLive();
      setStatus(m.message ?? describe());
      renderTraining();
      return;
    case 'projection':
      if (!model || live) return;
      model.coords = m.projection.coords;
      model.dims = m.projection.dims;
      model.method = m.projection.method;
      scatter.setData(model.coords, model.dims);
      recolor();
      setStatus(describe());
      return;
    case 'clusters':
      setClusters(m.clusters);
      setStatus(describe());
      return;
    case 'kSuggestion':
      kSuggestion = m.suggestion;
      buildToolbar();
      renderClusters();
      setStatus(describe());
      return;
    case 'analysisProgress': {
      const running = analysis !== undefined;
      analysis = m.progress ? { task: m.task, progress: m.progress } : undefined;
      if (m.progress) setStatus(progressText(m.task, m.progress));
      else if (model) setStatus(describe());
      const shown = document.getElementById('analysis-progress');
      if (analysis && running && shown) shown.replaceWith(progressView(analysis.task, analysis.progress, () => post({ type: 'cancelAnalysis' })));
      else renderClusters();
      return;
    }
    case 'sample':
      pending.delete(m.requestId);
      if (m.purpose === 'hover') {
        if (hoverIndex === m.sample.index && !tooltip.hidden && isImage()) tooltip.append(h('img', { src: imageUrl(m.sample.original, 2), alt: 'thumbnail' }));
      } else renderSample(m.sample);
      return;
    case 'decoded':
      pending.delete(m.requestId);
      renderDecoded(m.latent, m.values);
      return;
    case 'interpolation':
      pending.delete(m.requestId);
      renderInterpolation(m);
      return;
    case 'generated':
      pending.delete(m.requestId);
      renderGenerated(m);
      return;
    case 'corrupted':
      pending.delete(m.requestId);
      renderCorrupted(m);
      return;
    case 'anomalies':
      pending.delete(m.requestId);
      anomaly = { ...anomaly, pending: undefined, report: m.report };
      if (!anomaly.method) anomaly.method = m.report.method;
      if (!panes.anomalies.hidden) renderAnomalies();
      if (ui.filterAnomalies) applyFilter();
      return;
    case 'saved':
      setStatus(`Saved ${m.files.join(', ')}`);
      return;
    case 'error':
      if (m.requestId !== undefined && pending.get(m.requestId) === 'anomalies') {
        anomaly.pending = undefined;
        document.getElementById('anomaly-status')?.replaceChildren(`Scoring failed: ${m.message}`);
      }
      if (m.requestId !== undefined) pending.delete(m.requestId);
      setStatus(`Error: ${m.message}`);
      status.classList.add('error');
      setTimeout(() => status.classList.remove('error'), 4000);
      return;
  }
}

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => onMessage(e.data));
// Theme changes: VS Code swaps the body class; re-read colours.
new MutationObserver(() => { if (model) { recolor(); renderClusters(); } }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
/** Test hook for the end-to-end tests: where a point is drawn (css px inside #plot). */
Object.assign(window, { latentExplorerTest: { screenOf: (i: number): [number, number] | undefined => scatter.screenOf(i) } });
showTab(ui.tab);
post({ type: 'ready' });
