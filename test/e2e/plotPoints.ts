/**
 * Where the panel's scatter drew points, read from the pixels of its point canvas (the second canvas of
 * `#plot .scatter`), so the end-to-end tests click real points through the UI with no hook in the panel.
 * Returns up to 50 positions in css pixels relative to `#plot`, each at least 12 px from the others, so clicks on
 * two of them pick two different points. A string, evaluated in the page: tsx compiles functions with keepNames,
 * whose `__name` helper does not exist there.
 */
export const DRAWN_POINTS = `(() => {
  const canvas = document.querySelectorAll('#plot .scatter canvas')[1];
  if (!canvas || canvas.width === 0 || canvas.height === 0) return [];
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const sx = canvas.clientWidth / width, sy = canvas.clientHeight / height;
  const found = [];
  for (let y = 1; y < height - 1 && found.length < 50; y += 2) {
    for (let x = 1; x < width - 1 && found.length < 50; x += 2) {
      if (data[(y * width + x) * 4 + 3] !== 255) continue;
      const p = [x * sx, y * sy];
      if (found.every((q) => Math.hypot(q[0] - p[0], q[1] - p[1]) > 12)) found.push(p);
    }
  }
  return found;
})()`;
