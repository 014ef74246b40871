/**
 * What the scatter shows, as plain data: a colour per point and the legend (by cluster, label, reconstruction error
 * or VQ code), the anomaly filter and the emphasised cluster. No DOM, so it is tested without a browser.
 */
import type { ColorBy, LiveEmbeddingPayload } from '../src/shared/protocol';
import type { AnomalyState, ModelView } from './state';
import type { Rgb } from './theme';
import { ramp } from './theme';

/** RGBA in ImageData's little-endian Uint32 layout. */
export function packRgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Parses `#rgb`, `#rrggbb`, `rgb()`/`rgba()` into [r, g, b]; falls back to grey. */
export function parseColor(css: string): Rgb {
  const s = css.trim();
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(s);
  if (m) return [parseInt(m[1] + m[1], 16), parseInt(m[2] + m[2], 16), parseInt(m[3] + m[3], 16)];
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(s);
  if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return [128, 128, 128];
}

export interface LegendEntry {
  color: Rgb;
  label: string;
}

export interface Coloring {
  colors: Uint32Array;
  legend: LegendEntry[];
}

/** The colours a coloring draws with: the categorical palette, the single-colour accent and the noise grey. */
export interface Swatches {
  palette: Rgb[];
  accent: Rgb;
  muted: Rgb;
}

/** Label of the noise group (density methods). */
export const NOISE_LABEL = 'noise';
/** Legend entries shown at most. */
const LEGEND_MAX = 20;

const pack = (c: Rgb): number => packRgba(c[0], c[1], c[2]);

/** Points coloured by category `codes[i]` (palette cycled). */
function categorical(codes: Int32Array, palette: Rgb[]): Uint32Array {
  return Uint32Array.from(codes, (c) => pack(palette[c % palette.length]));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Each label's rank in sorted order (numbers by value: "2" before "10"): a label's colour is the palette entry of its
 * rank, so a class keeps its colour whatever order the samples came in, in live frames and in the final view alike.
 */
export function labelRanks(names: readonly string[]): Int32Array {
  const order = names.map((_, j) => j).sort((a, b) => collator.compare(names[a], names[b]) || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const ranks = new Int32Array(names.length);
  order.forEach((j, rank) => { ranks[j] = rank; });
  return ranks;
}

/** How a label value is shown: its class name beside it when there is one ("3 · Dress"). */
export function labelText(label: string, classNames?: Readonly<Record<string, string>>): string {
  const name = classNames?.[label];
  return name !== undefined && name !== label ? `${label} · ${name}` : label;
}

/** Points coloured by label (colour = sorted rank) and the legend in sorted order, with class names. */
function byLabel(names: readonly string[], codes: Int32Array, palette: Rgb[], classNames?: Readonly<Record<string, string>>): Coloring {
  const ranks = labelRanks(names);
  const colorOf = (j: number): Rgb => palette[ranks[j] % palette.length];
  const colors = Uint32Array.from(codes, (c) => pack(colorOf(c)));
  const legend = names.map((_, j) => j).sort((a, b) => ranks[a] - ranks[b]).slice(0, LEGEND_MAX).map((j) => ({ color: colorOf(j), label: labelText(names[j], classNames) }));
  return { colors, legend };
}

/** Colours of the model's points by `colorBy`; a choice the model cannot show falls back to clusters, then to one colour. */
export function pointColors(model: ModelView, colorBy: ColorBy, s: Swatches): Coloring {
  const e = model.embedding;
  const n = e.n;
  if (colorBy === 'label' && e.labelCodes && e.labelNames) {
    return byLabel(e.labelNames, e.labelCodes, s.palette, model.info.classNames);
  }
  if (colorBy === 'error') {
    let lo = Infinity, hi = -Infinity;
    for (const v of e.errors) { const l = Math.log(v + 1e-12); if (l < lo) lo = l; if (l > hi) hi = l; }
    const colors = Uint32Array.from(e.errors, (v) => pack(ramp((Math.log(v + 1e-12) - lo) / (hi - lo || 1))));
    return { colors, legend: [{ color: ramp(0), label: 'low error' }, { color: ramp(1), label: 'high error' }] };
  }
  if (colorBy === 'code' && e.codes) {
    const counts = new Map<number, number>();
    for (const code of e.codes) counts.set(code, (counts.get(code) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, LEGEND_MAX);
    return { colors: categorical(e.codes, s.palette), legend: top.map(([code, size]) => ({ color: s.palette[code % s.palette.length], label: `code ${code} (${size})` })) };
  }
  const c = model.clusters;
  if (c) {
    const colors = Uint32Array.from(c.assignments, (a) => pack(a < 0 ? s.muted : s.palette[a % s.palette.length]));
    const legend = c.sizes.map((size, j) => ({ color: s.palette[j % s.palette.length], label: `cluster ${j} (${size})` }));
    if (c.noise) legend.push({ color: s.muted, label: `${NOISE_LABEL} (${c.noise})` });
    return { colors, legend };
  }
  return { colors: new Uint32Array(n).fill(pack(s.accent)), legend: [] };
}

/** Colours of a live training frame: by label (the same colour per label as the final view) when it has labels, else one colour. */
export function liveColors(frame: LiveEmbeddingPayload, s: Swatches, classNames?: Readonly<Record<string, string>>): Coloring {
  const count = frame.indices.length;
  if (frame.labelNames && frame.labelCodes) return byLabel(frame.labelNames, frame.labelCodes, s.palette, classNames);
  return { colors: new Uint32Array(count).fill(pack(s.accent)), legend: [] };
}

/** The reconstruction error at quantile `q` (the threshold of the error filter when no anomaly report is there). */
export function errorThreshold(errors: Float32Array, q: number): number {
  if (errors.length === 0) return Infinity;
  const sorted = Float32Array.from(errors).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Points shown when "only anomalies" is on: above the anomaly report's threshold when there is a report for these
 * points, else at or above the error quantile. Undefined (all points) when the filter is off.
 */
export function anomalyMask(model: ModelView, anomaly: AnomalyState, filter: boolean, errorQuantile: number): Uint8Array | undefined {
  if (!filter) return undefined;
  const e = model.embedding;
  const r = anomaly.report;
  if (r && r.scores.length === e.n) return Uint8Array.from(r.scores, (v) => (v > r.threshold ? 1 : 0));
  const t = errorThreshold(e.errors, errorQuantile);
  return Uint8Array.from(e.errors, (v) => (v >= t ? 1 : 0));
}

/** Members of the emphasised cluster (the others fade); undefined when none is. */
export function emphasisMask(model: ModelView, cluster: number | undefined): Uint8Array | undefined {
  const c = model.clusters;
  if (cluster === undefined || !c) return undefined;
  return Uint8Array.from(c.assignments, (a) => (a === cluster ? 1 : 0));
}

/** The hover tooltip's three lines for point `i`: id, label and cluster; error and VQ code; the first codes. */
export function hoverLines(model: ModelView, i: number): [string, string, string] {
  const e = model.embedding;
  const label = e.labelNames && e.labelCodes ? ` · ${labelText(e.labelNames[e.labelCodes[i]], model.info.classNames)}` : '';
  const cluster = model.clusters ? ` · cluster ${model.clusters.assignments[i]}` : '';
  const code = e.codes ? ` · code ${e.codes[i]}` : '';
  const d = e.latentDim;
  const z = Array.from(e.latent.subarray(i * d, i * d + Math.min(6, d)), (v) => v.toFixed(2)).join(', ');
  return [`#${i}${label}${cluster}`, `error ${e.errors[i].toPrecision(3)}${code}`, `z = [${z}${d > 6 ? ', …' : ''}]`];
}
