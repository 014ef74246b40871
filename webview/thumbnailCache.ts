/**
 * The sample images the scatter draws as thumbnails: fetched from the host in bulk (one `requestRows` per batch of
 * rows, the pixels as one Float32Array), turned into drawables once, and kept in a bounded least-recently-used cache
 * so panning back and forth does not ask again.
 */
import { MAX_ROWS_REQUEST } from '../src/shared/protocol';

/** Values one batch may carry (4 MiB of float32), so large images come in smaller batches. */
export const ROW_VALUES_BUDGET = 1 << 20;
/** Drawables kept (several screens' worth of thumbnails). */
export const THUMBNAIL_CACHE_CAPACITY = 1024;

/** `indices` cut into request batches of at most MAX_ROWS_REQUEST rows and `budget` values (at least one row each). */
export function rowBatches(indices: readonly number[], dim: number, budget = ROW_VALUES_BUDGET): number[][] {
  const per = Math.max(1, Math.min(MAX_ROWS_REQUEST, Math.floor(budget / Math.max(1, dim))));
  const out: number[][] = [];
  for (let k = 0; k < indices.length; k += per) out.push(indices.slice(k, k + per));
  return out;
}

export class RowImageCache<T> {
  private readonly images = new Map<number, T>();
  private readonly pending = new Set<number>();

  /**
   * `fetchRows` answers `indices.length x dim` values; `make` turns one row into a drawable; `onReady` is called
   * after each batch arrived (the scatter redraws its thumbnails).
   */
  constructor(
    private readonly fetchRows: (indices: number[]) => Promise<Float32Array>,
    private readonly make: (values: Float32Array) => T,
    private readonly dim: number,
    private readonly onReady: () => void,
    private readonly capacity = THUMBNAIL_CACHE_CAPACITY,
  ) {}

  get size(): number { return this.images.size; }

  /** The drawable of row `i` (marked as recently used), or undefined when it is not loaded. */
  get(i: number): T | undefined {
    const img = this.images.get(i);
    if (img !== undefined) {
      this.images.delete(i);
      this.images.set(i, img);
    }
    return img;
  }

  /** Fetches the rows of `indices` that are neither cached nor on their way. A failed batch may be asked again later. */
  want(indices: readonly number[]): void {
    const missing = indices.filter((i) => !this.images.has(i) && !this.pending.has(i));
    for (const batch of rowBatches(missing, this.dim)) {
      for (const i of batch) this.pending.add(i);
      this.fetchRows(batch).then((values) => {
        batch.forEach((i, k) => { this.put(i, this.make(values.subarray(k * this.dim, (k + 1) * this.dim))); });
        this.onReady();
      }, () => undefined).finally(() => { for (const i of batch) this.pending.delete(i); });
    }
  }

  private put(i: number, img: T): void {
    this.images.delete(i);
    this.images.set(i, img);
    while (this.images.size > this.capacity) {
      const oldest = this.images.keys().next();
      if (oldest.done) break;
      this.images.delete(oldest.value);
    }
  }
}
