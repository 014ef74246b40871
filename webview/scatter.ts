/**
 * A canvas scatter plot for up to millions of points, without WebGL: points are written straight into an ImageData
 * (one 32-bit store per pixel), so it works under the panel's strict CSP (Plotly's scattergl needs regl's runtime
 * code generation, i.e. `unsafe-eval`) and in GPU-less environments.
 *
 * Level of detail: above `lodThreshold` points, interaction frames (pan, zoom, rotate) draw a precomputed density
 * image (mean colour per bin, opacity ~ log count) scaled by the view transform, plus a fixed seeded sample of points;
 * the full point set is redrawn once the view is idle. 2D uses an orthographic pan/zoom view, 3D a rotating
 * orthographic camera (drag to rotate).
 */
import { createRng } from '../src/common/random';

export interface ScatterOptions {
  background: string;
  /** Points above which interaction uses density + sample (default 100k). */
  lodThreshold?: number;
  /** Points drawn while interacting above the threshold (default 60k). */
  lodSample?: number;
  /** Milliseconds without interaction before the full redraw (default 120). */
  idleMs?: number;
  onHover?: (index: number | undefined, clientX: number, clientY: number) => void;
  /** `index` is the clicked point, or undefined for empty space (then `data` is the 2D data position). */
  onClick?: (index: number | undefined, data: [number, number] | undefined, event: MouseEvent) => void;
}

export interface View2D { cx: number; cy: number; scale: number }

import { packRgba } from './colors';

export { packRgba, parseColor } from './colors';

/** The 2D context of a canvas (always available for a plain canvas element). */
function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  return ctx;
}

const DENSITY_BINS = 384;

export class ScatterView {
  readonly root: HTMLDivElement;
  private readonly densityCanvas: HTMLCanvasElement;
  private readonly pointCanvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private width = 1;
  private height = 1;
  private dpr = 1;
  private n = 0;
  private dims: 2 | 3 = 2;
  private coords = new Float32Array(0);
  private colors = new Uint32Array(0);
  private mask: Uint8Array | undefined;
  private emphasis: Uint8Array | undefined;
  private highlight: number[] = [];
  private hovered: number | undefined;
  private sample = new Int32Array(0);
  private density: HTMLCanvasElement | undefined;
  private densityBounds = { x0: 0, y0: 0, x1: 1, y1: 1 };
  private bounds = { x0: 0, x1: 1, y0: 0, y1: 1, z0: 0, z1: 1 };
  private view: View2D = { cx: 0, cy: 0, scale: 1 };
  private yaw = 0.6;
  private pitch = 0.35;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Screen positions of the last full draw, for hit testing (css pixels); NaN when not drawn. */
  private screenX = new Float32Array(0);
  private screenY = new Float32Array(0);
  private grid: { cell: number; cols: number; rows: number; start: Int32Array; items: Int32Array } | undefined;
  private drawnCount = 0;
  private image: ImageData | undefined;
  private imageBuf = new Uint32Array(0);
  private readonly resizeObserver: ResizeObserver;
  private readonly lodThreshold: number;
  private readonly lodSample: number;
  private readonly idleMs: number;

  constructor(container: HTMLElement, private readonly opts: ScatterOptions) {
    this.lodThreshold = opts.lodThreshold ?? 100_000;
    this.lodSample = opts.lodSample ?? 60_000;
    this.idleMs = opts.idleMs ?? 120;
    this.root = document.createElement('div');
    this.root.className = 'scatter';
    this.densityCanvas = document.createElement('canvas');
    this.pointCanvas = document.createElement('canvas');
    this.overlay = document.createElement('canvas');
    // Layout set via CSSOM (allowed by the CSP) so the canvases never feed back into the container's size.
    Object.assign(this.root.style, { position: 'absolute', inset: '0', overflow: 'hidden' });
    for (const c of [this.densityCanvas, this.pointCanvas, this.overlay]) {
      Object.assign(c.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%' });
      this.root.appendChild(c);
    }
    container.appendChild(this.root);
    this.resizeObserver = new ResizeObserver(() => { if (this.resize()) this.render(); });
    this.resizeObserver.observe(this.root);
    this.resize();
    this.attachInput();
  }

  /** Number of points drawn by the last render. */
  get drawn(): number { return this.drawnCount; }
  get pointTotal(): number { return this.n; }
  get is3d(): boolean { return this.dims === 3; }
  get currentView(): View2D { return { ...this.view }; }

  /** Sets positions (`n x dims`) and fits the view to them. Colours reset to grey until {@link setColors}. */
  setData(coords: Float32Array, dims: 2 | 3): void {
    this.coords = coords;
    this.dims = dims;
    this.n = Math.floor(coords.length / dims);
    if (this.colors.length !== this.n) this.colors = new Uint32Array(this.n).fill(packRgba(128, 128, 128));
    this.mask = undefined;
    this.emphasis = undefined;
    this.highlight = [];
    this.computeBounds();
    this.fit();
    const r = createRng(12345);
    const m = Math.min(this.n, this.lodSample);
    // Seeded partial Fisher-Yates: the first m of a random permutation.
    const perm = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) perm[i] = i;
    for (let i = 0; i < m; i++) { const j = i + Math.floor(r() * (this.n - i)); const t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
    this.sample = perm.slice(0, m);
    this.density = undefined;
  }

  setColors(colors: Uint32Array): void {
    this.colors = colors;
    this.density = undefined;
  }

  /** Only points with mask[i] = 1 are drawn (undefined: all). */
  setMask(mask: Uint8Array | undefined): void { this.mask = mask; this.density = undefined; }

  /** Points with emphasis[i] = 0 are drawn faded (undefined: none faded). */
  setEmphasis(emphasis: Uint8Array | undefined): void { this.emphasis = emphasis; this.density = undefined; }

  /** Indices drawn with a ring (selection). */
  setHighlight(indices: number[]): void { this.highlight = indices.filter((i) => i >= 0 && i < this.n); this.drawOverlay(); }

  fit(): void {
    const b = this.bounds;
    if (this.dims === 2) {
      const w = Math.max(b.x1 - b.x0, 1e-9);
      const h = Math.max(b.y1 - b.y0, 1e-9);
      this.view = { cx: (b.x0 + b.x1) / 2, cy: (b.y0 + b.y1) / 2, scale: 0.9 * Math.min(this.width / w, this.height / h) };
    } else {
      const r = Math.max(b.x1 - b.x0, b.y1 - b.y0, b.z1 - b.z0, 1e-9);
      this.view = { cx: 0, cy: 0, scale: (0.8 * Math.min(this.width, this.height)) / r };
    }
  }

  /** Programmatic relayout (also used by the benchmark): sets the view and draws an interaction frame. */
  relayout(view: Partial<View2D>, interactive = true): void {
    this.view = { ...this.view, ...view };
    this.render(interactive);
  }

  rotate(dYaw: number, dPitch: number, interactive = true): void {
    this.yaw += dYaw;
    this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dPitch));
    this.render(interactive);
  }

  /**
   * Draws the points. `interactive` frames above the LOD threshold draw density + sample and schedule a full
   * redraw when idle; otherwise every visible point is drawn.
   */
  render(interactive = false): void {
    const lod = interactive && this.n > this.lodThreshold;
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = undefined; }
    this.drawDensity(lod);
    this.drawPoints(lod ? this.sample : undefined);
    if (lod) this.idleTimer = setTimeout(() => { this.render(false); }, this.idleMs);
    this.drawOverlay();
  }

  /** Maps a 2D data position to css pixels. */
  dataToScreen(x: number, y: number): [number, number] {
    return [(x - this.view.cx) * this.view.scale + this.width / 2, this.height / 2 - (y - this.view.cy) * this.view.scale];
  }

  screenToData(px: number, py: number): [number, number] {
    return [(px - this.width / 2) / this.view.scale + this.view.cx, this.view.cy - (py - this.height / 2) / this.view.scale];
  }

  /** Css-pixel position of point i in the last full draw (undefined when hidden). */
  screenOf(i: number): [number, number] | undefined {
    const x = this.screenX[i], y = this.screenY[i];
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : undefined;
  }

  /** The nearest drawn point within `radius` css pixels of (px, py). */
  pick(px: number, py: number, radius = 6): number | undefined {
    const g = this.ensureGrid();
    const c0 = Math.max(0, Math.floor((px - radius) / g.cell));
    const c1 = Math.min(g.cols - 1, Math.floor((px + radius) / g.cell));
    const r0 = Math.max(0, Math.floor((py - radius) / g.cell));
    const r1 = Math.min(g.rows - 1, Math.floor((py + radius) / g.cell));
    let best: number | undefined;
    let bestD = radius * radius;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * g.cols + c;
        for (let k = g.start[cell]; k < g.start[cell + 1]; k++) {
          const i = g.items[k];
          const dx = this.screenX[i] - px;
          const dy = this.screenY[i] - py;
          const d = dx * dx + dy * dy;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  /** PNG of the current plot (density + points + overlay) on the theme background. */
  toPng(): string { return this.toCanvas().toDataURL('image/png'); }

  /** The current plot's layers composed on one canvas (device pixels) on the theme background. */
  toCanvas(): HTMLCanvasElement {
    const c = document.createElement('canvas');
    c.width = this.pointCanvas.width;
    c.height = this.pointCanvas.height;
    const ctx = context2d(c);
    ctx.fillStyle = this.opts.background;
    ctx.fillRect(0, 0, c.width, c.height);
    for (const layer of [this.densityCanvas, this.pointCanvas, this.overlay]) ctx.drawImage(layer, 0, 0);
    return c;
  }

  /** SVG of the drawn points (at most `maxPoints`, seeded sample beyond that) as circles. */
  toSvg(maxPoints = 50_000): string {
    const idx = this.n > maxPoints ? this.sample.subarray(0, maxPoints) : undefined;
    const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">`, `<rect width="100%" height="100%" fill="${this.opts.background}"/>`];
    const count = idx ? idx.length : this.n;
    for (let k = 0; k < count; k++) {
      const i = idx ? idx[k] : k;
      const x = this.screenX[i];
      const y = this.screenY[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const c = this.colors[i];
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="1.6" fill="rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})"/>`);
    }
    parts.push('</svg>');
    return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(parts.join(''));
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.root.remove();
  }

  // ------------------------------------------------------------------------------------------------------------

  private resize(): boolean {
    const rect = this.root.getBoundingClientRect();
    const w = Math.max(1, Math.floor(rect.width));
    const h = Math.max(1, Math.floor(rect.height));
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    if (w === this.width && h === this.height && dpr === this.dpr) return false;
    const refit = this.width <= 1;
    this.width = w;
    this.height = h;
    this.dpr = dpr;
    for (const c of [this.densityCanvas, this.pointCanvas, this.overlay]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    if (refit && this.n) this.fit();
    return true;
  }

  private computeBounds(): void {
    const d = this.dims;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < d; j++) {
        const v = this.coords[i * d + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    if (!this.n) { lo.fill(0); hi.fill(1); }
    if (d === 2) { lo[2] = 0; hi[2] = 0; }
    this.bounds = { x0: lo[0], x1: hi[0], y0: lo[1], y1: hi[1], z0: lo[2], z1: hi[2] };
  }

  /** Projects point i to css pixels; NaN when hidden. */
  private projector(): (i: number, out: Float32Array) => void {
    const { cx, cy, scale } = this.view;
    const w2 = this.width / 2;
    const h2 = this.height / 2;
    const c = this.coords;
    if (this.dims === 2) {
      return (i, out) => { out[0] = (c[2 * i] - cx) * scale + w2; out[1] = h2 - (c[2 * i + 1] - cy) * scale; };
    }
    const b = this.bounds;
    const mx = (b.x0 + b.x1) / 2, my = (b.y0 + b.y1) / 2, mz = (b.z0 + b.z1) / 2;
    const cyw = Math.cos(this.yaw), syw = Math.sin(this.yaw), cp = Math.cos(this.pitch), sp = Math.sin(this.pitch);
    return (i, out) => {
      const x = c[3 * i] - mx, y = c[3 * i + 1] - my, z = c[3 * i + 2] - mz;
      // yaw about the vertical (y) axis, then pitch about the screen x axis
      const x1 = cyw * x + syw * z;
      const z1 = -syw * x + cyw * z;
      const y1 = cp * y - sp * z1;
      out[0] = (x1 - cx) * scale + w2;
      out[1] = h2 - (y1 - cy) * scale;
    };
  }

  private drawPoints(subset: Int32Array | undefined): void {
    const W = this.pointCanvas.width;
    const H = this.pointCanvas.height;
    const ctx = context2d(this.pointCanvas);
    // One reusable ImageData per canvas size: allocating 4 bytes x pixels per frame starves the GC.
    if (!this.image || this.image.width !== W || this.image.height !== H) {
      this.image = ctx.createImageData(W, H);
      this.imageBuf = new Uint32Array(this.image.data.buffer);
    } else this.imageBuf.fill(0);
    const img = this.image;
    const buf = this.imageBuf;
    const full = subset === undefined;
    if (full && this.screenX.length !== this.n) { this.screenX = new Float32Array(this.n); this.screenY = new Float32Array(this.n); }
    const project = this.projector();
    const p = new Float32Array(2);
    const dpr = this.dpr;
    const count = subset ? subset.length : this.n;
    // point size: bigger when there are few points
    const size = Math.max(1, Math.round((this.n > 200_000 ? 1 : this.n > 20_000 ? 2 : this.n > 2000 ? 3 : 4) * dpr));
    const half = size >> 1;
    const mask = this.mask;
    const emph = this.emphasis;
    let drawn = 0;
    // Faded points first so emphasised ones land on top.
    for (let pass = emph ? 0 : 1; pass < 2; pass++) {
      for (let k = 0; k < count; k++) {
        const i = subset ? subset[k] : k;
        if (pass === 0 && emph?.[i]) continue;
        if (pass === 1 && emph && !emph[i]) continue;
        if (mask && !mask[i]) { if (full) { this.screenX[i] = NaN; this.screenY[i] = NaN; } continue; }
        project(i, p);
        if (full) { this.screenX[i] = p[0]; this.screenY[i] = p[1]; }
        const x0 = Math.round(p[0] * dpr) - half;
        const y0 = Math.round(p[1] * dpr) - half;
        if (x0 >= W || y0 >= H || x0 + size <= 0 || y0 + size <= 0) continue;
        let col = this.colors[i];
        if (pass === 0) col = (col & 0x00ffffff) | (0x38 << 24);
        for (let yy = Math.max(0, y0); yy < Math.min(H, y0 + size); yy++) {
          const row = yy * W;
          for (let xx = Math.max(0, x0); xx < Math.min(W, x0 + size); xx++) buf[row + xx] = col;
        }
        drawn++;
      }
    }
    ctx.putImageData(img, 0, 0);
    this.drawnCount = drawn;
    if (full) this.grid = undefined;
  }

  /** Builds (once per data/colour change) the density image, then draws it through the 2D view transform. */
  private drawDensity(show: boolean): void {
    const ctx = context2d(this.densityCanvas);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.densityCanvas.width, this.densityCanvas.height);
    if (!show || this.dims !== 2) return;
    if (!this.density) this.density = this.buildDensity();
    const b = this.densityBounds;
    const [sx0, sy0] = this.dataToScreen(b.x0, b.y1);
    const [sx1, sy1] = this.dataToScreen(b.x1, b.y0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.density, sx0 * this.dpr, sy0 * this.dpr, (sx1 - sx0) * this.dpr, (sy1 - sy0) * this.dpr);
  }

  /** Bins points on a DENSITY_BINS^2 grid over the data bounds: mean colour per bin, alpha ~ log(1+count). */
  private buildDensity(): HTMLCanvasElement {
    const B = DENSITY_BINS;
    const b = this.bounds;
    const pad = 1e-6 + 0.001 * Math.max(b.x1 - b.x0, b.y1 - b.y0);
    this.densityBounds = { x0: b.x0 - pad, x1: b.x1 + pad, y0: b.y0 - pad, y1: b.y1 + pad };
    const db = this.densityBounds;
    const count = new Uint32Array(B * B);
    const rs = new Float32Array(B * B), gs = new Float32Array(B * B), bs = new Float32Array(B * B);
    const fx = B / (db.x1 - db.x0), fy = B / (db.y1 - db.y0);
    for (let i = 0; i < this.n; i++) {
      if (this.mask && !this.mask[i]) continue;
      const gx = Math.floor((this.coords[2 * i] - db.x0) * fx);
      const gy = B - 1 - Math.floor((this.coords[2 * i + 1] - db.y0) * fy);
      const cell = gy * B + gx;
      const c = this.colors[i];
      count[cell]++;
      rs[cell] += c & 255; gs[cell] += (c >>> 8) & 255; bs[cell] += (c >>> 16) & 255;
    }
    let max = 1;
    for (let i = 0; i < count.length; i++) if (count[i] > max) max = count[i];
    const canvas = document.createElement('canvas');
    canvas.width = B;
    canvas.height = B;
    const ctx = context2d(canvas);
    const img = ctx.createImageData(B, B);
    const out = new Uint32Array(img.data.buffer);
    const logMax = Math.log1p(max);
    for (let i = 0; i < count.length; i++) {
      const c = count[i];
      if (!c) continue;
      const a = Math.round(60 + 195 * (Math.log1p(c) / logMax));
      out[i] = packRgba(rs[i] / c, gs[i] / c, bs[i] / c, a);
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  }

  private drawOverlay(): void {
    const ctx = context2d(this.overlay);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const ring = (i: number, color: string, r: number): void => {
      if (i >= this.screenX.length) return;
      const x = this.screenX[i], y = this.screenY[i];
      if (!Number.isFinite(x)) return;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = color;
      ctx.stroke();
    };
    const fg = getComputedStyle(document.body).getPropertyValue('--vscode-editor-foreground').trim() || '#ccc';
    const focus = getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim() || '#007fd4';
    this.highlight.forEach((i, k) => { ring(i, k === 0 ? focus : fg, 7); });
    if (this.hovered !== undefined) ring(this.hovered, fg, 5);
  }

  private ensureGrid(): NonNullable<ScatterView['grid']> {
    if (this.grid) return this.grid;
    const cell = 16;
    const cols = Math.ceil(this.width / cell) + 1, rows = Math.ceil(this.height / cell) + 1;
    const cellOf = new Int32Array(this.n).fill(-1);
    const start = new Int32Array(cols * rows + 1);
    for (let i = 0; i < this.n && i < this.screenX.length; i++) {
      const x = this.screenX[i], y = this.screenY[i];
      if (!(x >= 0 && y >= 0 && x < this.width && y < this.height)) continue;
      const c = Math.floor(y / cell) * cols + Math.floor(x / cell);
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
    const fill = start.slice(0, cols * rows);
    const items = new Int32Array(start[cols * rows]);
    for (let i = 0; i < this.n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.grid = { cell, cols, rows, start, items };
    return this.grid;
  }

  private attachInput(): void {
    const el = this.overlay;
    let drag: { x: number; y: number; moved: boolean } | undefined;
    el.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; el.setPointerCapture(e.pointerId); });
    el.addEventListener('pointermove', (e) => {
      const rect = el.getBoundingClientRect();
      if (drag) {
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (!drag.moved && Math.hypot(dx, dy) < 3) return;
        drag.moved = true;
        drag.x = e.clientX; drag.y = e.clientY;
        if (this.dims === 3 && !e.shiftKey) this.rotate(dx * 0.01, dy * 0.01);
        else this.relayout({ cx: this.view.cx - dx / this.view.scale, cy: this.view.cy + dy / this.view.scale });
        return;
      }
      const i = this.pick(e.clientX - rect.left, e.clientY - rect.top);
      if (i !== this.hovered) { this.hovered = i; this.drawOverlay(); }
      this.opts.onHover?.(i, e.clientX, e.clientY);
    });
    el.addEventListener('pointerup', (e) => {
      const wasDrag = drag?.moved;
      drag = undefined;
      if (wasDrag) return;
      const rect = el.getBoundingClientRect();
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      const i = this.pick(px, py);
      this.opts.onClick?.(i, i === undefined && this.dims === 2 ? this.screenToData(px, py) : undefined, e);
    });
    el.addEventListener('pointerleave', () => { if (this.hovered !== undefined) { this.hovered = undefined; this.drawOverlay(); } this.opts.onHover?.(undefined, 0, 0); });
    el.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = el.getBoundingClientRect();
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      const f = Math.exp(-e.deltaY * 0.0015);
      if (this.dims === 2) {
        const [dx, dy] = this.screenToData(px, py);
        const scale = this.view.scale * f;
        // keep the data point under the cursor fixed
        this.relayout({ scale, cx: dx - (px - this.width / 2) / scale, cy: dy + (py - this.height / 2) / scale });
      } else this.relayout({ scale: this.view.scale * f });
    }, { passive: false });
    el.addEventListener('dblclick', () => { this.fit(); this.render(); });
  }
}
