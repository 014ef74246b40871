/**
 * The Point tab: one sample (original, reconstruction, code, cluster, source), the denoising / occlusion demo on it,
 * and a decoded latent position (a click on empty space when the view is the 2D latent space itself).
 */
import type { ClustersPayload, CorruptionMode, HostReply, PanelInfo, SamplePayload } from '../../src/shared/protocol';
import { NOISE_LABEL } from '../colors';
import type { PanelContext } from '../context';
import { button, h, select } from '../dom';
import { isImage, pairView, sampleView } from '../sampleViews';
import type { SampleContext } from '../sampleViews';
import { neighboursView } from './selection';

export const sampleHeading = (s: SamplePayload): string => `Sample #${s.index}${s.label !== undefined ? ` · ${s.label}` : ''}`;

/** "reconstruction error 0.0123 · data.csv:42". */
export function sampleSource(s: SamplePayload): string {
  const file = s.file.split(/[\\/]/).pop() ?? s.file;
  return `reconstruction error ${s.error.toPrecision(4)} · ${file}${s.line !== undefined ? `:${s.line}` : ''}`;
}

export const codeText = (z: ArrayLike<number>): string => `z = [${Array.from(z, (v) => v.toFixed(3)).join(', ')}]`;

/** The sample's cluster line ("cluster 2 · probability 0.930", "cluster: noise"), if it has a cluster. */
export function clusterLine(c: ClustersPayload | undefined, index: number): string | undefined {
  if (!c || index >= c.assignments.length) return undefined;
  const a = c.assignments[index];
  if (a < 0) return `cluster: ${NOISE_LABEL}`;
  return `cluster ${a}${c.probabilities ? ` · probability ${c.probabilities[index].toFixed(3)}` : ''}`;
}

/** A corruption level field's value clamped to [0, 1] (`previous` when not a number). */
export function clampLevel(raw: string, previous: number): number {
  const v = Number(raw);
  return raw.trim() !== '' && Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : previous;
}

/** "noise σ = 0.3" / "25% masked" and the error of the reconstruction against the clean sample. */
export function corruptionCaption(mode: CorruptionMode, level: number, error: number): string {
  const what = mode === 'noise' ? `noise σ = ${level}` : `${Math.round(level * 100)}% masked`;
  return `${what} · error of the reconstruction vs the clean sample ${error.toPrecision(3)}`;
}

/** What the tab says before a point is chosen. */
export const pointHint = (info: PanelInfo): string => (info.latentDim === 2 ? 'Click a point to inspect it, or empty space to decode that latent position.' : 'Click a point to inspect it.');

function corruptionControls(pane: HTMLElement, ctx: PanelContext, sc: SampleContext, index: number): HTMLElement {
  const form = ctx.state.corruption;
  const level = h('input', { type: 'number', id: 'corrupt-level', min: '0', max: '1', step: '0.05', value: String(form.level) });
  level.addEventListener('change', () => {
    const v = clampLevel(level.value, ctx.state.corruption.level);
    ctx.dispatch({ type: 'corruptionForm', patch: { level: v } });
    level.value = String(v);
  });
  const what: [string, string][] = isImage(sc.info) ? [['mask', 'occlude a patch'], ['noise', 'add Gaussian noise']] : [['mask', 'mask features'], ['noise', 'add Gaussian noise']];
  const run = (): void => {
    ctx.dispatch({ type: 'corruptionForm', patch: { seed: ctx.state.corruption.seed + 1 } });
    const { mode, level: l, seed } = ctx.state.corruption;
    ctx.channel.request({ type: 'corrupt', index, mode, level: l, seed }, 'corrupt').then((m) => { renderCorrupted(pane, sc, m); }, (e: unknown) => { ctx.reportError(e); });
  };
  return h('div', { class: 'row corrupt', id: 'corrupt-controls' },
    select(what, form.mode, (v) => { ctx.dispatch({ type: 'corruptionForm', patch: { mode: v === 'noise' ? 'noise' : 'mask' } }); }, 'corrupt-mode'),
    h('label', { title: 'patch area / masked fraction, or noise std (normalised units)' }, 'level ', level),
    button('Corrupt & reconstruct', run, { id: 'corrupt-run', secondary: '' }));
}

function renderCorrupted(pane: HTMLElement, sc: SampleContext, m: Extract<HostReply, { type: 'corrupted' }>): void {
  pane.querySelector('#corrupt-result')?.remove();
  const box = h('div', { id: 'corrupt-result', 'data-mode': m.mode }, h('div', { class: 'muted' }, corruptionCaption(m.mode, m.level, m.error)));
  box.append(pairView(sc, m.corrupted, 'corrupted', m.reconstruction, 'reconstruction'));
  pane.querySelector('#corrupt-controls')?.after(box);
}

/** A sample in full, with the corruption demo and the Reveal / Interpolate actions. */
export function renderSample(pane: HTMLElement, ctx: PanelContext, s: SamplePayload): void {
  const model = ctx.state.model;
  if (!model) return;
  const sc: SampleContext = { info: model.info, plot: ctx.plot };
  pane.textContent = '';
  pane.append(h('h3', {}, sampleHeading(s)), h('div', { class: 'muted' }, sampleSource(s)));
  pane.append(isImage(sc.info) ? pairView(sc, s.original, 'original', s.reconstruction, 'reconstruction') : sampleView(sc, s.original, 'original vs reconstruction', s.reconstruction));
  pane.append(h('div', { class: 'muted mono' }, codeText(s.latent)));
  const cluster = clusterLine(model.clusters, s.index);
  if (cluster !== undefined) pane.append(h('div', { class: 'muted', id: 'point-cluster' }, cluster));
  pane.append(corruptionControls(pane, ctx, sc, s.index));
  pane.append(h('div', { class: 'actions' },
    button('Reveal in editor', () => { ctx.channel.notify({ type: 'reveal', index: s.index }); }),
    button('Interpolate from here', () => {
      const selection = ctx.state.ui.selection;
      ctx.dispatch({ type: 'ui', patch: { selection: [s.index, ...selection.filter((x) => x !== s.index)].slice(0, 2) } });
      ctx.showTab('interpolate');
    }, { secondary: '' })));
  pane.append(neighboursView(ctx, s.index));
}

/** A decoded latent position. */
export function renderDecoded(pane: HTMLElement, ctx: PanelContext, latent: readonly number[], values: Float32Array): void {
  const model = ctx.state.model;
  if (!model) return;
  pane.textContent = '';
  pane.append(h('h3', {}, 'Decoded latent point'), h('div', { class: 'muted mono' }, codeText(latent)), sampleView({ info: model.info, plot: ctx.plot }, values, 'decoded'));
}
