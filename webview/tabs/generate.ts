/**
 * The Generate tab: a latent grid over two dimensions, a traversal of one, or draws from the prior (VAE / CVAE),
 * around the mean code or the selected sample; the host's explorer computes and decodes the codes.
 */
import { MAX_GEN_COUNT, MAX_GEN_SPAN, MAX_GEN_STEPS, MAX_SEED, MIN_GEN_STEPS } from '../../src/shared/protocol';
import type { GenerateMode, PanelInfo } from '../../src/shared/protocol';
import type { PanelContext } from '../context';
import { button, h, numberInput, select } from '../dom';
import type { SelectOptions } from '../dom';
import type { RequestBody } from '../hostChannel';
import { decodedStrip } from '../sampleViews';
import type { GenerateForm } from '../state';
import { DEFAULT_GENERATE_FORM, conditionOf } from '../state';

/** An integer field's value clamped to lo..hi (`fallback` when not a number). */
export function clampInt(raw: string, lo: number, hi: number, fallback: number): number {
  const n = Math.round(Number(raw));
  return raw.trim() !== '' && Number.isFinite(n) ? Math.max(lo, Math.min(hi, n)) : fallback;
}

/** A span field's value in (0, MAX_GEN_SPAN] (`fallback` when not a positive number). */
export function clampSpan(raw: string, fallback: number): number {
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.min(MAX_GEN_SPAN, n) : fallback;
}

/** The modes a model offers: a grid needs two latent dimensions, prior draws a prior. */
export function modeOptions(info: PanelInfo): [GenerateMode, string][] {
  const modes: [GenerateMode, string][] = [];
  if (info.latentDim >= 2) modes.push(['grid', 'latent grid']);
  modes.push(['traversal', 'traverse one dimension']);
  if (info.hasPrior) modes.push(['prior', 'sample from prior N(0, I)']);
  return modes;
}

/** The form made valid for the model: an offered mode, dimensions in range, two distinct grid axes. */
export function normalizeForm(form: GenerateForm, info: PanelInfo): GenerateForm {
  const d = info.latentDim;
  let mode = form.mode;
  if (mode === 'prior' && !info.hasPrior) mode = 'grid';
  if (mode === 'grid' && d < 2) mode = 'traversal';
  const dimX = Math.min(form.dimX, d - 1);
  let dimY = Math.min(form.dimY, d - 1);
  if (dimX === dimY) dimY = dimX === 0 ? Math.min(1, d - 1) : 0;
  return { ...form, mode, dimX, dimY, dim: Math.min(form.dim, d - 1) };
}

/** The request the form asks for; `selected` is the selected sample (the base when the form says so). */
export function generateRequest(form: GenerateForm, selected: number | undefined, condition: { condition?: string }): RequestBody<'generate'> {
  const base = { ...(form.useSelection && selected !== undefined ? { base: selected } : {}), ...(form.stdUnits ? { unit: 'std' as const } : {}) };
  switch (form.mode) {
    case 'grid':
      return { type: 'generate', mode: 'grid', dimX: form.dimX, dimY: form.dimY, span: form.gridSpan, steps: form.gridSteps, ...base, ...condition };
    case 'traversal':
      return { type: 'generate', mode: 'traversal', dim: form.dim, span: form.span, steps: form.steps, ...base, ...condition };
    case 'prior':
      return { type: 'generate', mode: 'prior', count: form.count, seed: form.seed, ...condition };
  }
}

/** What a request generated, in words. */
export function generateCaption(r: RequestBody<'generate'>): string {
  switch (r.mode) {
    case 'grid':
      return `grid z${r.dimX} (x) × z${r.dimY} (y), ±${r.span}${r.unit === 'std' ? ' σ' : ''} around ${r.base !== undefined ? `#${r.base}` : 'mean'}, ${r.steps}×${r.steps}`;
    case 'traversal':
      return r.unit === 'std'
        ? `z${r.dim} from mean − ${r.span} σ to mean + ${r.span} σ (${r.steps} steps), base ${r.base !== undefined ? `#${r.base}` : 'mean'}`
        : `z${r.dim} from ${-r.span} to ${r.span} (${r.steps} steps), base ${r.base !== undefined ? `#${r.base}` : 'mean'}`;
    case 'prior':
      return `${r.count} samples from N(0, I), seed ${r.seed}${r.condition !== undefined ? `, class ${r.condition}` : ''}`;
  }
}

function run(pane: HTMLElement, ctx: PanelContext): void {
  const state = ctx.state;
  const model = state.model;
  if (!model) return;
  const request = generateRequest(state.generate, state.ui.selection.at(0), conditionOf(state));
  ctx.channel.request(request, 'generate').then((m) => {
    pane.querySelector('.strip')?.remove();
    pane.append(decodedStrip({ info: model.info, plot: ctx.plot }, m.decoded, m.rows, m.cols, generateCaption(request), { id: 'gen-strip', 'data-mode': m.mode, 'data-count': String(m.rows * m.cols) }));
  }, (e: unknown) => { ctx.reportError(e); });
}

/** The controls (the last result stays below them); re-drawn when a choice changes what is offered. */
export function renderGenerateControls(pane: HTMLElement, ctx: PanelContext): void {
  let controls = pane.querySelector('.controls');
  if (!controls) { controls = h('div', { class: 'controls' }); pane.prepend(controls); }
  controls.textContent = '';
  const model = ctx.state.model;
  if (!model) return;
  const form = normalizeForm(ctx.state.generate, model.info);
  if (JSON.stringify(form) !== JSON.stringify(ctx.state.generate)) ctx.dispatch({ type: 'generateForm', patch: form });
  const set = (patch: Partial<GenerateForm>, redraw = false): void => {
    ctx.dispatch({ type: 'generateForm', patch });
    if (redraw) renderGenerateControls(pane, ctx);
  };
  const row = (...children: (Node | string)[]): HTMLElement => h('div', { class: 'row' }, ...children);
  const field = (id: string, value: number, attrs: Record<string, string>, parse: (v: string) => Partial<GenerateForm>): HTMLInputElement => numberInput(id, value, attrs, (v) => { set(parse(v), true); });
  controls.append(row(select(modeOptions(model.info), form.mode, (v) => { set({ mode: modeOptions(model.info).find(([m]) => m === v)?.[0] ?? form.mode }, true); }, 'gen-mode')));
  const classes = model.info.conditionClasses;
  if (classes?.length) controls.append(row(h('label', {}, 'condition ', select(classes.map((c) => [c, c]), form.condition ?? classes[0], (v) => { set({ condition: v }); }, 'gen-condition'))));
  const dimOpts: SelectOptions = Array.from({ length: model.info.latentDim }, (_, i) => [String(i), `z${i}`]);
  const selected = ctx.state.ui.selection.at(0);
  const baseRow = (): HTMLElement => {
    const opts: [string, string][] = [['mean', 'base: latent mean']];
    if (selected !== undefined) opts.push(['sel', `base: sample #${selected}`]);
    const units = select([['std', 'span in σ of each dim'], ['raw', 'span in latent units']], form.stdUnits ? 'std' : 'raw', (v) => { set({ stdUnits: v === 'std' }); }, 'gen-unit');
    return row(select(opts, form.useSelection && selected !== undefined ? 'sel' : 'mean', (v) => { set({ useSelection: v === 'sel' }); }, 'gen-base'), units);
  };
  const steps = { min: String(MIN_GEN_STEPS), max: String(MAX_GEN_STEPS) };
  const span = { min: '0.1', max: String(MAX_GEN_SPAN), step: '0.5' };
  const d = DEFAULT_GENERATE_FORM;
  switch (form.mode) {
    case 'grid':
      controls.append(row(
        h('label', {}, 'x ', select(dimOpts, String(form.dimX), (v) => { set({ dimX: Number(v) }, true); }, 'gen-dimx')),
        h('label', {}, 'y ', select(dimOpts, String(form.dimY), (v) => { set({ dimY: Number(v) }, true); }, 'gen-dimy')),
        h('label', {}, 'span ± ', field('gen-span', form.gridSpan, span, (v) => ({ gridSpan: clampSpan(v, d.gridSpan) }))),
        h('label', {}, 'steps ', field('gen-steps', form.gridSteps, steps, (v) => ({ gridSteps: clampInt(v, MIN_GEN_STEPS, MAX_GEN_STEPS, d.gridSteps) })))), baseRow());
      break;
    case 'traversal':
      controls.append(row(
        h('label', {}, 'dim ', select(dimOpts, String(form.dim), (v) => { set({ dim: Number(v) }); }, 'gen-dim')),
        h('label', {}, 'range ± ', field('gen-span', form.span, span, (v) => ({ span: clampSpan(v, d.span) }))),
        h('label', {}, 'steps ', field('gen-steps', form.steps, steps, (v) => ({ steps: clampInt(v, MIN_GEN_STEPS, MAX_GEN_STEPS, d.steps) })))), baseRow());
      break;
    case 'prior':
      controls.append(row(
        h('label', {}, 'count ', field('gen-count', form.count, { min: '1', max: String(MAX_GEN_COUNT) }, (v) => ({ count: clampInt(v, 1, MAX_GEN_COUNT, d.count) }))),
        h('label', {}, 'seed ', field('gen-seed', form.seed, { min: '0' }, (v) => ({ seed: clampInt(v, 0, MAX_SEED, d.seed) })))));
      break;
  }
  controls.append(row(button('Generate', () => { run(pane, ctx); }, { id: 'gen-run' })));
}
