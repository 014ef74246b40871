/**
 * Terminal progress for training. On a TTY one line is redrawn in place (bar, epoch, batch, loss, val loss,
 * samples/s), at most every `intervalMs`; otherwise (pipes, CI logs) one plain line per epoch.
 */
import type { TrainProgress } from '../core/training/types';

/** The part of a stream the bar needs (process.stdout or a test double). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4);
}

/** One-line summary of a progress event (without the bar). */
export function formatProgress(p: TrainProgress): string {
  const parts = Object.entries(p.parts);
  const partText = parts.length > 1 ? ` (${parts.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})` : '';
  const stage = p.stage ? `${p.stage} ` : '';
  const val = p.valLoss !== undefined ? ` val ${fmt(p.valLoss)}` : '';
  return `${stage}epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} loss ${fmt(p.loss)}${partText}${val} ${Math.round(p.samplesPerSec)} samples/s`;
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private lastVal: number | undefined;

  constructor(
    private readonly stream: ProgressStream,
    private readonly intervalMs = 100,
    private readonly tty = stream.isTTY === true,
  ) {}

  update(p: TrainProgress): void {
    if (p.valLoss !== undefined) this.lastVal = p.valLoss;
    if (!this.tty) {
      if (p.phase === 'epoch') this.stream.write(formatProgress(p) + '\n');
      return;
    }
    const now = Date.now();
    if (p.phase === 'batch' && now - this.lastDraw < this.intervalMs && p.batch !== p.batches) return;
    this.lastDraw = now;
    const shown = p.valLoss === undefined && this.lastVal !== undefined ? { ...p, valLoss: this.lastVal } : p;
    const text = formatProgress(shown);
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 100) - text.length - 4));
    const done = ((p.epoch - 1) + p.batch / p.batches) / p.epochs;
    const filled = Math.round(done * width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
    this.drawn = true;
    if (p.phase === 'epoch') {
      // Keep a permanent line per epoch so the history stays visible.
      this.stream.write('\n');
      this.drawn = false;
    }
  }

  /** Ends the in-place line, if one is drawn. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
