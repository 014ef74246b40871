/**
 * Pointer and wheel input of the scatter: drag pans (2D) or rotates (3D; shift-drag pans), the wheel zooms about the
 * pointer, hover and click pick the nearest point, double-click fits the view.
 */

/** What the input drives. */
export interface ScatterInputTarget {
  is3d(): boolean;
  /** Css-pixel plot size. */
  size(): { width: number; height: number };
  view(): { cx: number; cy: number; scale: number };
  relayout(view: { cx?: number; cy?: number; scale?: number }): void;
  rotate(dYaw: number, dPitch: number): void;
  pick(px: number, py: number): number | undefined;
  screenToData(px: number, py: number): [number, number];
  /** The hovered point changed (undefined: none). */
  setHovered(index: number | undefined): void;
  fitAndRender(): void;
  onHover?: (index: number | undefined, clientX: number, clientY: number) => void;
  onClick?: (index: number | undefined, data: [number, number] | undefined, event: MouseEvent) => void;
}

/** Drags shorter than this (css pixels) count as clicks. */
const CLICK_SLOP = 3;

export function attachScatterInput(el: HTMLElement, t: ScatterInputTarget): void {
  let drag: { x: number; y: number; moved: boolean } | undefined;
  let hovered: number | undefined;
  const hover = (i: number | undefined): void => { if (i !== hovered) { hovered = i; t.setHovered(i); } };
  el.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; el.setPointerCapture(e.pointerId); });
  el.addEventListener('pointermove', (e) => {
    const rect = el.getBoundingClientRect();
    if (drag) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
      drag.moved = true;
      drag.x = e.clientX; drag.y = e.clientY;
      const v = t.view();
      if (t.is3d() && !e.shiftKey) t.rotate(dx * 0.01, dy * 0.01);
      else t.relayout({ cx: v.cx - dx / v.scale, cy: v.cy + dy / v.scale });
      return;
    }
    const i = t.pick(e.clientX - rect.left, e.clientY - rect.top);
    hover(i);
    t.onHover?.(i, e.clientX, e.clientY);
  });
  el.addEventListener('pointerup', (e) => {
    const wasDrag = drag?.moved;
    drag = undefined;
    if (wasDrag) return;
    const rect = el.getBoundingClientRect();
    const px = e.clientX - rect.left, py = e.clientY - rect.top;
    const i = t.pick(px, py);
    t.onClick?.(i, i === undefined && !t.is3d() ? t.screenToData(px, py) : undefined, e);
  });
  el.addEventListener('pointerleave', () => { hover(undefined); t.onHover?.(undefined, 0, 0); });
  el.addEventListener('wheel', (e) => {
    e.preventDefault();
    const rect = el.getBoundingClientRect();
    const px = e.clientX - rect.left, py = e.clientY - rect.top;
    const f = Math.exp(-e.deltaY * 0.0015);
    const v = t.view();
    if (!t.is3d()) {
      const [dx, dy] = t.screenToData(px, py);
      const scale = v.scale * f;
      const { width, height } = t.size();
      // keep the data point under the cursor fixed
      t.relayout({ scale, cx: dx - (px - width / 2) / scale, cy: dy + (py - height / 2) / scale });
    } else t.relayout({ scale: v.scale * f });
  }, { passive: false });
  el.addEventListener('dblclick', () => { t.fitAndRender(); });
}
