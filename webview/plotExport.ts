/**
 * The exported figure: the scatter as drawn, framed with a title, axes (2D views) and the legend, as PNG or SVG.
 * The layout is computed as plain data ({@link figureLayout}, {@link niceTicks}) so it is tested without a browser.
 */
import type { LegendEntry } from './colors';
import type { Rgb } from './theme';

export interface FigureSpec {
  title: string;
  /** Plot area size in CSS pixels (the scatter's size on screen). */
  width: number;
  height: number;
  legend: readonly LegendEntry[];
  /** Data range shown along x and y (2D views); none for 3D, which has no flat axes. */
  axes?: { x: [number, number]; y: [number, number]; xLabel: string; yLabel: string };
  colors: { bg: string; fg: string; grid: string; font: string };
}

export interface FigureLayout {
  width: number;
  height: number;
  /** Plot area in figure pixels. */
  plot: { x: number; y: number; w: number; h: number };
  titleY: number;
  legendX: number;
  /** Baseline y of each legend entry. */
  legendY: number[];
}

const TITLE_H = 34;
const AXIS_LEFT = 58;
const AXIS_BOTTOM = 42;
const PAD = 12;
const LEGEND_ROW = 18;
const LEGEND_W = 190;

/** Where title, plot, axes and legend go. */
export function figureLayout(spec: FigureSpec): FigureLayout {
  const left = spec.axes ? AXIS_LEFT : PAD;
  const bottom = spec.axes ? AXIS_BOTTOM : PAD;
  const legendW = spec.legend.length > 0 ? LEGEND_W : 0;
  const plot = { x: left, y: TITLE_H, w: spec.width, h: spec.height };
  const legendX = plot.x + plot.w + PAD;
  const legendY = spec.legend.map((_, i) => plot.y + 14 + i * LEGEND_ROW);
  const height = Math.max(plot.y + plot.h + bottom, (legendY.at(-1) ?? 0) + PAD);
  return { width: legendX + legendW, height, plot, titleY: 22, legendX, legendY };
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return ticks;
}

const tickText = (v: number): string => Number(v.toPrecision(6)).toString();
const rgb = (c: Rgb): string => `rgb(${c.map((v) => Math.round(v)).join(',')})`;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Tick positions along the plot: [figure coordinate, label] for x and y. */
function axisTicks(spec: FigureSpec, l: FigureLayout): { x: [number, string][]; y: [number, string][] } {
  const a = spec.axes;
  if (!a) return { x: [], y: [] };
  const { plot } = l;
  const x = niceTicks(a.x[0], a.x[1]).map((v): [number, string] => [plot.x + ((v - a.x[0]) / (a.x[1] - a.x[0])) * plot.w, tickText(v)]);
  const y = niceTicks(a.y[0], a.y[1]).map((v): [number, string] => [plot.y + plot.h - ((v - a.y[0]) / (a.y[1] - a.y[0])) * plot.h, tickText(v)]);
  return { x, y };
}

/** The figure as SVG markup around `plotSvg` (an `<svg>` of the plot area, `spec.width` x `spec.height`). */
export function figureSvg(spec: FigureSpec, plotSvg: string): string {
  const l = figureLayout(spec);
  const { plot } = l;
  const c = spec.colors;
  const font = `font-family="${esc(c.font)}" fill="${esc(c.fg)}"`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}">`,
    `<rect width="100%" height="100%" fill="${esc(c.bg)}"/>`,
    `<text x="${plot.x}" y="${l.titleY}" font-size="14" font-weight="600" ${font}>${esc(spec.title)}</text>`,
    plotSvg.replace(/^<svg /, `<svg x="${plot.x}" y="${plot.y}" `),
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="${esc(c.grid)}"/>`,
  ];
  const ticks = axisTicks(spec, l);
  for (const [x, t] of ticks.x) parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${plot.y + plot.h}" y2="${plot.y + plot.h + 5}" stroke="${esc(c.grid)}"/><text x="${x.toFixed(1)}" y="${plot.y + plot.h + 18}" font-size="11" text-anchor="middle" ${font}>${t}</text>`);
  for (const [y, t] of ticks.y) parts.push(`<line x1="${plot.x - 5}" x2="${plot.x}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${esc(c.grid)}"/><text x="${plot.x - 8}" y="${(y + 4).toFixed(1)}" font-size="11" text-anchor="end" ${font}>${t}</text>`);
  if (spec.axes) {
    parts.push(`<text x="${plot.x + plot.w / 2}" y="${plot.y + plot.h + 36}" font-size="12" text-anchor="middle" ${font}>${esc(spec.axes.xLabel)}</text>`);
    parts.push(`<text transform="translate(14 ${plot.y + plot.h / 2}) rotate(-90)" font-size="12" text-anchor="middle" ${font}>${esc(spec.axes.yLabel)}</text>`);
  }
  spec.legend.forEach((e, i) => {
    const y = l.legendY[i];
    parts.push(`<circle cx="${l.legendX + 5}" cy="${y - 4}" r="5" fill="${rgb(e.color)}"/><text x="${l.legendX + 16}" y="${y}" font-size="12" ${font}>${esc(e.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The figure drawn on a canvas around `plot` (the scatter's layers, already composed), as a PNG data URL. */
export function figurePng(spec: FigureSpec, plot: HTMLCanvasElement): string {
  const l = figureLayout(spec);
  const dpr = plot.width / Math.max(1, spec.width);
  const c = document.createElement('canvas');
  c.width = Math.round(l.width * dpr);
  c.height = Math.round(l.height * dpr);
  const g = c.getContext('2d');
  if (!g) throw new Error('no 2D canvas context');
  g.scale(dpr, dpr);
  const col = spec.colors;
  g.fillStyle = col.bg;
  g.fillRect(0, 0, l.width, l.height);
  g.fillStyle = col.fg;
  g.font = `600 14px ${col.font}`;
  g.fillText(spec.title, l.plot.x, l.titleY);
  g.drawImage(plot, l.plot.x, l.plot.y, l.plot.w, l.plot.h);
  g.strokeStyle = col.grid;
  g.strokeRect(l.plot.x + 0.5, l.plot.y + 0.5, l.plot.w, l.plot.h);
  const ticks = axisTicks(spec, l);
  const bottom = l.plot.y + l.plot.h;
  g.font = `11px ${col.font}`;
  g.textAlign = 'center';
  for (const [x, t] of ticks.x) { g.beginPath(); g.moveTo(x, bottom); g.lineTo(x, bottom + 5); g.stroke(); g.fillText(t, x, bottom + 18); }
  g.textAlign = 'right';
  for (const [y, t] of ticks.y) { g.beginPath(); g.moveTo(l.plot.x - 5, y); g.lineTo(l.plot.x, y); g.stroke(); g.fillText(t, l.plot.x - 8, y + 4); }
  if (spec.axes) {
    g.font = `12px ${col.font}`;
    g.textAlign = 'center';
    g.fillText(spec.axes.xLabel, l.plot.x + l.plot.w / 2, bottom + 36);
    g.save();
    g.translate(14, l.plot.y + l.plot.h / 2);
    g.rotate(-Math.PI / 2);
    g.fillText(spec.axes.yLabel, 0, 0);
    g.restore();
  }
  g.textAlign = 'left';
  g.font = `12px ${col.font}`;
  spec.legend.forEach((e, i) => {
    const y = l.legendY[i];
    g.fillStyle = rgb(e.color);
    g.beginPath();
    g.arc(l.legendX + 5, y - 4, 5, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = col.fg;
    g.fillText(e.label, l.legendX + 16, y);
  });
  return c.toDataURL('image/png');
}
