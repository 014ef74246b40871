/**
 * The `pack(src, dst)` bodies of the generated GEMM (gemm.ts), which lay B' out as column panels: the `K x 8` panel
 * of columns j..j+7 at float offset j·K, row-major (the 4-wide last one likewise), so the GEMM's k loop reads one
 * contiguous 32-byte row per step. Also the walk over column blocks that the GEMM body shares.
 */
import { I32, OP as op, V128 } from './wasm/assembler';
import { BodyWriter, localsDecl } from './wasm/bodyWriter';

/** What the pack bodies depend on: B' is `K x N`; `nMain` = N rounded down to 8. */
export interface PackShape {
  n: number;
  k: number;
  nMain: number;
  /** Bytes between B's rows when B is `[K, N]` (a leading dimension, for a block of a larger product). */
  rowBytesB: number;
}

/**
 * `rows(nv)` for every column block, with the byte column in local `col`: 0, 32, ... over the 8-wide blocks
 * (nv = 2 f32x4), then the 4-wide one (nv = 1) if N ≡ 4 mod 8.
 */
export function emitColumns(w: BodyWriter, s: PackShape, col: number, rows: (nv: number) => void): void {
  if (s.nMain > 0) {
    w.i32c(0);
    w.set(col);
    w.doOpen();
    rows(2);
    w.addTo(col, 32);
    w.doWhileBelow(col, { value: s.nMain * 4 });
  }
  if (s.n > s.nMain) {
    w.i32c(s.nMain * 4);
    w.set(col);
    rows(1);
  }
}

// Locals of the Bᵀ pack: src, dst, row block (bytes into src), column offset, src and dst pointers; v128 rows and
// interleaved halves.
const [SRC, DST, RB, CB, SP, DP] = [0, 1, 2, 3, 4, 5];
const R0 = 6;
const T0 = 10;
/** Shuffles interleaving two rows' 32-bit lanes (low, high halves), then their 64-bit halves. */
const LO32 = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
const HI32 = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
const LO64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HI64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/** Pushes the dst address of src row RB (= column j0 of B'): its panel at (j0 >> 3)·K·32, then (j0 & 7)·4 in it. */
function emitPanelColumnAddress(w: BodyWriter, k: number): void {
  w.get(DST);
  w.get(RB);
  w.i32c(3);
  w.emit(op.i32ShrU);
  w.i32c(k * 32);
  w.emit(op.i32Mul, op.i32Add);
  w.get(RB);
  w.i32c(7);
  w.emit(op.i32And);
  w.i32c(4);
  w.emit(op.i32Mul, op.i32Add);
}

/** Transposes the 4 x 4 block at SP (src rows `srcRow` bytes apart) into 4 dst rows at DP, `ps` bytes apart. */
function emitTranspose4x4(w: BodyWriter, srcRow: number, ps: number): void {
  for (let q = 0; q < 4; q++) {
    w.get(SP);
    w.v128Load(q * srcRow);
    w.set(R0 + q);
  }
  const halves: [number, number[]][] = [[R0, LO32], [R0 + 2, LO32], [R0, HI32], [R0 + 2, HI32]];
  halves.forEach(([a, lanes], t) => {
    w.get(a);
    w.get(a + 1);
    w.shuffle(lanes);
    w.set(T0 + t);
  });
  const cols: [number, number[]][] = [[T0, LO64], [T0, HI64], [T0 + 2, LO64], [T0 + 2, HI64]];
  cols.forEach(([a, lanes], q) => {
    w.get(DP);
    w.get(a);
    w.get(a + 1);
    w.shuffle(lanes);
    w.v128Store(q * ps);
  });
}

/** Blocks of 4 src rows RB in [from, to) into panels `ps` bytes wide (32, or 16 for the 4-wide last one). */
function emitTransposeRows(w: BodyWriter, s: PackShape, from: number, to: number, ps: number): void {
  w.i32c(from);
  w.set(RB);
  w.doOpen(); // over blocks of 4 src rows (= 4 dst columns)
  w.rowAddress(SRC, RB, s.k * 4);
  w.set(SP);
  emitPanelColumnAddress(w, s.k);
  w.set(DP);
  w.i32c(0);
  w.set(CB);
  w.doOpen(); // over blocks of 4 src columns (= 4 dst rows)
  emitTranspose4x4(w, s.k * 4, ps);
  w.addTo(SP, 16);
  w.addTo(DP, 4 * ps);
  w.addTo(CB, 4);
  w.doWhileBelow(CB, { value: s.k });
  w.addTo(RB, 4);
  w.doWhileBelow(RB, { value: to });
}

/** The body of `pack(src, dst)` for a transposed B: src `[N, K]` -> the panels of B' = srcᵀ, by 4 x 4 shuffles. */
export function packTransposedBody(s: PackShape): number[] {
  const w = new BodyWriter();
  if (s.nMain > 0) emitTransposeRows(w, s, 0, s.nMain, 32);
  if (s.n > s.nMain) emitTransposeRows(w, s, s.nMain, s.n, 16);
  w.emit(op.end);
  return [...localsDecl([[4, I32], [8, V128]]), ...w.code];
}

// Locals of the plain pack: src, dst, column byte offset, src and dst pointers, dst end.
const [JB, PSP, PDP, PDEND] = [2, 3, 4, 5];

/** Copies the panel at byte column JB, `width` bytes of each of B's K rows. */
function emitPanelCopy(w: BodyWriter, s: PackShape, width: number): void {
  w.get(SRC);
  w.get(JB);
  w.emit(op.i32Add);
  w.set(PSP);
  w.get(DST);
  w.get(JB);
  w.i32c(s.k);
  w.emit(op.i32Mul, op.i32Add);
  w.set(PDP);
  w.get(PDP);
  w.i32c(s.k * width);
  w.emit(op.i32Add);
  w.set(PDEND);
  w.doOpen();
  for (let o = 0; o < width; o += 16) {
    w.get(PDP);
    w.get(PSP);
    w.v128Load(o);
    w.v128Store(o);
  }
  w.addTo(PSP, s.rowBytesB);
  w.addTo(PDP, width);
  w.doWhileBelow(PDP, PDEND);
}

/** The body of `pack(src, dst)` for B `[K, N]`: a copy into its column panels. */
export function packPanelsBody(s: PackShape): number[] {
  const w = new BodyWriter();
  emitColumns(w, s, JB, (nv) => {
    emitPanelCopy(w, s, 16 * nv);
  });
  w.emit(op.end);
  return [...localsDecl([[4, I32]]), ...w.code];
}
