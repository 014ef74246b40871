/**
 * Layout checks shared by the end-to-end tests: every tab of the panel shown at a given panel width, the facts a
 * user sees asserted (no tab of the strip clipped, the page never scrolls sideways) and a screenshot of each tab
 * written to artifacts/panel-<tab>-<width>.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Frame } from 'playwright-core';

export const PANEL_TAB_IDS = ['point', 'clusters', 'interpolate', 'generate', 'anomalies', 'training'] as const;

/** Tabs of the strip whose box is not wholly inside the strip, or whose label overflows its button. */
export const CLIPPED_TABS = `(() => {
  const bar = document.querySelector('.tabs').getBoundingClientRect();
  return [...document.querySelectorAll('.tabs .tab')].filter((t) => {
    const r = t.getBoundingClientRect();
    return r.width === 0 || r.left < bar.left - 0.5 || r.right > bar.right + 0.5 || r.bottom > bar.bottom + 0.5 || t.scrollWidth > t.clientWidth + 1;
  }).map((t) => t.textContent);
})()`;

/** Distinct rows (by top edge) the images of `selector` are laid out in, and the images per row. */
export const IMAGE_ROWS = (selector: string): string => `(() => {
  const tops = new Map();
  for (const img of document.querySelectorAll(${JSON.stringify(selector)} + ' img')) {
    const top = Math.round(img.getBoundingClientRect().top);
    tops.set(top, (tops.get(top) ?? 0) + 1);
  }
  return [...tops.values()];
})()`;

/**
 * Shows each tab in `frame` (the panel's document), waits for its charts, checks the layout and saves a screenshot
 * through `shoot` (given the path). `width` only names the files.
 */
export async function shootTabs(frame: Frame, width: number, shoot: (path: string) => Promise<unknown>): Promise<void> {
  mkdirSync('artifacts', { recursive: true });
  for (const tab of PANEL_TAB_IDS) {
    await frame.locator(`#tab-${tab}`).click();
    await frame.waitForTimeout(400);
    assert.deepEqual(await frame.evaluate<string[]>(CLIPPED_TABS), [], `no tab clipped at ${width} px (${tab} shown)`);
    const sideways = await frame.evaluate<number>('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth');
    assert.ok(sideways <= 0, `the panel does not scroll sideways at ${width} px (${sideways} px)`);
    // Charts in the shown tab fill their pane: none drawn at the width of a hidden one.
    const narrow = await frame.evaluate<number>(`[...document.querySelectorAll('.pane:not([hidden]) .js-plotly-plot')].filter((d) => d.querySelector('.main-svg') && Math.abs(d.querySelector('.main-svg').getBoundingClientRect().width - d.getBoundingClientRect().width) > 2).length`);
    assert.equal(narrow, 0, `every chart of the ${tab} tab fits its pane at ${width} px`);
    await shoot(`artifacts/panel-${tab}-${width}.png`);
  }
}
