/**
 * The panel's layout: a side pane the user resizes by dragging (or with the arrow keys on the handle) and collapses,
 * and charts that are drawn only while visible and refit whenever their container changes size. The pane's width
 * and collapsed flag are plain data the bootstrap keeps in the UI state.
 */
import { h } from './dom';

export interface PaneLayout {
  /** Side pane width in CSS pixels; undefined = the stylesheet's default (a share of the window). */
  sideWidth?: number;
  collapsed: boolean;
}

/** Narrowest side pane, and the least room the plot keeps beside it. */
export const MIN_SIDE = 240;
export const MIN_PLOT = 240;
/** Pixels one arrow-key press moves the handle. */
const KEY_STEP = 24;

/** The side width shown in a main area `total` px wide: at least {@link MIN_SIDE}, leaving the plot {@link MIN_PLOT}. */
export function clampSide(width: number, total: number): number {
  return Math.round(Math.max(MIN_SIDE, Math.min(width, total - MIN_PLOT)));
}

/**
 * Puts a drag handle between the plot and the side pane of `main` and a collapse button on it. `onChange` gets the
 * layout after every committed change (drag end, key press, toggle).
 */
export function installSidePane(main: HTMLElement, side: HTMLElement, initial: PaneLayout, onChange: (layout: PaneLayout) => void): { toggle(): void } {
  let layout = { ...initial };
  const handle = h('div', { class: 'splitter', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': 'Resize side pane', tabindex: '0', title: 'Drag to resize, double-click to collapse' });
  const toggleButton = h('button', { class: 'pane-toggle', id: 'pane-toggle', type: 'button' });
  handle.append(toggleButton);
  main.insertBefore(handle, side);

  const apply = (): void => {
    main.classList.toggle('side-collapsed', layout.collapsed);
    side.hidden = layout.collapsed;
    const stacked = getComputedStyle(main).flexDirection === 'column';
    toggleButton.textContent = stacked ? (layout.collapsed ? '▴' : '▾') : layout.collapsed ? '‹' : '›';
    toggleButton.title = layout.collapsed ? 'Show the side pane' : 'Hide the side pane';
    toggleButton.setAttribute('aria-expanded', String(!layout.collapsed));
    if (layout.sideWidth !== undefined) main.style.setProperty('--side-width', `${clampSide(layout.sideWidth, main.clientWidth || Infinity)}px`);
    else main.style.removeProperty('--side-width');
    handle.setAttribute('aria-valuenow', String(Math.round(side.getBoundingClientRect().width)));
  };
  const commit = (next: PaneLayout): void => {
    layout = next;
    apply();
    onChange(layout);
  };
  const toggle = (): void => { commit({ ...layout, collapsed: !layout.collapsed }); };
  const widthAt = (clientX: number): number => clampSide(main.getBoundingClientRect().right - clientX, main.clientWidth);

  toggleButton.addEventListener('pointerdown', (e) => { e.stopPropagation(); });
  toggleButton.addEventListener('click', toggle);
  handle.addEventListener('dblclick', (e) => { if (e.target === handle) toggle(); });
  handle.addEventListener('pointerdown', (e) => {
    // Stacked (narrow) layout: the side pane's height is the stylesheet's, nothing to drag.
    if (layout.collapsed || e.button !== 0 || getComputedStyle(main).flexDirection === 'column') return;
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    main.classList.add('resizing');
    const move = (ev: PointerEvent): void => { main.style.setProperty('--side-width', `${widthAt(ev.clientX)}px`); };
    const up = (ev: PointerEvent): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
      main.classList.remove('resizing');
      commit({ ...layout, sideWidth: widthAt(ev.clientX) });
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  });
  handle.addEventListener('keydown', (e) => {
    const now = side.getBoundingClientRect().width;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      if (!layout.collapsed) commit({ ...layout, sideWidth: clampSide(now + (e.key === 'ArrowLeft' ? KEY_STEP : -KEY_STEP), main.clientWidth) });
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle();
    }
  });
  // A narrower window may leave a saved width too wide, or stack the panes: lay out again.
  new ResizeObserver(() => { apply(); }).observe(main);
  apply();
  return { toggle };
}

/** A chart can be drawn when it is in the document and neither it nor an ancestor is hidden. */
export function isShown(div: HTMLElement): boolean {
  return div.isConnected && div.closest('[hidden]') === null && div.getClientRects().length > 0;
}

/**
 * Charts drawn only while shown: a draw asked for while its chart is hidden (a hidden tab, a collapsed pane) waits
 * until {@link flush} runs for its container; every shown chart in `root` refits when `root` changes size.
 */
export class ChartScheduler {
  private readonly pending = new Map<HTMLElement, () => void>();
  private frame = 0;

  constructor(private readonly root: HTMLElement, private readonly resize: (div: HTMLElement) => void) {
    new ResizeObserver(() => { this.refitSoon(); }).observe(root);
  }

  /** Runs `draw` on the next frame if `div` is shown by then, else when it is next flushed. */
  schedule(div: HTMLElement, draw: () => void): void {
    this.pending.set(div, draw);
    requestAnimationFrame(() => {
      if (this.pending.get(div) === draw && isShown(div)) {
        this.pending.delete(div);
        draw();
      }
    });
  }

  /** Draws what waited inside `container` (now shown) and refits the charts there. */
  flush(container: HTMLElement = this.root): void {
    for (const [div, draw] of [...this.pending]) {
      if (!div.isConnected) this.pending.delete(div);
      else if (container.contains(div) && isShown(div)) {
        this.pending.delete(div);
        draw();
      }
    }
    this.refitSoon();
  }

  private refitSoon(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const div of this.root.querySelectorAll<HTMLElement>('.js-plotly-plot')) if (isShown(div)) this.resize(div);
    });
  }
}
