/**
 * The panel's bootstrap, the one module with effects: it acquires the VS Code API, builds the page, wires the
 * state, the host channel, the scatter and the tabs together, and routes what the host sends. Every other webview
 * module only exports functions and classes. The UI state (never data) lives in `vscode.setState`; every colour
 * comes from VS Code's theme variables.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import * as Plotly from 'plotly.js-dist-min';
import { PANEL_TABS, isHostReply, parseHostMessage } from '../src/shared/protocol';
import type { HostPush, PanelTab, UiState, WebviewToHost } from '../src/shared/protocol';
import type { PanelContext } from './context';
import { h } from './dom';
import { HostChannel, SupersededError } from './hostChannel';
import { ChartScheduler, installSidePane } from './layout';
import { PointsView } from './pointsView';
import { SelectionTool } from './selectionTool';
import { selectionView } from './tabs/selection';
import { imageUrl, isImage } from './sampleViews';
import { scoredHoverLines } from './scored';
import { matchText } from './metaControls';
import type { PanelAction, PanelState } from './state';
import { Store, conditionOf, describe, initialState, liveDescription } from './state';
import { renderAnomalies } from './tabs/anomalies';
import { progressText, progressView, renderClusters } from './tabs/clusters';
import { renderGenerateControls } from './tabs/generate';
import { renderInterpolateControls } from './tabs/interpolate';
import { pointHint, renderDecoded, renderSample } from './tabs/point';
import { renderTraining, trainingStatusLine } from './tabs/training';
import { PLOT_CONFIG, plotLayout } from './theme';
import type { Plotter } from './theme';
import { buildToolbar } from './toolbar';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TAB_LABELS: Record<PanelTab, string> = { point: 'Point', clusters: 'Clusters', interpolate: 'Interpolate', generate: 'Generate', anomalies: 'Anomalies', training: 'Training' };

/** The page: header (status, toolbar), the plot (legend, tooltip) and the side tabs. */
function buildPage(app: HTMLElement): { status: HTMLElement; toolbar: HTMLElement; main: HTMLElement; side: HTMLElement; tabBody: HTMLElement; plot: HTMLElement; legend: HTMLElement; tooltip: HTMLElement; tabBar: HTMLElement; panes: Record<PanelTab, HTMLElement> } {
  const status = h('div', { class: 'status', id: 'status' }, 'Waiting for a model…');
  const toolbar = h('div', { class: 'toolbar' });
  const legend = h('div', { class: 'legend', id: 'legend' });
  const tooltip = h('div', { class: 'tooltip', id: 'tooltip', hidden: '' });
  const plot = h('div', { class: 'plot', id: 'plot' }, legend, tooltip);
  const tabBar = h('div', { class: 'tabs', role: 'tablist' });
  const pane = (t: PanelTab): HTMLElement => h('div', { class: 'pane', id: `pane-${t}` });
  const panes: Record<PanelTab, HTMLElement> = {
    point: pane('point'), clusters: pane('clusters'), interpolate: pane('interpolate'), generate: pane('generate'), anomalies: pane('anomalies'), training: pane('training'),
  };
  const tabBody = h('div', { class: 'tab-body' }, ...PANEL_TABS.map((t) => panes[t]));
  const side = h('div', { class: 'side', id: 'side' }, tabBar, tabBody);
  const main = h('div', { class: 'main' }, plot, side);
  app.replaceChildren(h('div', { class: 'header' }, status, toolbar), main);
  app.dataset.state = 'waiting';
  return { status, toolbar, main, side, tabBody, plot, legend, tooltip, tabBar, panes };
}

function start(vscode: VsCodeApi, app: HTMLElement): void {
  const page = buildPage(app);
  const { panes } = page;
  const channel = new HostChannel((m) => { vscode.postMessage(m); });
  // Charts are drawn only while shown (a chart drawn in a hidden tab gets a zero width) and refit on every resize.
  const charts = new ChartScheduler(page.side, (div) => { Plotly.Plots.resize(div); });
  const plot: Plotter = {
    draw: (div, traces, layout) => { charts.schedule(div, () => { void Plotly.newPlot(div, traces, plotLayout(layout), PLOT_CONFIG); }); },
    update: (div, traces, layout) => { charts.schedule(div, () => { void Plotly.react(div, traces, plotLayout(layout), PLOT_CONFIG); }); },
  };
  const store = new Store(initialState(vscode.getState()), onChange);
  const { sideWidth, sideCollapsed } = store.state.ui;
  installSidePane(page.main, page.side, { collapsed: sideCollapsed ?? false, ...(sideWidth !== undefined ? { sideWidth } : {}) }, (next) => {
    store.dispatch({ type: 'ui', patch: { sideCollapsed: next.collapsed, ...(next.sideWidth !== undefined ? { sideWidth: next.sideWidth } : {}) } });
    if (!next.collapsed) charts.flush(page.side);
    refitSoon();
  });
  const ctx: PanelContext = {
    get state() { return store.state; },
    dispatch: (action) => { store.dispatch(action); },
    channel, plot, showTab, setStatus, reportError, inspect,
    selectRegion: (indices) => { setRegion(indices); },
  };
  const rows = (indices: number[]): Promise<Float32Array> => channel.request({ type: 'requestRows', indices }).then((m) => m.values);
  const onClearScored = (): void => { store.dispatch({ type: 'clearScored' }); };
  const points = new PointsView(page.plot, page.legend, page.tooltip, { onHover, onClick, rows, onScored, onClearScored });
  // The panel resized (editor group, window) or the side pane dragged or collapsed: fit the points to the new plot
  // area once the size settles. Not on every plot-size change: the header settling at load must not move the points.
  let refitTimer: ReturnType<typeof setTimeout> | undefined;
  const refitSoon = (): void => {
    clearTimeout(refitTimer);
    refitTimer = setTimeout(() => { points.refit(); }, 150);
  };
  window.addEventListener('resize', refitSoon);
  // The region selection (box / lasso) and its summary, shown above the tabs while it exists.
  const regionBox = h('div', { class: 'region', id: 'region' });
  panes.point.parentElement?.prepend(regionBox);
  const setRegion = (indices: number[] | undefined): void => {
    points.setRegion(store.state, indices);
    if (!indices) regionBox.replaceChildren();
    else regionBox.replaceChildren(selectionView(ctx, indices, () => { setRegion(undefined); }));
  };
  new SelectionTool(page.plot, (poly) => { if (store.state.model && !store.state.live) setRegion(points.pointsIn(poly)); });

  for (const t of PANEL_TABS) {
    const b = h('button', { class: 'tab', role: 'tab', id: `tab-${t}` }, TAB_LABELS[t]);
    b.addEventListener('click', () => { showTab(t); });
    page.tabBar.append(b);
  }

  function setStatus(text: string): void {
    page.status.textContent = text;
    // The loader's notes about the data stay visible in the header: a count, every note in the tooltip.
    const warnings = store.state.model?.info.warnings ?? [];
    if (warnings.length > 0) page.status.append(h('span', { class: 'data-warnings', title: warnings.join('\n') }, ` · ⚠ ${warnings.length} data warning${warnings.length > 1 ? 's' : ''}`));
  }

  function showError(message: string): void {
    setStatus(`Error: ${message}`);
    page.status.classList.add('error');
    setTimeout(() => { page.status.classList.remove('error'); }, 4000);
  }

  function reportError(e: unknown): void {
    if (!(e instanceof SupersededError)) showError(e instanceof Error ? e.message : String(e));
  }

  function showTab(t: PanelTab): void {
    for (const x of PANEL_TABS) {
      panes[x].hidden = x !== t;
      document.getElementById(`tab-${x}`)?.setAttribute('aria-selected', String(x === t));
    }
    if (store.state.ui.tab !== t) store.dispatch({ type: 'ui', patch: { tab: t } });
    if (t === 'training') renderTraining(panes.training, ctx);
    if (t === 'anomalies') renderAnomalies(panes.anomalies, ctx);
    if (t === 'generate') renderGenerateControls(panes.generate, ctx);
    charts.flush(panes[t]);
  }

  /** Shows sample `index` in the Point tab (a newer point request supersedes it). */
  function showSample(index: number): void {
    channel.request({ type: 'requestSample', index, purpose: 'inspect' }, 'point').then((m) => { renderSample(panes.point, ctx, m.sample); }, reportError);
  }

  function inspect(index: number): void {
    store.dispatch({ type: 'ui', patch: { selection: [index] } });
    showSample(index);
    showTab('point');
  }

  function onHover(index: number | undefined, x: number, y: number): void {
    const info = store.state.model?.info;
    const thumbnail = info && isImage(info)
      ? (i: number): Promise<string> => channel.request({ type: 'requestSample', index: i, purpose: 'hover' }, 'hover').then((m) => imageUrl(info, m.sample.original, 2))
      : undefined;
    points.hover(store.state, index, x, y, thumbnail);
  }

  /** A scored point: its score against the threshold in the tooltip; clicked, also in the Point tab. */
  function onScored(index: number | undefined, x: number, y: number, clicked: boolean): void {
    points.hoverScored(store.state, index, x, y);
    const s = store.state.scored;
    if (!clicked || index === undefined || !s) return;
    panes.point.replaceChildren(h('div', { class: 'scored-point', id: 'scored-point' }, ...scoredHoverLines(s, index).map((line) => h('div', {}, line))));
    showTab('point');
  }

  function onClick(index: number | undefined, data: [number, number] | undefined, e: MouseEvent): void {
    const { model, live, ui } = store.state;
    if (!model || live) return;
    if (index !== undefined) {
      store.dispatch({ type: 'pick', index, extend: e.shiftKey });
      showSample(index);
      showTab(ui.tab === 'interpolate' || ui.tab === 'generate' ? ui.tab : 'point');
    } else if (data && model.projection.method === 'none' && model.info.latentDim === 2) {
      const latent = [data[0], data[1]];
      channel.request({ type: 'decodeLatent', latent, ...conditionOf(store.state) }, 'point').then((m) => { renderDecoded(panes.point, ctx, m.latent, m.values); }, reportError);
      showTab('point');
    }
  }

  /** Keeps the saved UI state and the views that follow a slice of the state in step with it. */
  function onChange(next: PanelState, prev: PanelState, action: PanelAction): void {
    if (next.ui !== prev.ui) {
      vscode.setState(next.ui);
      // The host sent this state with `init`; every other change is news to it.
      if (!(action.type === 'host' && action.message.type === 'init')) channel.notify({ type: 'uiState', state: next.ui });
    }
    if (action.type === 'host') return;
    if (next.ui.selection !== prev.ui.selection) {
      points.highlight(next.ui.selection);
      renderInterpolateControls(panes.interpolate, ctx);
      renderGenerateControls(panes.generate, ctx);
    }
    if (next.ui.colorBy !== prev.ui.colorBy) points.recolor(next);
    const filterChanged = next.ui.filterAnomalies !== prev.ui.filterAnomalies || (next.ui.filterAnomalies && next.anomaly.report !== prev.anomaly.report);
    if (filterChanged || next.emphasis !== prev.emphasis) points.applyFilter(next);
    if (next.emphasis !== prev.emphasis) renderClusters(panes.clusters, ctx);
    if (next.meta !== prev.meta) {
      if (next.meta.colorColumn !== prev.meta.colorColumn) points.recolor(next);
      else points.applyFilter(next);
      const shown = document.getElementById('meta-matches');
      if (shown) shown.textContent = matchText(page.plot.dataset.matches);
    }
    if (action.type === 'clearScored') {
      points.showScored(next);
      channel.notify({ type: 'clearScored' });
    }
  }

  function onInit(state: PanelState): void {
    const model = state.model;
    if (model) {
      // A new model: answers still on their way describe the old one.
      channel.cancelAll();
      setRegion(undefined);
      points.showModel(state);
      points.showScored(state);
      buildToolbar(page.toolbar, ctx, points);
      app.dataset.state = 'ready';
      setStatus(describe(state));
      renderInterpolateControls(panes.interpolate, ctx);
      renderGenerateControls(panes.generate, ctx);
      renderClusters(panes.clusters, ctx);
      const [selected] = state.ui.selection;
      if (state.ui.selection.length > 0) showSample(selected);
      else panes.point.replaceChildren(h('div', { class: 'muted' }, pointHint(model.info)));
    } else {
      app.dataset.state = state.training === 'training' ? 'training' : 'waiting';
      setStatus(describe(state));
    }
    showTab(model ? store.state.ui.tab : 'training');
    if (state.live) {
      points.showLive(state.live);
      setStatus(liveDescription(state.live));
    }
    renderTraining(panes.training, ctx);
  }

  /** What a host push changes on screen, once the store holds it. */
  function afterPush(m: HostPush, prev: PanelState): void {
    const state = store.state;
    switch (m.type) {
      case 'init':
        onInit(state);
        return;
      case 'trainingEmbedding':
        points.showLive(m.embedding);
        setStatus(liveDescription(m.embedding));
        return;
      case 'trainingProgress':
        if (!state.model) { app.dataset.state = 'training'; showTab('training'); }
        if (!state.live) setStatus(trainingStatusLine(m.progress, state.model ? describe(state) : undefined));
        renderTraining(panes.training, ctx);
        return;
      case 'trainingStatus':
        if (prev.live && !state.live) { points.endLive(state); points.showScored(state); }
        setStatus(m.message ?? describe(state));
        renderTraining(panes.training, ctx);
        return;
      case 'projection':
        if (state === prev) return;
        points.showModel(state);
        points.showScored(state);
        setStatus(describe(state));
        return;
      case 'scored':
        points.showScored(state);
        return;
      case 'clusters':
        points.recolor(state);
        renderClusters(panes.clusters, ctx);
        setStatus(describe(state));
        return;
      case 'kSuggestion':
        buildToolbar(page.toolbar, ctx, points);
        renderClusters(panes.clusters, ctx);
        setStatus(describe(state));
        return;
      case 'analysisProgress': {
        if (m.progress) setStatus(progressText(m.task, m.progress));
        else if (state.model) setStatus(describe(state));
        const shown = document.getElementById('analysis-progress');
        if (state.analysis && prev.analysis && shown) shown.replaceWith(progressView(state.analysis.task, state.analysis.progress, () => { channel.notify({ type: 'cancelAnalysis' }); }));
        else renderClusters(panes.clusters, ctx);
        return;
      }
      case 'saved':
        setStatus(`Saved ${m.files.join(', ')}`);
        return;
      case 'error':
        showError(m.message);
        return;
    }
  }

  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    const m = parseHostMessage(e.data);
    if (!m) {
      console.warn('latent explorer: ignored a malformed host message');
      return;
    }
    if (channel.handle(m) !== 'push' || isHostReply(m)) return;
    const prev = store.state;
    store.dispatch({ type: 'host', message: m });
    afterPush(m, prev);
  });
  // Theme changes: VS Code swaps the body class; re-read the colours.
  new MutationObserver(() => {
    if (!store.state.model) return;
    points.recolor(store.state);
    points.showScored(store.state);
    renderClusters(panes.clusters, ctx);
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  showTab(store.state.ui.tab);
  channel.notify({ type: 'ready' });
}

const root = document.getElementById('app');
if (root) start(acquireVsCodeApi(), root);
