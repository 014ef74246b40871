/**
 * The scatter of the panel with its legend and hover tooltip: the model's embedding coloured and filtered as the
 * state says, or the live frames of a running training. The `data-*` attributes of the plot element say what is
 * drawn (points, drawn, clusters, dims, live epoch, live frames), for anyone inspecting the page.
 */
import type { LiveEmbeddingPayload, PanelInfo } from '../src/shared/protocol';
import type { Coloring, LegendEntry, Swatches } from './colors';
import { anomalyMask, emphasisMask, hoverLines, liveColors, parseColor, pointColors } from './colors';
import { h, swatch } from './dom';
import type { FigureSpec } from './plotExport';
import { figurePng, figureSvg } from './plotExport';
import { ScatterView, context2d } from './scatter';
import { imagePixels, isImage } from './sampleViews';
import { RowImageCache } from './thumbnailCache';
import { andMasks, columnColoring, filterMask, findColumn, metadataLine, panelColumns, searchMask } from './metadata';
import { scoredFits, scoredFlags, scoredHoverLines, scoredLegendText } from './scored';
import type { Polygon } from './selection';
import { pointsInPolygon } from './selection';
import type { PanelState } from './state';
import { palette, readTheme, rgbCss } from './theme';

export interface PointsHandlers {
  onHover: (index: number | undefined, clientX: number, clientY: number) => void;
  /** `index` is the clicked point, or undefined for empty space (then `data` is the 2D data position). */
  onClick: (index: number | undefined, data: [number, number] | undefined, event: MouseEvent) => void;
  /** The original rows of `indices` (`indices.length x dim`), for the thumbnails of image samples. */
  rows?: (indices: number[]) => Promise<Float32Array>;
  /** A scored point (drawn over the training set) hovered (undefined: none any more) or clicked. */
  onScored?: (index: number | undefined, clientX: number, clientY: number, clicked: boolean) => void;
  /** The user removed the scored data from the plot. */
  onClearScored?: () => void;
}

/** An image sample as a canvas of its own size (the scatter scales it to a thumbnail). */
function imageCanvas(info: PanelInfo, values: Float32Array): HTMLCanvasElement {
  const [hgt, wid] = info.sampleShape;
  const c = document.createElement('canvas');
  c.width = wid;
  c.height = hgt;
  const ctx = context2d(c);
  const img = ctx.createImageData(wid, hgt);
  img.data.set(imagePixels(values, info.sampleShape));
  ctx.putImageData(img, 0, 0);
  return c;
}

function swatches(): Swatches {
  const t = readTheme();
  return { palette: palette().map(parseColor), accent: parseColor(t.accent), muted: parseColor(t.muted) };
}

export class PointsView {
  private readonly scatter: ScatterView;
  private hoverTimer: ReturnType<typeof setTimeout> | undefined;
  private hovered: number | undefined;
  private legendEntries: LegendEntry[] = [];
  /** A region selection: its points drawn in full, the others faded (overrides the cluster emphasis). */
  private region: Uint8Array | undefined;
  /** The model whose images the thumbnail cache holds. */
  private thumbsOf: PanelInfo | undefined;
  /** The legend entry of the scored data (kept across recolourings). */
  private scoredEntry: HTMLElement | undefined;
  /** The same entry in an exported figure's legend. */
  private scoredLegend: LegendEntry | undefined;

  constructor(private readonly wrap: HTMLElement, private readonly legend: HTMLElement, private readonly tooltip: HTMLElement, private readonly handlers: PointsHandlers) {
    this.scatter = new ScatterView(wrap, { background: readTheme().bg, onHover: handlers.onHover, onClick: handlers.onClick, ...(handlers.onScored ? { onMarker: handlers.onScored } : {}) });
  }

  /** The model's projection, coloured and filtered (nothing while a live frame is shown). */
  showModel(state: PanelState): void {
    const model = state.model;
    if (!model || state.live) return;
    delete this.wrap.dataset.live;
    this.scatter.setData(model.projection.coords, model.projection.dims);
    this.useThumbnails(model.info);
    if (this.region && this.region.length !== model.embedding.n) this.region = undefined;
    this.recolor(state);
  }

  recolor(state: PanelState): void {
    const model = state.model;
    if (!model || state.live) return;
    const column = findColumn(model, state.meta.colorColumn);
    this.paint(column ? columnColoring(column, swatches()) : pointColors(model, state.ui.colorBy, swatches()));
    this.applyFilter(state);
  }

  /**
   * Anomaly and column filters (both apply), then what is drawn in full while the rest fades: the region selection,
   * else the search matches, else the emphasised cluster; selection rings; a redraw.
   */
  applyFilter(state: PanelState): void {
    const model = state.model;
    if (!model || state.live) return;
    const n = model.embedding.n;
    const f = state.meta.filter;
    const filterColumn = f ? findColumn(model, f.column) : undefined;
    const mask = andMasks(anomalyMask(model, state.anomaly, state.ui.filterAnomalies, state.ui.errorQuantile), f && filterColumn ? filterMask(filterColumn, f) : undefined);
    this.scatter.setMask(mask);
    const matches = searchMask(panelColumns(model), state.meta.search, n);
    this.scatter.setEmphasis(this.region?.length === n ? this.region : matches ?? emphasisMask(model, state.emphasis));
    this.scatter.render();
    this.scatter.setHighlight(state.ui.selection);
    const d = this.wrap.dataset;
    d.points = String(model.embedding.n);
    d.drawn = String(this.scatter.drawn);
    d.clusters = String(model.clusters?.k ?? 0);
    d.shown = String(mask ? mask.reduce((s, v) => s + v, 0) : n);
    // Matches among the points shown.
    d.matches = matches ? String((andMasks(matches, mask) ?? matches).reduce((s, v) => s + v, 0)) : '';
    d.dims = String(model.projection.dims);
  }

  /** Image datasets draw thumbnails on the zoomed scatter (a fresh cache per model); anything else plain points. */
  private useThumbnails(info: PanelInfo | undefined): void {
    const rows = this.handlers.rows;
    if (!info || !rows || !isImage(info)) {
      this.thumbsOf = undefined;
      this.scatter.setThumbnails(undefined);
      return;
    }
    if (this.thumbsOf === info) return;
    this.thumbsOf = info;
    const cache = new RowImageCache(rows, (values) => imageCanvas(info, values), info.dim, () => { this.scatter.redrawThumbnails(); });
    this.scatter.setThumbnails({ image: (i) => cache.get(i), want: (indices) => { cache.want(indices); } });
  }

  /** Scored data over the training set: hollow triangles, anomalies larger in the alarm colour, and a legend entry with a clear button. */
  showScored(state: PanelState): void {
    const s = state.scored;
    const model = state.model;
    const shown = s && model && !state.live && scoredFits(s, model) ? s : undefined;
    const t = readTheme();
    this.scatter.setMarkers(shown ? { coords: shown.coords, flagged: scoredFlags(shown), color: t.fg, flaggedColor: t.error } : undefined);
    this.scoredEntry?.remove();
    this.scoredEntry = undefined;
    this.scoredLegend = undefined;
    this.wrap.dataset.scored = String(shown?.n ?? 0);
    if (!shown) return;
    this.scoredLegend = { color: parseColor(t.error), label: scoredLegendText(shown) };
    const clear = h('button', { class: 'scored-clear', id: 'scored-clear', title: 'Remove the scored data from the plot' }, '✕');
    clear.addEventListener('click', () => { this.handlers.onClearScored?.(); });
    this.scoredEntry = h('span', { class: 'legend-item scored', id: 'scored-legend' }, scoredLegendText(shown), clear);
    this.legend.append(this.scoredEntry);
  }

  /** The tooltip of scored point `j` (undefined: hide it). */
  hoverScored(state: PanelState, j: number | undefined, x: number, y: number): void {
    const s = state.scored;
    if (j === undefined || !s || j >= s.n) { this.hideTooltip(); return; }
    const rect = this.wrap.getBoundingClientRect();
    const tip = this.tooltip;
    tip.style.left = `${Math.min(x - rect.left + 14, rect.width - 180)}px`;
    tip.style.top = `${Math.min(y - rect.top + 14, rect.height - 120)}px`;
    tip.hidden = false;
    const [head, detail] = scoredHoverLines(s, j);
    tip.replaceChildren(h('div', {}, head), h('div', { class: 'muted' }, detail));
  }

  /** Fits the view to the points again (after the plot area changed size). */
  refit(): void {
    if (this.scatter.pointTotal === 0) return;
    this.scatter.fit();
    this.scatter.render();
  }

  /** Drawn points inside `poly` (css pixels relative to the plot), in increasing order. */
  pointsIn(poly: Polygon): number[] {
    return pointsInPolygon(this.scatter.pointTotal, (i) => this.scatter.screenOf(i), poly);
  }

  /** Shows `indices` as the region selection (undefined: none), then redraws. */
  setRegion(state: PanelState, indices: readonly number[] | undefined): void {
    const n = state.model?.embedding.n ?? 0;
    this.region = indices ? new Uint8Array(n) : undefined;
    if (this.region) for (const i of indices ?? []) if (i < n) this.region[i] = 1;
    this.wrap.dataset.region = String(indices?.length ?? 0);
    this.applyFilter(state);
  }

  highlight(selection: readonly number[]): void {
    this.scatter.setHighlight([...selection]);
  }

  /** A live training frame replaces the scatter. */
  showLive(frame: LiveEmbeddingPayload): void {
    this.hideTooltip();
    this.scatter.setData(frame.coords, 2);
    this.useThumbnails(undefined);
    this.paint(liveColors(frame, swatches()));
    this.scatter.render();
    const d = this.wrap.dataset;
    d.live = String(frame.epoch);
    d.liveFrames = String(Number(d.liveFrames ?? 0) + 1);
    d.points = String(frame.indices.length);
    d.drawn = String(this.scatter.drawn);
  }

  /** Leaves live mode: back to the model's embedding, or an empty plot when there is none. */
  endLive(state: PanelState): void {
    delete this.wrap.dataset.live;
    if (state.model) {
      this.showModel(state);
      return;
    }
    this.scatter.setData(new Float32Array(0), 2);
    this.scatter.render();
    this.legend.textContent = '';
    this.wrap.dataset.points = '0';
  }

  /**
   * The tooltip of point `index` at the pointer; `thumbnail`, when given, is asked for the sample's image after a
   * short rest on the point and appended if the pointer is still there.
   */
  hover(state: PanelState, index: number | undefined, x: number, y: number, thumbnail?: (index: number) => Promise<string>): void {
    if (this.hoverTimer) clearTimeout(this.hoverTimer);
    this.hovered = index;
    const model = state.model;
    if (index === undefined || !model || state.live) { this.hideTooltip(); return; }
    const rect = this.wrap.getBoundingClientRect();
    const tip = this.tooltip;
    tip.style.left = `${Math.min(x - rect.left + 14, rect.width - 180)}px`;
    tip.style.top = `${Math.min(y - rect.top + 14, rect.height - 120)}px`;
    tip.hidden = false;
    const [head, detail, code] = hoverLines(model, index);
    tip.replaceChildren(h('div', {}, head), h('div', { class: 'muted' }, detail), h('div', { class: 'muted' }, code));
    const meta = metadataLine(model, index);
    if (meta !== '') tip.append(h('div', { class: 'muted' }, meta));
    if (thumbnail) {
      this.hoverTimer = setTimeout(() => {
        thumbnail(index).then((src) => {
          if (this.hovered === index && !tip.hidden) tip.append(h('img', { src, alt: 'thumbnail' }));
        }, () => undefined);
      }, 120);
    }
  }

  hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  /** The plot as a PNG figure with `title`, the legend and (2D) axes named `axisNames`. */
  toPng(title: string, axisNames: [string, string]): string {
    return figurePng(this.figure(title, axisNames), this.scatter.toCanvas());
  }

  /** The plot as an SVG figure with `title`, the legend and (2D) axes named `axisNames`. */
  toSvg(title: string, axisNames: [string, string]): string {
    const url = this.scatter.toSvg();
    const plot = decodeURIComponent(url.slice(url.indexOf(',') + 1));
    return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(figureSvg(this.figure(title, axisNames), plot));
  }

  private figure(title: string, axisNames: [string, string]): FigureSpec {
    const w = Math.max(1, Math.floor(this.wrap.clientWidth)), ht = Math.max(1, Math.floor(this.wrap.clientHeight));
    const t = readTheme();
    const v = this.scatter.currentView;
    const axes = this.scatter.is3d ? undefined : {
      x: [v.cx - w / 2 / v.scale, v.cx + w / 2 / v.scale] as [number, number], y: [v.cy - ht / 2 / v.scale, v.cy + ht / 2 / v.scale] as [number, number], xLabel: axisNames[0], yLabel: axisNames[1],
    };
    return { title, width: w, height: ht, legend: this.scoredLegend ? [...this.legendEntries, this.scoredLegend] : this.legendEntries, ...(axes ? { axes } : {}), colors: { bg: t.bg, fg: t.fg, grid: t.grid, font: t.font } };
  }

  private paint(c: Coloring): void {
    this.legendEntries = c.legend;
    this.scatter.setColors(c.colors);
    this.legend.replaceChildren(...c.legend.map((e) => swatch(rgbCss(e.color), e.label)), ...(this.scoredEntry ? [this.scoredEntry] : []));
  }
}
