/**
 * How one sample (or a strip of decoded outputs) is drawn: images as canvases, time-series windows as line charts,
 * table rows as bar charts or heatmaps. Shared by the Point, Clusters, Interpolate and Generate tabs.
 */
import type * as Plotly from 'plotly.js-dist-min';
import type { PanelInfo } from '../src/shared/protocol';
import { h } from './dom';
import type { Attrs } from './dom';
import type { Plotter } from './theme';
import { palette, ramp, readTheme, rgbCss } from './theme';
import { errorRankText, featuresByError, zScores } from './tabular';

/** What a sample view needs: the dataset's shape and the chart drawer. */
export interface SampleContext {
  info: PanelInfo;
  plot: Plotter;
}

/** Images: `[height, width, 1 or 3]` samples of an image dataset. */
export function isImage(info: PanelInfo): boolean {
  const s = info.sampleShape;
  return info.kind === 'image' && s.length === 3 && (s[2] === 1 || s[2] === 3);
}

/** Time-series windows (`[steps, channels]` samples of a sequence model). */
export function isSequence(info: PanelInfo): boolean {
  return info.sampleShape.length === 2 && (info.modelKind === 'sequence' || info.kind === 'sequence');
}

/** RGBA pixels of an image sample (`[height, width, channels]`, data units), scaled by its own min/max. */
export function imagePixels(values: ArrayLike<number>, shape: readonly number[]): Uint8ClampedArray {
  const [hgt, wid, ch] = shape;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) { if (values[i] < lo) lo = values[i]; if (values[i] > hi) hi = values[i]; }
  const span = hi - lo || 1;
  const out = new Uint8ClampedArray(wid * hgt * 4);
  for (let p = 0; p < wid * hgt; p++) {
    for (let j = 0; j < 3; j++) out[4 * p + j] = Math.round((255 * (values[p * ch + (ch === 3 ? j : 0)] - lo)) / span);
    out[4 * p + 3] = 255;
  }
  return out;
}

/** An image sample as a PNG data URL, `scale` times its size without smoothing. */
export function imageUrl(info: PanelInfo, values: ArrayLike<number>, scale = 3): string {
  const [hgt, wid] = info.sampleShape;
  const c = document.createElement('canvas');
  c.width = wid; c.height = hgt;
  const ctx = c.getContext('2d');
  if (!ctx) return '';
  const img = ctx.createImageData(wid, hgt);
  img.data.set(imagePixels(values, info.sampleShape));
  ctx.putImageData(img, 0, 0);
  const big = document.createElement('canvas');
  big.width = wid * scale; big.height = hgt * scale;
  const bctx = big.getContext('2d');
  if (!bctx) return '';
  bctx.imageSmoothingEnabled = false;
  bctx.drawImage(c, 0, 0, big.width, big.height);
  return big.toDataURL('image/png');
}

/** Line chart of one window per channel; `compare` (the reconstruction) dotted on top. */
function sequenceView(ctx: SampleContext, values: ArrayLike<number>, title: string, compare?: ArrayLike<number>): HTMLElement {
  const div = h('div', { class: 'lines' });
  const [steps, ch] = ctx.info.sampleShape;
  const pal = palette();
  const t = Array.from({ length: steps }, (_, i) => i);
  const traces: Partial<Plotly.PlotData>[] = [];
  for (let c = 0; c < ch; c++) {
    const channel = (v: ArrayLike<number>): number[] => t.map((i) => v[i * ch + c]);
    const name = ctx.info.columns[c] ?? `ch${c}`;
    const color = pal[c % pal.length];
    traces.push({ x: t, y: channel(values), mode: 'lines', name: compare ? `${name} original` : name, line: { color } });
    if (compare) traces.push({ x: t, y: channel(compare), mode: 'lines', name: `${name} reconstruction`, line: { color, dash: 'dot' } });
  }
  ctx.plot.draw(div, traces, { title: { text: title, font: { size: 11 } }, height: 240, showlegend: true, legend: { orientation: 'h', y: -0.45 }, xaxis: { title: { text: 'time step', standoff: 4 } }, margin: { l: 40, r: 10, t: 24, b: 40 } });
  return h('figure', { class: 'sample sequence' }, div);
}

/** One sample: an image, a line chart (sequences) or a bar chart (tables, `compare` as a second series). */
export function sampleView(ctx: SampleContext, values: ArrayLike<number>, title: string, compare?: ArrayLike<number>): HTMLElement {
  if (isSequence(ctx.info)) return sequenceView(ctx, values, title, compare);
  if (isImage(ctx.info)) return h('figure', { class: 'sample' }, h('img', { src: imageUrl(ctx.info, values), alt: title }), h('figcaption', {}, title));
  const div = h('div', { class: 'bars' });
  const cols = ctx.info.columns;
  const stats = ctx.info.featureStats;
  const x = Array.from({ length: values.length }, (_, i) => cols[i] ?? `f${i}`);
  // Raw values hover beside the z-scores drawn, so the data units stay readable.
  const bar = (v: ArrayLike<number>, name: string, color: string): Partial<Plotly.PlotData> => ({ type: 'bar', x, y: zScores(v, stats), name, marker: { color }, text: Array.from(v, (r) => r.toPrecision(4)), hovertemplate: '%{x}: %{y:.2f}σ (%{text})<extra></extra>' });
  const traces: Partial<Plotly.PlotData>[] = [bar(values, compare ? 'original' : title, readTheme().accent)];
  if (compare) traces.push(bar(compare, 'reconstruction', palette()[1]));
  ctx.plot.draw(div, traces, { title: { text: title, font: { size: 11 } }, barmode: 'group', height: 200, showlegend: compare !== undefined, legend: { orientation: 'h', y: -0.3 }, yaxis: { title: { text: stats ? 'z-score (σ)' : 'value', standoff: 2 } } });
  const fig = h('figure', { class: 'sample', 'data-units': stats ? 'z' : 'raw' }, div);
  if (compare) fig.append(h('figcaption', { class: 'muted', id: 'feature-errors' }, errorRankText(featuresByError(values, compare, stats, cols), 5, stats ? 'σ' : '')));
  return fig;
}

/** Two views side by side for images, else one view with `b` overlaid on `a`. */
export function pairView(ctx: SampleContext, a: ArrayLike<number>, aTitle: string, b: ArrayLike<number>, bTitle: string): HTMLElement {
  return isImage(ctx.info)
    ? h('div', { class: 'row' }, sampleView(ctx, a, aTitle), sampleView(ctx, b, bTitle))
    : sampleView(ctx, a, `${aTitle} vs ${bTitle}`, b);
}

/**
 * A strip/grid of decoded outputs (`rows x cols`, row-major): images for image datasets, one line per output for
 * sequences (first channel), else one heatmap row per output. Shared by the Interpolate and Generate tabs.
 */
export function decodedStrip(ctx: SampleContext, decoded: Float32Array, rows: number, cols: number, caption: string, attrs: Attrs): HTMLElement {
  const { info } = ctx;
  const dim = info.dim;
  const count = rows * cols;
  const strip = h('div', { class: 'strip', ...attrs }, h('div', { class: 'muted' }, caption));
  if (isImage(info)) {
    for (let r = 0; r < rows; r++) {
      const row = h('div', { class: 'strip-row' });
      for (let c = 0; c < cols; c++) {
        const s = r * cols + c;
        row.append(h('img', { src: imageUrl(info, decoded.subarray(s * dim, (s + 1) * dim), 2), alt: `step ${s}` }));
      }
      strip.append(row);
    }
  } else if (isSequence(info)) {
    const [steps, ch] = info.sampleShape;
    const div = h('div', { class: 'lines' });
    strip.append(div, h('div', { class: 'muted' }, `channel ${info.columns[0] ?? 0}${ch > 1 ? ` (of ${ch})` : ''}, one line per decoded window, light to dark`));
    const t = Array.from({ length: steps }, (_, i) => i);
    const traces: Partial<Plotly.PlotData>[] = Array.from({ length: count }, (_, s) => (
      { x: t, y: t.map((i) => decoded[s * dim + i * ch]), mode: 'lines', name: `#${s}`, line: { color: rgbCss(ramp(count > 1 ? s / (count - 1) : 0)) } }
    ));
    ctx.plot.draw(div, traces, { height: 220, xaxis: { title: { text: 'time step' } } });
  } else {
    const div = h('div', { class: 'heat' });
    strip.append(div);
    const z = Array.from({ length: count }, (_, s) => zScores(decoded.subarray(s * dim, (s + 1) * dim), info.featureStats));
    ctx.plot.draw(div, [{ type: 'heatmap', z, x: info.columns.slice(0, dim), colorscale: 'Viridis', showscale: info.featureStats !== undefined, colorbar: { title: { text: 'σ' }, thickness: 8 } }],
      { height: 60 + 18 * count, yaxis: { title: { text: 'step' }, autorange: 'reversed' }, margin: { l: 40, r: 10, t: 10, b: 60 } });
  }
  return strip;
}
