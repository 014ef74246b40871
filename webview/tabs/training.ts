/** The Training tab: the current run's progress line and the loss curves per epoch (stages of stacked models marked). */
import type * as Plotly from 'plotly.js-dist-min';
import type { EpochRecord } from '../../src/shared/protocol';
import type { PanelContext } from '../context';
import { h } from '../dom';
import type { PanelState } from '../state';
import { palette, readTheme } from '../theme';

/** "training (stage): epoch 3/20, batch 5/40, loss 0.0123, 812 samples/s", or the status and the final loss. */
export function trainingInfo(state: PanelState): string {
  const p = state.progress;
  const { history } = state;
  if (state.training === 'training' && p) {
    return `training${p.stage ? ` (${p.stage})` : ''}: epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}, loss ${p.loss.toPrecision(4)}, ${Math.round(p.samplesPerSec)} samples/s`;
  }
  const last = history.at(-1);
  return `${state.training}${last ? ` · ${history.length} epochs, final loss ${last.loss.toPrecision(4)}` : ''}`;
}

/** The status line while training: with a model, its description plus the epoch; without, epoch and loss. */
export function trainingStatusLine(progress: { epoch: number; epochs: number; loss: number }, described: string | undefined): string {
  return described !== undefined
    ? `${described} · training epoch ${progress.epoch}/${progress.epochs}…`
    : `Training: epoch ${progress.epoch}/${progress.epochs}, loss ${progress.loss.toPrecision(4)}`;
}

export interface LossChart {
  traces: Partial<Plotly.PlotData>[];
  /** One dotted line and label where each training stage starts. */
  stages: { epoch: number; name: string }[];
}

/** Loss, validation loss and (when there are several) the named loss parts per epoch. */
export function lossChart(history: readonly EpochRecord[], colors: { accent: string; palette: readonly string[] }): LossChart {
  const ep = history.map((r) => r.epoch);
  const traces: Partial<Plotly.PlotData>[] = [{ x: ep, y: history.map((r) => r.loss), name: 'loss', mode: 'lines+markers', line: { color: colors.accent } }];
  if (history.some((r) => r.valLoss !== undefined)) traces.push({ x: ep, y: history.map((r) => r.valLoss ?? null), name: 'val loss', mode: 'lines+markers', line: { color: colors.palette[1] } });
  const parts = [...new Set(history.flatMap((r) => Object.keys(r.parts)))].filter((k) => k !== 'total');
  if (parts.length > 1) parts.forEach((k, j) => traces.push({ x: ep, y: history.map((r) => r.parts[k] ?? null), name: k, mode: 'lines', line: { dash: 'dot', color: colors.palette[(2 + j) % colors.palette.length] } }));
  const stages = history.flatMap((r, i) => (r.stage && (i === 0 || history[i - 1].stage !== r.stage) ? [{ epoch: r.epoch, name: r.stage }] : []));
  return { traces, stages };
}

/**
 * While training, the loss chart is redrawn at most this often: each redraw is a Plotly.react of the whole curve,
 * and on small data epochs end several times a second, so redrawing each one takes CPU from the training.
 */
export const LOSS_CHART_INTERVAL_MS = 1000;

/** The curve a chart last drew and when. */
export interface ChartMark {
  history: readonly EpochRecord[];
  at: number;
}

/**
 * Whether to redraw the loss chart now: not when it already shows this history (progress between epochs leaves the
 * history array as it is), later (after the returned milliseconds) when training and drawn less than
 * LOSS_CHART_INTERVAL_MS ago, else now.
 */
export function chartDue(mark: ChartMark | undefined, history: readonly EpochRecord[], training: boolean, now: number): 'now' | 'skip' | number {
  if (!mark) return 'now';
  if (mark.history === history) return 'skip';
  const wait = mark.at + LOSS_CHART_INTERVAL_MS - now;
  return training && wait > 0 ? wait : 'now';
}

const drawn = new WeakMap<HTMLElement, ChartMark & { timer?: ReturnType<typeof setTimeout> }>();

/** Updates the tab in place (the chart only while the tab is visible, and while training at most once a second). */
export function renderTraining(pane: HTMLElement, ctx: PanelContext): void {
  let div = pane.querySelector<HTMLDivElement>('#loss-plot');
  let info = pane.querySelector<HTMLDivElement>('.train-info');
  if (!div || !info) {
    pane.textContent = '';
    info = h('div', { class: 'train-info muted' });
    div = h('div', { id: 'loss-plot', class: 'loss' });
    pane.append(info, div);
  }
  const state = ctx.state;
  info.textContent = trainingInfo(state);
  if (pane.hidden) return;
  const mark = drawn.get(div);
  const due = chartDue(mark, state.history, state.training === 'training', performance.now());
  if (due === 'skip') return;
  if (typeof due === 'number') {
    if (mark && mark.timer === undefined) {
      mark.timer = setTimeout(() => {
        mark.timer = undefined;
        renderTraining(pane, ctx);
      }, due);
    }
    return;
  }
  if (mark?.timer !== undefined) clearTimeout(mark.timer);
  drawn.set(div, { history: state.history, at: performance.now() });
  const t = readTheme();
  const chart = lossChart(state.history, { accent: t.accent, palette: palette() });
  const shapes: Partial<Plotly.Shape>[] = chart.stages.map((s) => ({ type: 'line', x0: s.epoch - 0.5, x1: s.epoch - 0.5, yref: 'paper', y0: 0, y1: 1, line: { color: t.grid, dash: 'dot', width: 1 } }));
  const annotations: Partial<Plotly.Annotations>[] = chart.stages.map((s) => ({ x: s.epoch - 0.5, xanchor: 'left', yref: 'paper', y: 1, yanchor: 'top', text: s.name, showarrow: false, font: { size: 9, color: t.fg } }));
  ctx.plot.update(div, chart.traces, {
    shapes, annotations, height: 260, showlegend: true, legend: { orientation: 'h', y: -0.25 }, xaxis: { title: { text: 'epoch' }, gridcolor: t.grid },
    yaxis: { type: 'log', gridcolor: t.grid }, title: { text: 'loss per epoch', font: { size: 11 } },
  });
}
