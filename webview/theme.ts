/**
 * Colours and plot styling, every one taken from VS Code's theme variables (read when called, so a theme switch
 * is picked up by the next render).
 */
import type * as Plotly from 'plotly.js-dist-min';

export type Rgb = [number, number, number];

export interface Theme {
  bg: string;
  fg: string;
  grid: string;
  accent: string;
  error: string;
  font: string;
  /** Noise points and other "no group" marks. */
  muted: string;
}

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

export function readTheme(): Theme {
  return {
    bg: cssVar('--vscode-editor-background', '#1e1e1e'),
    fg: cssVar('--vscode-editor-foreground', '#cccccc'),
    grid: cssVar('--vscode-editorWidget-border', '#454545'),
    accent: cssVar('--vscode-charts-blue', '#3794ff'),
    error: cssVar('--vscode-charts-red', '#f14c4c'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    muted: cssVar('--vscode-disabledForeground', '#808080'),
  };
}

const CHART_COLORS: readonly (readonly [string, string])[] = [['blue', '#3794ff'], ['orange', '#d18616'], ['green', '#89d185'], ['purple', '#b180d7'], ['red', '#f14c4c'], ['yellow', '#cca700']];
const EXTRA_COLORS = ['#4ec9b0', '#ce9178', '#9cdcfe', '#c586c0', '#dcdcaa', '#569cd6', '#f48771', '#6a9955'];

/** Categorical palette: VS Code's chart colours first, then a fixed set. */
export function palette(): string[] {
  return [...CHART_COLORS.map(([name, fallback]) => cssVar(`--vscode-charts-${name}`, fallback)), ...EXTRA_COLORS];
}

/** Viridis-like ramp for continuous values in [0, 1] (clamped). */
export function ramp(t: number): Rgb {
  const stops: Rgb[] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.max(0, Math.min(0.9999, t)) * (stops.length - 1);
  const i = Math.floor(x), f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

export const rgbCss = (c: Rgb): string => `rgb(${c.join(',')})`;

/** Plotly layout in the theme's colours, `extra` on top. */
export function plotLayout(extra: Partial<Plotly.Layout> = {}): Partial<Plotly.Layout> {
  const t = readTheme();
  return {
    paper_bgcolor: t.bg, plot_bgcolor: t.bg, font: { color: t.fg, family: t.font, size: 11 }, margin: { l: 40, r: 10, t: 24, b: 30 },
    xaxis: { gridcolor: t.grid, zerolinecolor: t.grid }, yaxis: { gridcolor: t.grid, zerolinecolor: t.grid }, showlegend: false, ...extra,
  };
}

export const PLOT_CONFIG: Partial<Plotly.Config> = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

/** How views draw Plotly charts; the bootstrap supplies the implementation, so view modules never import Plotly. */
export interface Plotter {
  /** A fresh chart in `div` on the next frame (once `div` is laid out), themed layout with `layout` on top. */
  draw(div: HTMLElement, traces: Partial<Plotly.PlotData>[], layout: Partial<Plotly.Layout>): void;
  /** Updates the chart in `div` in place (or creates it). */
  update(div: HTMLElement, traces: Partial<Plotly.PlotData>[], layout: Partial<Plotly.Layout>): void;
}
