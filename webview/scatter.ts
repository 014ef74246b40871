/**
 * A canvas scatter plot for up to millions of points, without WebGL: points are written straight into an ImageData
 * (one 32-bit store per pixel), so it works under the panel's strict CSP (Plotly's scattergl needs regl's runtime
 * code generation, i.e. `unsafe-eval`) and in GPU-less environments.
 *
 * Level of detail: above `lodThreshold` points, interaction frames (pan, zoom, rotate) draw a precomputed density
 * image (./scatter/density.ts) scaled by the view transform, plus a fixed seeded sample of points; the full point set
 * is redrawn once the view is idle. 2D uses an orthographic pan/zoom view, 3D a rotating orthographic camera (drag
 * to rotate; ./scatter/geometry.ts, ./scatter/input.ts).
 */
import { createRng } from '../src/common/random';
import { packRgba } from './colors';
import { densityImage } from './scatter/density';
import type { DensityImage } from './scatter/density';
import { computeBounds, containsBounds, dataToScreen, fitView, projector, screenToData, unionBounds } from './scatter/geometry';
import type { Bounds, Camera, View2D } from './scatter/geometry';
import { attachScatterInput } from './scatter/input';
import { buildScreenGrid, pickNearest } from './scatter/screenGrid';
import type { ScreenGrid } from './scatter/screenGrid';
import { pointsSvg } from './scatter/svg';
import { rasterPoints } from './scatter/raster';
import { THUMBNAIL_MAX_VISIBLE, THUMBNAIL_SIZE, drawThumbnails, visiblePoints } from './scatter/thumbnails';
import type { ThumbnailSource } from './scatter/thumbnails';
import { drawMarkers, pickMarker, projectMarkers } from './scatter/markers';
import type { Markers } from './scatter/markers';

export type { View2D } from './scatter/geometry';
export type { ThumbnailSource } from './scatter/thumbnails';
export type { Markers } from './scatter/markers';
export { packRgba, parseColor } from './colors';

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
  /** A marker (see {@link ScatterView.setMarkers}) hovered (undefined: none any more) or clicked. */
  onMarker?: (index: number | undefined, clientX: number, clientY: number, clicked: boolean) => void;
}

/** The 2D context of a canvas (always available for a plain canvas element). */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  return ctx;
}

export class ScatterView {
  readonly root: HTMLDivElement;
  private readonly densityCanvas: HTMLCanvasElement;
  private readonly pointCanvas: HTMLCanvasElement;
  private readonly thumbCanvas: HTMLCanvasElement;
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
  private density: { image: DensityImage; canvas: HTMLCanvasElement } | undefined;
  private bounds: Bounds = { x0: 0, x1: 1, y0: 0, y1: 1, z0: 0, z1: 1 };
  private view: View2D = { cx: 0, cy: 0, scale: 1 };
  private yaw = 0.6;
  private pitch = 0.35;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Screen positions of the last full draw, for hit testing (css pixels); NaN when not drawn. */
  private screenX = new Float32Array(0);
  private screenY = new Float32Array(0);
  private grid: ScreenGrid | undefined;
  private drawnCount = 0;
  private thumbs: ThumbnailSource | undefined;
  private thumbCount = 0;
  private markers: Markers | undefined;
  /** Css-pixel positions of the markers in the last frame. */
  private markerXY = { x: new Float32Array(0), y: new Float32Array(0) };
  private hoveredMarker: number | undefined;
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
    this.thumbCanvas = document.createElement('canvas');
    this.overlay = document.createElement('canvas');
    // Layout set via CSSOM (allowed by the CSP) so the canvases never feed back into the container's size.
    Object.assign(this.root.style, { position: 'absolute', inset: '0', overflow: 'hidden' });
    for (const c of [this.densityCanvas, this.pointCanvas, this.thumbCanvas, this.overlay]) {
      Object.assign(c.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%' });
      this.root.appendChild(c);
    }
    container.appendChild(this.root);
    this.resizeObserver = new ResizeObserver(() => { if (this.resize()) this.render(); });
    this.resizeObserver.observe(this.root);
    this.resize();
    attachScatterInput(this.overlay, this.inputTarget());
  }

  /** Number of points drawn by the last render. */
  get drawn(): number { return this.drawnCount; }
  get pointTotal(): number { return this.n; }
  /** Thumbnails drawn by the last render (0 when zoomed out or without a thumbnail source). */
  get thumbnailsDrawn(): number { return this.thumbCount; }
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
    // Markers live in the coordinates of the view they were placed in: a new view drops them.
    this.markers = undefined;
    this.hoveredMarker = undefined;
    this.bounds = computeBounds(coords, this.n, dims);
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

  /**
   * Image samples: where thumbnails come from (undefined: none, e.g. tables and live frames). Drawn once at most
   * THUMBNAIL_MAX_VISIBLE points are on screen.
   */
  setThumbnails(source: ThumbnailSource | undefined): void { this.thumbs = source; }

  /** Redraws the thumbnails and markers alone (new images arrived, markers changed). */
  redrawThumbnails(): void { this.drawDecorLayer(false); }

  /** Extra points drawn as hollow triangles over the points, in the same view coordinates (undefined: none). */
  setMarkers(markers: Markers | undefined): void {
    this.markers = markers;
    this.hoveredMarker = undefined;
    // Markers beyond the points (scored outliers are what one looks for): the view widens to show them.
    const mb = this.markerBounds();
    if (mb && !containsBounds(this.bounds, mb)) {
      this.fit();
      this.render();
    } else this.drawDecorLayer(false);
  }

  /** Indices drawn with a ring (selection). */
  setHighlight(indices: number[]): void { this.highlight = indices.filter((i) => i >= 0 && i < this.n); this.drawOverlay(); }

  /** Fits the view to the points and the markers. */
  fit(): void {
    const m = this.markerBounds();
    this.view = fitView(m ? unionBounds(this.bounds, m) : this.bounds, this.dims, this.width, this.height);
  }

  /** Bounds of the markers (undefined: none). */
  private markerBounds(): Bounds | undefined {
    const count = this.markers ? Math.floor(this.markers.coords.length / this.dims) : 0;
    return this.markers && count > 0 ? computeBounds(this.markers.coords, count, this.dims) : undefined;
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
    this.drawDecorLayer(lod);
    if (lod) this.idleTimer = setTimeout(() => { this.render(false); }, this.idleMs);
    this.drawOverlay();
  }

  /** Maps a 2D data position to css pixels. */
  dataToScreen(x: number, y: number): [number, number] {
    return dataToScreen(this.camera(), x, y);
  }

  screenToData(px: number, py: number): [number, number] {
    return screenToData(this.camera(), px, py);
  }

  /** Css-pixel position of point i in the last full draw (undefined when hidden). */
  screenOf(i: number): [number, number] | undefined {
    const x = this.screenX[i], y = this.screenY[i];
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : undefined;
  }

  /** The nearest drawn point within `radius` css pixels of (px, py). */
  pick(px: number, py: number, radius = 6): number | undefined {
    this.grid ??= buildScreenGrid(this.screenX, this.screenY, this.n, this.width, this.height);
    return pickNearest(this.grid, this.screenX, this.screenY, px, py, radius);
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
    for (const layer of [this.densityCanvas, this.pointCanvas, this.thumbCanvas, this.overlay]) ctx.drawImage(layer, 0, 0);
    return c;
  }

  /** SVG of the drawn points (at most `maxPoints`, seeded sample beyond that) as circles. */
  toSvg(maxPoints = 50_000): string {
    return pointsSvg({
      width: this.width, height: this.height, background: this.opts.background, screenX: this.screenX, screenY: this.screenY, colors: this.colors, n: this.n,
      ...(this.n > maxPoints ? { subset: this.sample.subarray(0, maxPoints) } : {}),
    });
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.root.remove();
  }

  // ------------------------------------------------------------------------------------------------------------

  private camera(): Camera {
    return { view: this.view, width: this.width, height: this.height, yaw: this.yaw, pitch: this.pitch };
  }

  private inputTarget(): Parameters<typeof attachScatterInput>[1] {
    return {
      is3d: () => this.is3d,
      size: () => ({ width: this.width, height: this.height }),
      view: () => this.currentView,
      relayout: (view) => { this.relayout(view); },
      rotate: (dYaw, dPitch) => { this.rotate(dYaw, dPitch); },
      // Hits are point indices, and n + j for marker j (markers are picked when no point is near).
      pick: (px, py) => {
        const i = this.pick(px, py);
        if (i !== undefined || !this.markers) return i;
        const j = pickMarker(this.markerXY.x, this.markerXY.y, px, py, 7);
        return j === undefined ? undefined : this.n + j;
      },
      screenToData: (px, py) => this.screenToData(px, py),
      setHovered: (i) => {
        this.hovered = i !== undefined && i < this.n ? i : undefined;
        this.hoveredMarker = i !== undefined && i >= this.n ? i - this.n : undefined;
        this.drawOverlay();
      },
      fitAndRender: () => { this.fit(); this.render(); },
      onHover: (i, x, y) => {
        if (i !== undefined && i >= this.n) { this.opts.onHover?.(undefined, x, y); this.opts.onMarker?.(i - this.n, x, y, false); return; }
        this.opts.onMarker?.(undefined, x, y, false);
        this.opts.onHover?.(i, x, y);
      },
      onClick: (i, data, e) => {
        if (i !== undefined && i >= this.n) this.opts.onMarker?.(i - this.n, e.clientX, e.clientY, true);
        else this.opts.onClick?.(i, data, e);
      },
    };
  }

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
    for (const c of [this.densityCanvas, this.pointCanvas, this.thumbCanvas, this.overlay]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    if (refit && this.n) this.fit();
    return true;
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
    const full = subset === undefined;
    if (full && this.screenX.length !== this.n) { this.screenX = new Float32Array(this.n); this.screenY = new Float32Array(this.n); }
    this.drawnCount = rasterPoints({
      buf: this.imageBuf, width: W, height: H, dpr: this.dpr, coords: this.coords, project: projector(this.dims, this.bounds, this.camera()), n: this.n,
      colors: this.colors, screenX: this.screenX, screenY: this.screenY,
      ...(subset ? { subset } : {}), ...(this.mask ? { mask: this.mask } : {}), ...(this.emphasis ? { emphasis: this.emphasis } : {}),
    });
    ctx.putImageData(this.image, 0, 0);
    if (full) this.grid = undefined;
  }

  /** Builds (once per data/colour change) the density image, then draws it through the 2D view transform. */
  private drawDensity(show: boolean): void {
    const ctx = context2d(this.densityCanvas);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.densityCanvas.width, this.densityCanvas.height);
    if (!show || this.dims !== 2) return;
    if (!this.density) {
      const image = densityImage(this.coords, this.n, this.colors, this.mask, this.bounds);
      const canvas = document.createElement('canvas');
      canvas.width = image.bins;
      canvas.height = image.bins;
      const dctx = context2d(canvas);
      const img = dctx.createImageData(image.bins, image.bins);
      new Uint32Array(img.data.buffer).set(image.pixels);
      dctx.putImageData(img, 0, 0);
      this.density = { image, canvas };
    }
    const b = this.density.image.bounds;
    const [sx0, sy0] = this.dataToScreen(b.x0, b.y1);
    const [sx1, sy1] = this.dataToScreen(b.x1, b.y0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.density.canvas, sx0 * this.dpr, sy0 * this.dpr, (sx1 - sx0) * this.dpr, (sy1 - sy0) * this.dpr);
  }

  /**
   * The layer over the points: thumbnails of the points of the last full draw (none in level-of-detail frames, whose
   * positions are stale), then the markers.
   */
  private drawDecorLayer(lod: boolean): void {
    const ctx = context2d(this.thumbCanvas);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const visible = this.thumbs && !lod ? visiblePoints(this.screenX, this.screenY, this.n, this.width, this.height, THUMBNAIL_MAX_VISIBLE, THUMBNAIL_SIZE / 2) : undefined;
    this.thumbCount = this.thumbs && visible ? drawThumbnails(ctx, { visible, screenX: this.screenX, screenY: this.screenY, colors: this.colors, emphasis: this.emphasis, source: this.thumbs }) : 0;
    this.markerXY = this.markers ? projectMarkers(this.markers, projector(this.dims, this.bounds, this.camera()), this.dims) : { x: new Float32Array(0), y: new Float32Array(0) };
    if (this.markers) drawMarkers(ctx, this.markers, this.markerXY.x, this.markerXY.y);
    // Says on the page how many are drawn, for anyone inspecting it.
    this.root.dataset.thumbnails = String(this.thumbCount);
    this.root.dataset.markers = String(this.markerXY.x.length);
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
    const m = this.hoveredMarker;
    if (m !== undefined && Number.isFinite(this.markerXY.x[m])) {
      ctx.beginPath();
      ctx.arc(this.markerXY.x[m], this.markerXY.y[m], 10, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = focus;
      ctx.stroke();
    }
  }
}
