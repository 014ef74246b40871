/** The scatter's points as an SVG document (one circle per drawn point), for the SVG export. */

export interface SvgPoints {
  width: number;
  height: number;
  background: string;
  /** Css-pixel positions of the last full draw; NaN when hidden. */
  screenX: Float32Array;
  screenY: Float32Array;
  colors: Uint32Array;
  /** The points to write (undefined: all `n`). */
  subset?: Int32Array;
  n: number;
}

/** An SVG `data:` URL of the points with a finite position. */
export function pointsSvg(p: SvgPoints): string {
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${p.width}" height="${p.height}" viewBox="0 0 ${p.width} ${p.height}">`, `<rect width="100%" height="100%" fill="${p.background}"/>`];
  const count = p.subset ? p.subset.length : p.n;
  for (let k = 0; k < count; k++) {
    const i = p.subset ? p.subset[k] : k;
    const x = p.screenX[i];
    const y = p.screenY[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const c = p.colors[i];
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="1.6" fill="rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})"/>`);
  }
  parts.push('</svg>');
  return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(parts.join(''));
}
