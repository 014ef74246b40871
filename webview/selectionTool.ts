/**
 * Box and lasso selection over the scatter: three small mode buttons in the plot's corner (pan, box, lasso). In a
 * select mode a drag draws the region on its own canvas and, on release, hands the polygon (css pixels relative to
 * the plot) to `onSelect`; the pointer events are taken in the capture phase, so the scatter does not pan meanwhile.
 * Holding Alt while dragging selects once without switching mode (box; Alt+Shift: lasso).
 */
import { h } from './dom';
import type { Polygon } from './selection';
import { boxPolygon } from './selection';

export type SelectMode = 'pan' | 'box' | 'lasso';

const MODE_LABELS: Record<SelectMode, [string, string]> = {
  pan: ['✥', 'Pan and zoom'],
  box: ['▭', 'Box select (or Alt+drag)'],
  lasso: ['◌', 'Lasso select (or Alt+Shift+drag)'],
};

export class SelectionTool {
  private mode: SelectMode = 'pan';
  private readonly canvas: HTMLCanvasElement;
  private readonly buttons = new Map<SelectMode, HTMLButtonElement>();
  private path: [number, number][] = [];
  private dragMode: SelectMode | undefined;

  constructor(private readonly wrap: HTMLElement, private readonly onSelect: (poly: Polygon) => void) {
    this.canvas = h('canvas', { class: 'select-overlay' });
    Object.assign(this.canvas.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%', pointerEvents: 'none', zIndex: '2' });
    const bar = h('div', { class: 'select-modes', role: 'toolbar', 'aria-label': 'selection mode' });
    Object.assign(bar.style, { position: 'absolute', right: '6px', top: '6px', zIndex: '3', display: 'flex', gap: '2px' });
    for (const m of ['pan', 'box', 'lasso'] as const) {
      const [icon, title] = MODE_LABELS[m];
      const b = h('button', { class: 'select-mode', id: `select-${m}`, title, 'aria-pressed': String(m === 'pan') }, icon);
      b.addEventListener('click', () => { this.setMode(m); });
      this.buttons.set(m, b);
      bar.append(b);
    }
    wrap.append(this.canvas, bar);
    wrap.addEventListener('pointerdown', (e) => { this.down(e); }, { capture: true });
    wrap.addEventListener('pointermove', (e) => { this.move(e); }, { capture: true });
    wrap.addEventListener('pointerup', (e) => { this.up(e); }, { capture: true });
  }

  get currentMode(): SelectMode { return this.mode; }

  setMode(m: SelectMode): void {
    this.mode = m;
    for (const [k, b] of this.buttons) b.setAttribute('aria-pressed', String(k === m));
    this.wrap.dataset.selectMode = m;
  }

  private local(e: PointerEvent): [number, number] {
    const r = this.wrap.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0 || (e.target instanceof HTMLElement && e.target.closest('.select-modes'))) return;
    const m: SelectMode = e.altKey ? (e.shiftKey ? 'lasso' : 'box') : this.mode;
    if (m === 'pan') return;
    e.stopPropagation();
    e.preventDefault();
    this.dragMode = m;
    this.path = [this.local(e)];
    this.wrap.setPointerCapture(e.pointerId);
  }

  private move(e: PointerEvent): void {
    if (!this.dragMode) return;
    e.stopPropagation();
    const p = this.local(e);
    if (this.dragMode === 'box') this.path = [this.path[0], p];
    else this.path.push(p);
    this.draw();
  }

  private up(e: PointerEvent): void {
    if (!this.dragMode) return;
    e.stopPropagation();
    const poly = this.dragMode === 'box' && this.path.length === 2 ? boxPolygon(this.path[0], this.path[1]) : this.path;
    this.dragMode = undefined;
    this.path = [];
    this.draw();
    if (poly.length >= 3) this.onSelect(poly);
  }

  private draw(): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth, hgt = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(hgt * dpr); }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const pts = this.dragMode === 'box' && this.path.length === 2 ? boxPolygon(this.path[0], this.path[1]) : this.path;
    if (pts.length < 2) return;
    ctx.beginPath();
    ctx.moveTo(pts[0][0], pts[0][1]);
    for (const [x, y] of pts.slice(1)) ctx.lineTo(x, y);
    ctx.closePath();
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim() || '#007fd4';
    ctx.stroke();
  }
}
