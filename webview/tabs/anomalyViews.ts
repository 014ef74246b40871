/**
 * Parts of the Anomalies tab: the gallery of the top anomalies as thumbnails (image datasets), and for sequence
 * models the score over time with the threshold and the ranked events (overlapping flagged windows merged by the
 * host). Clicking a thumbnail inspects the sample; clicking an event selects its windows and inspects its peak.
 */
import type * as Plotly from 'plotly.js-dist-min';
import type { AnomalyPayload } from '../../src/shared/protocol';
import type { PanelContext } from '../context';
import { h } from '../dom';
import { imageUrl } from '../sampleViews';
import { readTheme } from '../theme';

type AnomalyEvent = NonNullable<AnomalyPayload['timeline']>['events'][number];

/** Events listed in the tab. */
const EVENTS_SHOWN = 20;
/** Points of the error-over-time line at most (a max over each bucket beyond, so peaks survive). */
const SERIES_MAX = 5_000;

/** "#1 rows 1200–1264 · 7 windows · peak 0.0421 (window 150)". */
export function eventText(e: AnomalyEvent): string {
  return `#${e.rank} rows ${e.startRow}–${e.endRow - 1} · ${e.windows} window${e.windows === 1 ? '' : 's'} · peak ${e.score.toPrecision(3)} (window ${e.peakWindow})`;
}

/** Sample indices (windows) of an event. */
export function eventWindows(e: AnomalyEvent): number[] {
  return Array.from({ length: e.lastWindow - e.firstWindow + 1 }, (_, k) => e.firstWindow + k);
}

/**
 * The series thinned to at most `max` points: each bucket of consecutive rows keeps its highest finite value (at its
 * row), so a short burst is never averaged away. Rows without a value are skipped.
 */
export function thinSeries(values: Float32Array, max = SERIES_MAX): { x: number[]; y: number[] } {
  const step = Math.max(1, Math.ceil(values.length / max));
  const x: number[] = [], y: number[] = [];
  for (let s = 0; s < values.length; s += step) {
    let best = -Infinity, at = -1;
    for (let r = s; r < Math.min(values.length, s + step); r++) if (values[r] > best) { best = values[r]; at = r; }
    if (at >= 0) { x.push(at); y.push(best); }
  }
  return { x, y };
}

/** Thumbnails of the top anomalies (requested one by one; each click inspects the sample). */
export function anomalyGallery(ctx: PanelContext, indices: readonly number[], scores: Float32Array): HTMLElement {
  const grid = h('div', { class: 'anomaly-gallery', id: 'anomaly-gallery', 'data-count': String(indices.length) });
  Object.assign(grid.style, { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(64px, 1fr))', gap: '4px' });
  const info = ctx.state.model?.info;
  if (!info) return grid;
  indices.forEach((i, k) => {
    const caption = `#${i} · ${scores[i].toPrecision(3)}`;
    const cell = h('button', { class: 'thumb', title: caption, 'data-index': String(i) }, h('div', { class: 'muted' }, caption));
    cell.addEventListener('click', () => { ctx.inspect(i); });
    grid.append(cell);
    ctx.channel.request({ type: 'requestSample', index: i, purpose: 'hover' }, `gallery-${k}`).then((m) => {
      cell.prepend(h('img', { src: imageUrl(info, m.sample.original, 2), alt: caption }));
    }, () => undefined);
  });
  return grid;
}

/** The error-over-time chart with the threshold, and the ranked events. */
export function timelineView(ctx: PanelContext, r: AnomalyPayload): HTMLElement {
  const box = h('div', { class: 'timeline', id: 'anomaly-timeline' });
  const tl = r.timeline;
  if (!tl) return box;
  const t = readTheme();
  const chart = h('div', { class: 'hist', id: 'anomaly-over-time' });
  box.append(h('h3', {}, 'Score over time'), chart);
  const { x, y } = thinSeries(tl.rowScores);
  const trace: Partial<Plotly.PlotData> = { x, y, mode: 'lines', line: { color: t.accent, width: 1 }, name: 'score' };
  const bands = tl.events.slice(0, EVENTS_SHOWN).map((e): Partial<Plotly.Shape> => ({ type: 'rect', xref: 'x', yref: 'paper', x0: e.startRow, x1: e.endRow, y0: 0, y1: 1, fillcolor: t.error, opacity: 0.15, line: { width: 0 } }));
  ctx.plot.draw(chart, [trace], {
    height: 200, xaxis: { title: { text: 'row', standoff: 2 } },
    shapes: [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: r.threshold, y1: r.threshold, line: { color: t.error, width: 2, dash: 'dash' } }, ...bands],
  });
  const list = h('ol', { class: 'events', id: 'anomaly-events', 'data-count': String(tl.events.length) });
  for (const e of tl.events.slice(0, EVENTS_SHOWN)) {
    const a = h('a', { href: '#', 'data-start': String(e.startRow), 'data-end': String(e.endRow) }, eventText(e));
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      ctx.selectRegion(eventWindows(e));
      ctx.inspect(e.peakWindow);
    });
    list.append(h('li', {}, a));
  }
  const more = tl.events.length > EVENTS_SHOWN ? ` (strongest ${EVENTS_SHOWN} listed)` : '';
  box.append(h('h3', {}, `Events: ${tl.events.length} merged from the flagged windows${more}`), list);
  return box;
}
