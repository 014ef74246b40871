/**
 * The toolbar's column controls: filter the points by a column (a value of a categorical column, or a range of a
 * numeric one) and search every column (matches drawn in full, the rest faded). The colouring by column lives in
 * the colour select (./toolbar.ts). Only shown when the model has a label or metadata columns.
 */
import type { PanelContext } from './context';
import { h, select } from './dom';
import type { PanelColumn } from './metadata';
import type { ColumnFilter, MetaChoice } from './state';
import { numberRange, panelColumns, valuesByCount } from './metadata';

const NONE = '';

/** Value options of a categorical filter: every value by frequency, with its count. */
function valueOptions(col: Extract<PanelColumn, { kind: 'category' }>): [string, string][] {
  return valuesByCount(col).map(({ value, count }) => [value, `${value} (${count})`]);
}

/** The filter after choosing `column` (its first value, or its whole range), or none. */
export function filterFor(col: PanelColumn | undefined): ColumnFilter | undefined {
  if (!col) return undefined;
  if (col.kind === 'category') {
    const top = valuesByCount(col, 1);
    return { column: col.name, values: top.length > 0 ? [top[0].value] : [] };
  }
  const [min, max] = numberRange(col.values);
  return { column: col.name, min, max };
}

export function buildMetaControls(ctx: PanelContext): HTMLElement | undefined {
  const model = ctx.state.model;
  if (!model) return undefined;
  const columns = panelColumns(model);
  if (columns.length === 0) return undefined;
  const setFilter = (filter: ColumnFilter | undefined): void => {
    const { filter: _old, ...rest } = ctx.state.meta;
    const meta: MetaChoice = filter ? { ...rest, filter } : rest;
    ctx.dispatch({ type: 'meta', meta });
  };
  const box = h('span', { class: 'meta-controls' });
  const detail = h('span', { class: 'meta-filter', id: 'meta-filter-value' });
  const drawDetail = (): void => {
    detail.replaceChildren();
    const f = ctx.state.meta.filter;
    const col = f ? columns.find((c) => c.name === f.column) : undefined;
    if (!f || !col) return;
    if (col.kind === 'category') {
      const chosen = 'values' in f ? f.values[0] ?? NONE : NONE;
      detail.append(select(valueOptions(col), chosen, (v) => { setFilter({ column: col.name, values: [v] }); }, 'meta-filter-values'));
      return;
    }
    const [lo, hi] = numberRange(col.values);
    const range: { min?: number; max?: number } = 'values' in f ? {} : f;
    const num = (id: string, value: number | undefined, fallback: number, key: 'min' | 'max'): HTMLInputElement => {
      const el = h('input', { type: 'number', id, value: String(value ?? fallback), step: 'any', class: 'meta-range', title: `${key} (${col.name} runs ${lo} to ${hi})` });
      el.addEventListener('change', () => {
        const v = Number(el.value);
        const now = ctx.state.meta.filter;
        const cur = now && now.column === col.name && !('values' in now) ? now : { column: col.name };
        if (el.value !== '' && Number.isFinite(v)) setFilter({ ...cur, [key]: v });
      });
      return el;
    };
    detail.append(num('meta-filter-min', range.min, lo, 'min'), ' – ', num('meta-filter-max', range.max, hi, 'max'));
  };
  const chooser = select([[NONE, 'Filter: none'], ...columns.map((c): [string, string] => [c.name, `Filter: ${c.name}`])], ctx.state.meta.filter?.column ?? NONE, (v) => {
    setFilter(filterFor(columns.find((c) => c.name === v)));
    drawDetail();
  }, 'meta-filter');
  const search = h('input', { type: 'search', id: 'meta-search', placeholder: `Search ${columns.map((c) => c.name).slice(0, 3).join(', ')}${columns.length > 3 ? ', …' : ''}`, value: ctx.state.meta.search });
  search.addEventListener('input', () => { ctx.dispatch({ type: 'meta', meta: { ...ctx.state.meta, search: search.value } }); });
  box.append(chooser, detail, search, h('span', { class: 'hint', id: 'meta-matches' }));
  drawDetail();
  return box;
}

/** The match count beside the search box ("12 match"), empty without a search. */
export function matchText(matches: string | undefined): string {
  return matches === undefined || matches === '' ? '' : `${matches} match${matches === '1' ? '' : 'es'}`;
}
