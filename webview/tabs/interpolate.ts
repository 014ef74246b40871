/** The Interpolate tab: endpoints A and B (click, shift-click), path mode and length, and the decoded path. */
import { MAX_STEPS, MIN_STEPS } from '../../src/shared/protocol';
import type { InterpolationMode, UiState } from '../../src/shared/protocol';
import type { PanelContext } from '../context';
import { button, h, select } from '../dom';
import type { RequestBody } from '../hostChannel';
import { decodedStrip } from '../sampleViews';

/** Longest path the steps field offers (the protocol allows up to MAX_STEPS). */
export const STEPS_FIELD_MAX = Math.min(32, MAX_STEPS);

/** A steps field's value as a path length in MIN_STEPS..STEPS_FIELD_MAX (8 when not a number). */
export function clampSteps(raw: string): number {
  return Math.max(MIN_STEPS, Math.min(STEPS_FIELD_MAX, Math.round(Number(raw)) || 8));
}

/** The request for the selected endpoints, or undefined until both A and B are chosen. */
export function interpolationRequest(ui: UiState): RequestBody<'interpolate'> | undefined {
  if (ui.selection.length < 2) return undefined;
  const [a, b] = ui.selection;
  return { type: 'interpolate', a, b, steps: ui.interpolationSteps, mode: ui.interpolationMode };
}

export const endpointsText = (selection: readonly number[]): string => {
  const at = (i: number): string => (i < selection.length ? `#${selection[i]}` : '—');
  return `A: ${at(0)}   B: ${at(1)}`;
};

export const pathCaption = (a: number, b: number, mode: InterpolationMode, steps: number): string => `#${a} → #${b}, ${mode}, ${steps} steps`;

function run(pane: HTMLElement, ctx: PanelContext): void {
  const request = interpolationRequest(ctx.state.ui);
  const model = ctx.state.model;
  if (!request || !model) return;
  ctx.channel.request(request, 'interpolate').then((m) => {
    pane.querySelector('.strip')?.remove();
    pane.append(decodedStrip({ info: model.info, plot: ctx.plot }, m.decoded, 1, m.steps, pathCaption(m.a, m.b, m.mode, m.steps), { id: 'interp-strip', 'data-steps': String(m.steps) }));
  }, (e: unknown) => { ctx.reportError(e); });
}

/** The controls (the last path stays below them). */
export function renderInterpolateControls(pane: HTMLElement, ctx: PanelContext): void {
  let controls = pane.querySelector('.controls');
  if (!controls) { controls = h('div', { class: 'controls' }); pane.prepend(controls); }
  controls.textContent = '';
  const { ui } = ctx.state;
  controls.append(h('div', { class: 'muted' }, 'Click a point for A, shift-click another for B.'), h('div', {}, endpointsText(ui.selection)));
  const mode = select([['linear', 'linear'], ['spherical', 'spherical (slerp)']], ui.interpolationMode, (v) => {
    ctx.dispatch({ type: 'ui', patch: { interpolationMode: v === 'spherical' ? 'spherical' : 'linear' } });
  }, 'interp-mode');
  const steps = h('input', { type: 'number', min: String(MIN_STEPS), max: String(STEPS_FIELD_MAX), value: String(ui.interpolationSteps), id: 'interp-steps' });
  steps.addEventListener('change', () => { ctx.dispatch({ type: 'ui', patch: { interpolationSteps: clampSteps(steps.value) } }); });
  const go = button('Interpolate', () => { run(pane, ctx); }, { id: 'interp-run' });
  if (!interpolationRequest(ui)) go.setAttribute('disabled', '');
  controls.append(h('div', { class: 'row' }, mode, h('label', {}, 'steps ', steps), go));
}
