/**
 * The region selection's summary (count, mean reconstruction error against the whole set, label histogram, CSV
 * export, clear) and the Point tab's nearest neighbours in latent space, with thumbnails for images.
 */
import type { PanelContext } from '../context';
import { button, h } from '../dom';
import { imageUrl, isImage } from '../sampleViews';
import { nearestNeighbours, selectionCsv, selectionStats } from '../selection';

/** Neighbours shown for an inspected point. */
export const NEIGHBOUR_COUNT = 8;

/** "1,234 points · mean error 0.0123 (all: 0.0100, ×1.23)". */
export function statsLine(count: number, meanError: number, overall: number): string {
  const ratio = overall > 0 && Number.isFinite(meanError) ? ` ×${(meanError / overall).toFixed(2)}` : '';
  return `${count.toLocaleString('en-US')} point${count === 1 ? '' : 's'} · mean error ${Number.isFinite(meanError) ? meanError.toPrecision(3) : '–'} (all: ${overall.toPrecision(3)}${ratio})`;
}

/** The selection summary, with `onClear` for the Clear button. */
export function selectionView(ctx: PanelContext, indices: readonly number[], onClear: () => void): HTMLElement {
  const model = ctx.state.model;
  const box = h('div', { class: 'selection-summary', id: 'selection-summary', 'data-count': String(indices.length) });
  if (!model) return box;
  const s = selectionStats(model.embedding, indices);
  box.append(h('h3', {}, 'Selection'), h('div', { class: 'muted', id: 'selection-stats' }, statsLine(s.count, s.meanError, s.overallMeanError)));
  const top = s.labels.slice(0, 12);
  if (top.length > 0) {
    const max = top[0].count;
    const hist = h('div', { class: 'label-histogram', id: 'selection-labels' });
    for (const { label, count } of top) {
      const bar = h('div', { class: 'bar' });
      Object.assign(bar.style, { width: `${Math.max(2, (100 * count) / max)}%`, height: '0.7em', background: 'var(--vscode-charts-blue, #3794ff)' });
      hist.append(h('div', { class: 'hist-row', title: `${label}: ${count}` }, h('span', { class: 'hist-label' }, `${label} (${count})`), bar));
    }
    if (s.labels.length > top.length) hist.append(h('div', { class: 'muted' }, `+ ${s.labels.length - top.length} more labels`));
    box.append(hist);
  }
  box.append(h('div', { class: 'actions' },
    button('Export CSV…', () => { ctx.channel.notify({ type: 'saveSelection', csv: selectionCsv(model.embedding, model.projection, indices) }); }, { id: 'selection-export' }),
    button('Train on selection…', () => { ctx.channel.notify({ type: 'trainOnSelection', indices: [...indices] }); }, { secondary: '', id: 'selection-train', ...(indices.length < 2 ? { disabled: '' } : {}) }),
    button('Inspect first', () => { if (indices.length > 0) ctx.inspect(indices[0]); }, { secondary: '' }),
    button('Clear', onClear, { secondary: '', id: 'selection-clear' })));
  return box;
}

/** The `NEIGHBOUR_COUNT` nearest points to `index` in latent space: thumbnails for images, else index and distance. */
export function neighboursView(ctx: PanelContext, index: number): HTMLElement {
  const model = ctx.state.model;
  const box = h('div', { class: 'neighbours', id: 'point-neighbours' });
  if (!model) return box;
  const { latent, latentDim, labelNames, labelCodes } = model.embedding;
  const found = nearestNeighbours(latent, latentDim, index, NEIGHBOUR_COUNT);
  box.dataset.count = String(found.length);
  const grid = h('div', { class: 'neighbour-grid' });
  Object.assign(grid.style, { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(64px, 1fr))', gap: '4px' });
  for (const [k, nb] of found.entries()) {
    const label = labelNames && labelCodes ? labelNames[labelCodes[nb.index]] : undefined;
    const caption = `#${nb.index}${label !== undefined ? ` · ${label}` : ''}`;
    const cell = h('button', { class: 'neighbour', title: `${caption} · distance ${nb.distance.toPrecision(3)}`, 'data-index': String(nb.index) }, h('div', { class: 'muted' }, caption));
    cell.addEventListener('click', () => { ctx.inspect(nb.index); });
    grid.append(cell);
    if (isImage(model.info)) {
      const info = model.info;
      ctx.channel.request({ type: 'requestSample', index: nb.index, purpose: 'hover' }, `neighbour-${k}`).then((m) => {
        cell.prepend(h('img', { src: imageUrl(info, m.sample.original, 2), alt: caption }));
      }, () => undefined);
    }
  }
  box.append(h('h4', {}, `Nearest ${found.length} in latent space`), grid);
  return box;
}
