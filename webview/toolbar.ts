/** The header toolbar: colouring, projection, 2D/3D, the k slider, and the export / save buttons. */
import { EXPORT_FORMATS, EXPORT_FORMAT_INFO } from '../src/common/exportFormats';
import type { ColorBy, KSuggestionPayload } from '../src/shared/protocol';
import type { PanelContext } from './context';
import { button, h, select } from './dom';
import type { ModelView } from './state';
import { describe } from './state';
import { kMax } from './tabs/clusters';
import { buildMetaControls } from './metaControls';

/** Colour-select value of a metadata column. */
const COLUMN_PREFIX = 'column:';

const COLOR_BY: readonly ColorBy[] = ['cluster', 'label', 'error', 'code'];

/** The colourings the model can show. */
export function colorOptions(model: ModelView): [ColorBy, string][] {
  const opts: [ColorBy, string][] = [['cluster', 'Colour: cluster']];
  if (model.embedding.labelNames) opts.push(['label', `Colour: ${model.info.labelName ?? 'label'}`]);
  opts.push(['error', 'Colour: recon. error']);
  if (model.embedding.codes) opts.push(['code', 'Colour: VQ code']);
  return opts;
}

/** The colour select's options: the built-in colourings, then one per metadata column. */
export function colorChoices(model: ModelView): [string, string][] {
  const columns = (model.embedding.metadata ?? []).map((c): [string, string] => [`${COLUMN_PREFIX}${c.name}`, `Colour: ${c.name}`]);
  return [...colorOptions(model), ...columns];
}

export const kHint = (s: KSuggestionPayload | undefined): string => (s ? `best silhouette: k = ${s.best}` : '');

/** What the toolbar needs beyond the context: the rendered plot as PNG / SVG data URLs. */
export interface PlotImages {
  toPng(title: string, axisNames: [string, string]): string;
  toSvg(title: string, axisNames: [string, string]): string;
}

/** Names of the plot's axes for a projection. */
export function axisNames(method: ModelView['projection']['method']): [string, string] {
  switch (method) {
    case 'none': return ['z0', 'z1'];
    case 'pca': return ['PC 1', 'PC 2'];
    case 'umap': return ['UMAP 1', 'UMAP 2'];
  }
}

/** The exported figure's title (what the header says) and axis names. */
function figureText(ctx: PanelContext): [string, [string, string]] {
  const model = ctx.state.model;
  return [describe(ctx.state), axisNames(model?.projection.method ?? 'none')];
}

export function buildToolbar(toolbar: HTMLElement, ctx: PanelContext, images: PlotImages): void {
  toolbar.textContent = '';
  const { model, ui, kSuggestion } = ctx.state;
  if (!model) return;
  const reproject = (): void => {
    const now = ctx.state.ui;
    ctx.channel.notify({ type: 'setProjection', method: now.projection, dims: now.dims });
  };
  const shown = ctx.state.meta.colorColumn;
  toolbar.append(select(colorChoices(model), shown !== undefined ? `${COLUMN_PREFIX}${shown}` : ui.colorBy, (v) => {
    const { colorColumn: _previous, ...meta } = ctx.state.meta;
    if (v.startsWith(COLUMN_PREFIX)) {
      ctx.dispatch({ type: 'meta', meta: { ...meta, colorColumn: v.slice(COLUMN_PREFIX.length) } });
      return;
    }
    if (ctx.state.meta.colorColumn !== undefined) ctx.dispatch({ type: 'meta', meta });
    const colorBy = COLOR_BY.find((c) => c === v);
    if (colorBy) ctx.dispatch({ type: 'ui', patch: { colorBy } });
  }, 'color-by'));
  const columns = buildMetaControls(ctx);
  if (columns) toolbar.append(columns);
  const d = model.info.latentDim;
  if (d > 3) {
    toolbar.append(select([['pca', 'PCA'], ['umap', 'UMAP']], ui.projection === 'umap' ? 'umap' : 'pca', (v) => {
      ctx.dispatch({ type: 'ui', patch: { projection: v === 'umap' ? 'umap' : 'pca' } });
      ctx.setStatus(`Computing ${v.toUpperCase()}…`);
      reproject();
    }, 'projection'));
  }
  if (d >= 3) {
    toolbar.append(select([['2', '2D'], ['3', '3D']], String(ui.dims), (v) => {
      ctx.dispatch({ type: 'ui', patch: { dims: v === '3' ? 3 : 2 } });
      reproject();
    }, 'dims'));
  }
  const k = h('input', { type: 'range', min: '2', max: String(kMax(model.embedding.n)), value: String(ui.k), id: 'k-slider' });
  const kValue = h('span', { id: 'k-value' }, String(ui.k));
  k.addEventListener('input', () => { kValue.textContent = k.value; });
  k.addEventListener('change', () => {
    ctx.dispatch({ type: 'ui', patch: { k: Number(k.value) } });
    const now = ctx.state.ui;
    ctx.channel.notify({ type: 'setK', k: now.k, ...(now.clusterMethod ? { method: now.clusterMethod } : {}) });
    ctx.setStatus(`Clustering with k = ${now.k}…`);
  });
  toolbar.append(h('label', { class: 'k' }, 'k ', k, kValue, h('span', { class: 'hint', id: 'k-hint' }, kHint(kSuggestion))));
  const exports = h('span', { class: 'exports' });
  for (const format of EXPORT_FORMATS) {
    const label = EXPORT_FORMAT_INFO[format].short;
    exports.append(button(label, () => { ctx.channel.notify({ type: 'exportEmbeddings', format }); }, { secondary: '', title: `Export embeddings as ${label}` }));
  }
  exports.append(
    button('PNG', () => { ctx.channel.notify({ type: 'savePlot', format: 'png', dataUrl: images.toPng(...figureText(ctx)) }); }, { secondary: '', title: 'Save plot as PNG (with title, axes and legend)' }),
    button('SVG', () => { ctx.channel.notify({ type: 'savePlot', format: 'svg', dataUrl: images.toSvg(...figureText(ctx)) }); }, { secondary: '', title: 'Save plot as SVG (with title, axes and legend)' }),
  );
  toolbar.append(exports);
}
