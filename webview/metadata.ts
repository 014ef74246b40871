/**
 * Colour, filter and search by any column the dataset carries besides its features: the label and the table's
 * metadata columns (id, time, ignored and dropped text, as the loader classified them). Plain data, no DOM, so it is
 * tested without a browser. Categorical columns get a stable colour per value (by sorted rank, like labels) and a
 * sorted legend; numeric columns a colour ramp. Missing values are drawn in the muted colour and never match.
 */
import type { Coloring, Swatches } from './colors';
import { labelRanks, labelText } from './colors';
import { packRgba } from './colors';
import type { ColumnFilter, ModelView } from './state';
import type { Rgb } from './theme';
import { ramp } from './theme';

/** A column of the panel: categories with a code per sample (-1 = missing), or numbers (NaN = missing). */
export type PanelColumn =
  | { name: string; kind: 'category'; categories: readonly string[]; codes: Int32Array; classNames?: Readonly<Record<string, string>> }
  | { name: string; kind: 'number'; values: Float32Array };


/** Legend entries shown at most. */
const LEGEND_MAX = 20;
const pack = (c: Rgb): number => packRgba(c[0], c[1], c[2]);

/** The model's columns: its label first (when it has one), then the metadata columns in file order. */
export function panelColumns(model: ModelView): PanelColumn[] {
  const e = model.embedding;
  const out: PanelColumn[] = [];
  if (e.labelNames && e.labelCodes) {
    out.push({ name: model.info.labelName ?? 'label', kind: 'category', categories: e.labelNames, codes: e.labelCodes, ...(model.info.classNames ? { classNames: model.info.classNames } : {}) });
  }
  for (const c of e.metadata ?? []) {
    if (out.some((o) => o.name === c.name)) continue;
    out.push(c.kind === 'number' ? { name: c.name, kind: 'number', values: c.values } : { name: c.name, kind: 'category', categories: c.categories, codes: c.codes });
  }
  return out;
}

/** The finite min and max of a numeric column ([0, 0] when it has none). */
export function numberRange(values: Float32Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo <= hi ? [lo, hi] : [0, 0];
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** Colours by `col`: categories by sorted rank with a sorted legend, numbers on the ramp with its two ends. */
export function columnColoring(col: PanelColumn, s: Swatches): Coloring {
  const muted = pack(s.muted);
  if (col.kind === 'number') {
    const [lo, hi] = numberRange(col.values);
    const span = hi - lo || 1;
    const colors = Uint32Array.from(col.values, (v) => (Number.isNaN(v) ? muted : pack(ramp((v - lo) / span))));
    return { colors, legend: [{ color: ramp(0), label: `${col.name} ${fmt(lo)}` }, { color: ramp(1), label: `${col.name} ${fmt(hi)}` }] };
  }
  const ranks = labelRanks(col.categories);
  const colorOf = (j: number): Rgb => s.palette[ranks[j] % s.palette.length];
  const colors = Uint32Array.from(col.codes, (c) => (c < 0 ? muted : pack(colorOf(c))));
  const order = col.categories.map((_, j) => j).sort((a, b) => ranks[a] - ranks[b]);
  const legend = order.slice(0, LEGEND_MAX).map((j) => ({ color: colorOf(j), label: labelText(col.categories[j], col.classNames) }));
  if (order.length > LEGEND_MAX) legend.push({ color: s.muted, label: `… ${order.length - LEGEND_MAX} more` });
  return { colors, legend };
}

/** 1 for the points the filter keeps. */
export function filterMask(col: PanelColumn, f: ColumnFilter): Uint8Array {
  if (col.kind === 'category') {
    const wanted = new Set('values' in f ? f.values : []);
    const keep = Uint8Array.from(col.categories, (c) => (wanted.has(c) ? 1 : 0));
    return Uint8Array.from(col.codes, (c) => (c >= 0 ? keep[c] : 0));
  }
  const lo = 'min' in f && f.min !== undefined ? f.min : -Infinity;
  const hi = 'max' in f && f.max !== undefined ? f.max : Infinity;
  return Uint8Array.from(col.values, (v) => (v >= lo && v <= hi ? 1 : 0));
}

/**
 * 1 for the points matching `query` in any column: a category containing it (case-insensitive; class names too), or
 * a number equal to it. Undefined for an empty query (nothing is dimmed).
 */
export function searchMask(cols: readonly PanelColumn[], query: string, n: number): Uint8Array | undefined {
  const q = query.trim().toLowerCase();
  if (q === '') return undefined;
  const out = new Uint8Array(n);
  const asNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(q) ? Number(q) : undefined;
  for (const col of cols) {
    if (col.kind === 'category') {
      const hit = Uint8Array.from(col.categories, (c) => (labelText(c, col.classNames).toLowerCase().includes(q) ? 1 : 0));
      for (let i = 0; i < n; i++) { const c = col.codes[i]; if (c >= 0 && hit[c]) out[i] = 1; }
    } else if (asNumber !== undefined) {
      const target = Math.fround(asNumber);
      for (let i = 0; i < n; i++) if (col.values[i] === target) out[i] = 1;
    }
  }
  return out;
}

/** Points set in both masks (either may be absent: no constraint). */
export function andMasks(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.map((v, i) => (v && b[i] ? 1 : 0));
}

/** The column named `name`, if the model has it. */
export function findColumn(model: ModelView, name: string | undefined): PanelColumn | undefined {
  return name === undefined ? undefined : panelColumns(model).find((c) => c.name === name);
}

/** Distinct values of a categorical column by frequency (most frequent first), for the filter's value list. */
export function valuesByCount(col: Extract<PanelColumn, { kind: 'category' }>, max = 200): { value: string; count: number }[] {
  const counts = new Int32Array(col.categories.length);
  for (const c of col.codes) if (c >= 0) counts[c]++;
  return col.categories.map((value, j) => ({ value, count: counts[j] })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).slice(0, max);
}

/** Point `i`'s metadata values ("row_id 7 · note rare"), at most `max` columns; empty when there are none. */
export function metadataLine(model: ModelView, i: number, max = 4): string {
  return (model.embedding.metadata ?? []).slice(0, max).map((c) => {
    if (c.kind === 'number') return `${c.name} ${Number.isNaN(c.values[i]) ? '–' : fmt(c.values[i])}`;
    const code = c.codes[i];
    return `${c.name} ${code < 0 ? '–' : c.categories[code]}`;
  }).join(' · ');
}
