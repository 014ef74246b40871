/**
 * Per-sample source references without one object per sample: a table of ten million rows would otherwise spend
 * hundreds of MB on `{ file, line, index }` objects. The array is a read-only view that builds each `SourceRef` when
 * it is read (indexing, iteration, `map`, `JSON.stringify` all work).
 */
import type { SourceRef } from './dataset';

/** Refs `{ file, line: lines[i], index: i }` (no `line` when `lines` is undefined) for `n` samples. */
export function lineRefs(file: string, lines: Int32Array | undefined, n: number): SourceRef[] {
  const at = (i: number): SourceRef => (lines !== undefined && lines[i] > 0 ? { file, line: lines[i], index: i } : { file, index: i });
  const target: SourceRef[] = [];
  target.length = n;
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') {
        const c = key.charCodeAt(0);
        if (c >= 48 && c <= 57) {
          const i = Number(key);
          if (Number.isInteger(i) && i >= 0 && i < n) return at(i);
        }
      }
      return Reflect.get(t, key, receiver) as unknown;
    },
    has(t, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) return Number(key) < n;
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === 'string' && /^\d+$/.test(key) && Number(key) < n) return { value: at(Number(key)), writable: false, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    set() {
      return false;
    },
  });
}
