/**
 * The k-means assignment kernel as a small WebAssembly SIMD module, generated here byte by byte (no toolchain, no
 * binary blob in the repository) and specialised for the width d and the number of centroids k (assigner.ts runs it).
 *
 * For each row x it finds `argmin_j ||c_j||^2 - 2 x.c_j` over the centroids c_j (the `||x||^2` term is the same for
 * every j) with float32 dot products, ties to the lowest j as in the plain TypeScript kernel: 4 rows at a time from
 * a dimension-major copy of X, so each f32x4 lane is one row (see `buildAssignModule`). For the winner it then
 * computes `||x - c_j||^2` directly (no cancellation against `||x||^2`) and, when asked, adds x to the winner's
 * float64 coordinate sums and bumps its count: the whole Lloyd E-step and the sums of the M-step in one call.
 *
 * Float32 dot products (as in BLAS-based k-means such as scikit-learn's) can order two centroids differently from
 * the float64 plain kernel only when their distances agree to about float32 precision.
 */
import { F32, F64, I32, OP as op, SIMD_OP as S, V128, assembleModule, simd } from '../wasm/assembler';
import { BodyWriter, localsDecl, memarg } from '../wasm/bodyWriter';

/** Keep the row in v128 locals when it is at most this many blocks of 4 (else reload it from memory, L1-hot). */
const MAX_ROW_LOCALS = 16;
/** Use the transposed scoring when k is at most this (its generated code grows by ~100 bytes per centroid). */
export const MAX_TRANSPOSED_K = 1024;
/** Centroids scored together in the transposed form (one v128 accumulator each; more would spill registers). */
const MAX_GROUP = 6;

// Locals of `assign`: its 10 parameters, then 11 i32, 2 f32, 1 f64 and the v128 ones (ACC.. onwards).
const [X, SCRATCH, N, C, K, CN, LABELS, MIND, SUMS, COUNTS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [I, XROW, CROW, J, BJ, COND, XTP, LP, XP, CP, XEND] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
const [BEST, DIST] = [21, 22];
const INERTIA = 23;
/** acc0..acc5 (MAX_GROUP of them). */
const ACC = 24;
const TMP = ACC + 6;
const T2 = ACC + 7;
const BESTV = ACC + 8;
const IDXV = ACC + 9;
const XV = ACC + 10;
/** The row's blocks when `keepRow`. */
const ROW = ACC + 11;
/** v128 locals besides the row ones: ACC..XV. */
const V128_SCRATCH_LOCALS = 11;

/** Shuffle lanes putting the high 8 bytes of the first operand in both halves. */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/** What the emitters of one module depend on: the width d, its padded form and the code-shape choices. */
interface Shape {
  d: number;
  /** d rounded up to 4. */
  dp: number;
  /** Blocks of 4 per row. */
  B: number;
  rowBytes: number;
  /** Accumulators a row's blocks are summed into (independent adds for the pipeline). */
  NACC: number;
  keepRow: boolean;
}

function shapeOf(d: number): Shape {
  const dp = Math.ceil(d / 4) * 4;
  const B = dp / 4;
  return { d, dp, B, rowBytes: dp * 4, NACC: Math.min(4, B), keepRow: B <= MAX_ROW_LOCALS };
}

/** Pushes row block b of the current row (from its locals, or from memory at XROW). */
function rowBlock(w: BodyWriter, s: Shape, b: number): void {
  if (s.keepRow) w.get(ROW + b);
  else {
    w.get(XROW);
    w.v128Load(b * 16);
  }
}

/** v128 in local `l` -> f32 sum of its four lanes on the stack. */
function hsum(w: BodyWriter, l: number): void {
  w.get(l);
  w.get(l);
  w.get(l);
  w.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);
  w.emit(simd(S.f32x4Add));
  w.tee(l);
  w.get(l);
  w.get(l);
  w.shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]);
  w.emit(simd(S.f32x4Add));
  w.emit(simd(S.f32x4ExtractLane), 0);
}

/**
 * ACC = sum over the row blocks b of `term(b)` (an f32x4), spread over NACC accumulators (block b into
 * acc_(b mod NACC), the first NACC blocks initialising them) then folded. `accFirst` pushes the accumulator before
 * the term rather than after it, which changes only the operand order of the add.
 */
function sumBlocks(w: BodyWriter, s: Shape, term: (b: number) => void, accFirst: boolean): void {
  for (let b = 0; b < s.B; b++) {
    const a = ACC + (b % s.NACC);
    const accumulate = b >= s.NACC;
    if (accumulate && accFirst) w.get(a);
    term(b);
    if (accumulate && !accFirst) w.get(a);
    if (accumulate) w.emit(simd(S.f32x4Add));
    w.set(a);
  }
  for (let a = 1; a < s.NACC; a++) {
    w.get(ACC);
    w.get(ACC + a);
    w.emit(simd(S.f32x4Add));
    w.set(ACC);
  }
}

/**
 * Transposes row block b of the 4 rows at XTP into the scratch: scratch[t] = (x_{i,t}, x_{i+1,t}, x_{i+2,t},
 * x_{i+3,t}) for t = 4b..4b+3, by two rounds of interleaving shuffles.
 */
function emitTransposeBlock(w: BodyWriter, s: Shape, b: number): void {
  const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
  const hi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
  const lo64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
  const hi64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
  // ACC+q = row q's dims 4b..4b+3; TMP/T2/BESTV/IDXV = the interleaved halves.
  for (let q = 0; q < 4; q++) {
    w.get(XTP);
    w.v128Load(q * s.rowBytes + b * 16);
    w.set(ACC + q);
  }
  const pairs: [number, number, number[], number][] = [
    [ACC, ACC + 1, lo, TMP],
    [ACC + 2, ACC + 3, lo, T2],
    [ACC, ACC + 1, hi, BESTV],
    [ACC + 2, ACC + 3, hi, IDXV],
  ];
  for (const [a, c2, pattern, out] of pairs) {
    w.get(a);
    w.get(c2);
    w.shuffle(pattern);
    w.set(out);
  }
  const cols: [number, number, number[]][] = [
    [TMP, T2, lo64],
    [TMP, T2, hi64],
    [BESTV, IDXV, lo64],
    [BESTV, IDXV, hi64],
  ];
  cols.forEach(([a, c2, pattern], m) => {
    w.get(SCRATCH);
    w.get(a);
    w.get(c2);
    w.shuffle(pattern);
    w.v128Store((4 * b + m) * 16);
  });
}

/** Sizes of the centroid groups: at most MAX_GROUP each, balanced (k = 10: 5 + 5). */
function centroidGroups(k: number): number[] {
  const nGroups = Math.ceil(k / MAX_GROUP);
  const groups: number[] = [];
  for (let g = 0, j0 = 0; g < nGroups; g++) {
    const size = Math.ceil((k - j0) / (nGroups - g));
    groups.push(size);
    j0 += size;
  }
  return groups;
}

/** acc_q += xT[t] * c_{j0+q}[t] for q < G, with xT / c addressed as `xBase + xOff`, `cBase + cOff`. */
function emitGroupStep(w: BodyWriter, s: Shape, G: number, j0: number, x: [number, number], c: [number, number]): void {
  w.get(x[0]);
  w.v128Load(x[1]);
  w.set(XV);
  for (let q = 0; q < G; q++) {
    w.get(ACC + q);
    w.get(XV);
    w.get(c[0]);
    w.emit(simd(S.v128Load32Splat), memarg(2, (j0 + q) * s.rowBytes + c[1]));
    w.emit(simd(S.f32x4Mul), simd(S.f32x4Add));
    w.set(ACC + q);
  }
}

/**
 * acc_q = the dot products of the 4 transposed rows with centroid j0+q, for q < G. Dimensions are walked by a loop
 * (2 per trip for groups of <= 4) rather than fully unrolled: TurboFan keeps wasm loads in program order but sinks
 * arithmetic to its uses, so a long unrolled body would hold every loaded value live and spill (measured: 3x
 * slower). Sizes chosen by bench (60,000 x 32, k = 10).
 */
function emitGroupDots(w: BodyWriter, s: Shape, G: number, j0: number): void {
  const U = s.d >= 2 && G <= 4 ? 2 : 1;
  const dMain = s.d - (s.d % U);
  for (let q = 0; q < G; q++) {
    w.v128Const([0, 0, 0, 0]);
    w.set(ACC + q);
  }
  if (dMain > 0) {
    w.get(SCRATCH);
    w.set(XP);
    w.get(C);
    w.set(CP);
    w.get(SCRATCH);
    w.i32c(dMain * 16);
    w.emit(op.i32Add);
    w.set(XEND);
    w.emit(op.loop, op.void);
    for (let u = 0; u < U; u++) emitGroupStep(w, s, G, j0, [XP, u * 16], [CP, u * 4]);
    w.addTo(XP, U * 16);
    w.addTo(CP, U * 4);
    w.get(XP);
    w.get(XEND);
    w.emit(op.i32LtU, op.brIf, 0, op.end);
  }
  for (let t = dMain; t < s.d; t++) emitGroupStep(w, s, G, j0, [SCRATCH, t * 16], [C, t * 4]);
}

/**
 * Lane-wise argmin over the group's centroids: dist = ||c_j||^2 - 2 x.c_j for the 4 rows, kept in BESTV with its
 * index in IDXV when strictly smaller (centroid 0 initialises both).
 */
function emitGroupArgmin(w: BodyWriter, G: number, j0: number): void {
  for (let q = 0; q < G; q++) {
    const j = j0 + q;
    w.get(CN);
    w.emit(simd(S.v128Load32Splat), memarg(2, j * 4));
    w.get(ACC + q);
    w.get(ACC + q);
    w.emit(simd(S.f32x4Add), simd(S.f32x4Sub));
    if (j === 0) {
      w.set(BESTV);
      w.v128Const([0, 0, 0, 0]);
      w.set(IDXV);
      continue;
    }
    w.tee(TMP);
    w.get(BESTV);
    w.emit(simd(S.f32x4Lt));
    w.set(T2);
    w.get(TMP);
    w.get(BESTV);
    w.get(T2);
    w.emit(simd(S.v128Bitselect));
    w.set(BESTV);
    w.v128Const([j, j, j, j]);
    w.get(IDXV);
    w.get(T2);
    w.emit(simd(S.v128Bitselect));
    w.set(IDXV);
  }
}

/** Phase A: the labels of each block of 4 rows (XTP points at the block's first row), scored transposed. */
function emitBlockLabels(w: BodyWriter, s: Shape, k: number): void {
  w.get(X);
  w.set(XTP);
  w.get(LABELS);
  w.set(LP);
  w.i32c(0);
  w.set(I);
  w.loopOpen(I, N);
  for (let b = 0; b < s.B; b++) emitTransposeBlock(w, s, b);
  let j0 = 0;
  for (const G of centroidGroups(k)) {
    emitGroupDots(w, s, G, j0);
    emitGroupArgmin(w, G, j0);
    j0 += G;
  }
  w.get(LP);
  w.get(IDXV);
  w.v128Store(0);
  w.addTo(XTP, 4 * s.rowBytes);
  w.addTo(LP, 16);
  w.addTo(I, 4);
  w.loopClose();
}

/** The row's label: best = +inf; bj = 0; for (j, crow = c) keep the smallest ||c_j||^2 - 2 x.c_j; labels[i] = bj. */
function emitRowArgmin(w: BodyWriter, s: Shape): void {
  w.emit(op.f32Const, [0x00, 0x00, 0x80, 0x7f]);
  w.set(BEST);
  w.i32c(0);
  w.set(BJ);
  w.i32c(0);
  w.set(J);
  w.get(C);
  w.set(CROW);
  w.loopOpen(J, K);
  sumBlocks(w, s, (b) => {
    rowBlock(w, s, b);
    w.get(CROW);
    w.v128Load(b * 16);
    w.emit(simd(S.f32x4Mul));
  }, true);
  w.elementAddress(CN, J, 2);
  w.emit(op.f32Load, memarg(2, 0));
  hsum(w, ACC);
  w.emit(op.f32Const, [0x00, 0x00, 0x00, 0x40]); // 2.0f
  w.emit(op.f32Mul, op.f32Sub);
  w.tee(DIST);
  w.get(BEST);
  w.emit(op.f32Lt);
  w.set(COND);
  w.get(DIST);
  w.get(BEST);
  w.get(COND);
  w.emit(op.select);
  w.set(BEST);
  w.get(J);
  w.get(BJ);
  w.get(COND);
  w.emit(op.select);
  w.set(BJ);
  w.addTo(CROW, s.rowBytes);
  w.addTo(J, 1);
  w.loopClose();
  w.elementAddress(LABELS, I, 2);
  w.get(BJ);
  w.emit(op.i32Store, memarg(2, 0));
}

/** DIST = ||x - c_bj||^2 (CROW left at c_bj). */
function emitDirectDistance(w: BodyWriter, s: Shape): void {
  w.rowAddress(C, BJ, s.rowBytes);
  w.set(CROW);
  sumBlocks(w, s, (b) => {
    rowBlock(w, s, b);
    w.get(CROW);
    w.v128Load(b * 16);
    w.emit(simd(S.f32x4Sub));
    w.tee(TMP);
    w.get(TMP);
    w.emit(simd(S.f32x4Mul));
  }, false);
  hsum(w, ACC);
  w.set(DIST);
}

/** mind[i] = dist; inertia += dist (float64). */
function emitRecordDistance(w: BodyWriter): void {
  w.elementAddress(MIND, I, 2);
  w.get(DIST);
  w.emit(op.f32Store, memarg(2, 0));
  w.get(INERTIA);
  w.get(DIST);
  w.emit(op.f64PromoteF32, op.f64Add);
  w.set(INERTIA);
}

/** if (sums) { sums[bj] += x (float64, two lanes per half block); counts[bj] += 1 }. */
function emitAccumulateSums(w: BodyWriter, s: Shape): void {
  w.get(SUMS);
  w.emit(op.i32Eqz, op.i32Eqz, op.if, op.void);
  w.rowAddress(SUMS, BJ, s.dp * 8);
  w.set(CROW);
  for (let b = 0; b < s.B; b++) {
    for (const half of [0, 1]) {
      const offset = b * 32 + half * 16;
      w.get(CROW);
      w.get(CROW);
      w.v128Load(offset, 3);
      rowBlock(w, s, b);
      if (half === 1) {
        rowBlock(w, s, b);
        w.shuffle(HIGH_HALF);
      }
      w.emit(simd(S.f64x2PromoteLowF32x4), simd(S.f64x2Add));
      w.v128Store(offset, 3);
    }
  }
  w.elementAddress(COUNTS, BJ, 2);
  w.tee(CROW);
  w.get(CROW);
  w.emit(op.i32Load, memarg(2, 0));
  w.i32c(1);
  w.emit(op.i32Add);
  w.emit(op.i32Store, memarg(2, 0));
  w.emit(op.end);
}

/** Phase B, per row: (its label, unless phase A wrote it,) then its direct distance, the inertia and the sums. */
function emitRowPass(w: BodyWriter, s: Shape, transposed: boolean): void {
  w.get(X);
  w.set(XROW);
  w.i32c(0);
  w.set(I);
  w.loopOpen(I, N);
  if (s.keepRow) {
    for (let b = 0; b < s.B; b++) {
      w.get(XROW);
      w.v128Load(b * 16);
      w.set(ROW + b);
    }
  }
  if (transposed) {
    w.elementAddress(LABELS, I, 2);
    w.emit(op.i32Load, memarg(2, 0));
    w.set(BJ);
  } else emitRowArgmin(w, s);
  emitDirectDistance(w, s);
  emitRecordDistance(w);
  emitAccumulateSums(w, s);
  w.addTo(XROW, s.rowBytes);
  w.addTo(I, 1);
  w.loopClose();
}

/** The body of `assign` (see `buildAssignModule`). */
function assignBody(s: Shape, k: number | undefined): number[] {
  const w = new BodyWriter();
  w.emit(op.f64Const, [0, 0, 0, 0, 0, 0, 0, 0]);
  w.set(INERTIA);
  const transposed = k !== undefined && k <= MAX_TRANSPOSED_K;
  if (transposed) emitBlockLabels(w, s, k);
  emitRowPass(w, s, transposed);
  w.get(INERTIA);
  w.emit(op.end);
  const nV128 = V128_SCRATCH_LOCALS + (s.keepRow ? s.B : 0);
  return [...localsDecl([[11, I32], [2, F32], [1, F64], [nV128, V128]]), ...w.code];
}

/**
 * The body of `dist2(x, n, p, out)`: out[i] = ||x_i - p||^2 in float64 (f32 inputs promoted, so it matches a float64
 * loop up to the summation order) for the n rows of x; p is any dp-wide row (k-means++ passes a data row).
 */
function dist2Body(s: Shape): number[] {
  const [DX, DN, DP, DOUT] = [0, 1, 2, 3];
  const [DI, DROW] = [4, 5];
  const [A0, A1, DT] = [6, 7, 8];
  const w = new BodyWriter();
  /** Promotes the low (or, for `half`, high) two f32 lanes of the v128 on the stack to f64x2. */
  const promote = (half: boolean): void => {
    if (half) {
      w.tee(DT);
      w.get(DT);
      w.shuffle(HIGH_HALF);
    }
    w.emit(simd(S.f64x2PromoteLowF32x4));
  };
  w.get(DX);
  w.set(DROW);
  w.i32c(0);
  w.set(DI);
  w.loopOpen(DI, DN);
  for (let b = 0; b < s.B; b++) {
    for (const [acc, half] of [[A0, false], [A1, true]] as const) {
      if (b > 0) w.get(acc);
      w.get(DROW);
      w.v128Load(b * 16);
      promote(half);
      w.get(DP);
      w.v128Load(b * 16);
      promote(half);
      w.emit(simd(S.f64x2Sub));
      w.tee(DT);
      w.get(DT);
      w.emit(simd(S.f64x2Mul));
      if (b > 0) w.emit(simd(S.f64x2Add));
      w.set(acc);
    }
  }
  w.elementAddress(DOUT, DI, 3);
  w.get(A0);
  w.get(A1);
  w.emit(simd(S.f64x2Add));
  w.tee(A0);
  w.emit(simd(S.f64x2ExtractLane), 0);
  w.get(A0);
  w.emit(simd(S.f64x2ExtractLane), 1);
  w.emit(op.f64Add, op.f64Store, ...memarg(3, 0));
  w.addTo(DROW, s.rowBytes);
  w.addTo(DI, 1);
  w.loopClose();
  w.emit(op.end);
  return [...localsDecl([[2, I32], [3, V128]]), ...w.code];
}

/**
 * `assign(x, scratch, n, c, k, cn, labels, mind, sums, counts) -> inertia`; all pointers are byte offsets into the
 * imported memory: x is `n x dp` f32 rows (dp = d rounded up to 4, zero padded, with room for n rounded up to 4
 * rows), scratch `dp x 16` bytes private to the calling thread, c `k x dp` f32, cn the k squared centroid norms f32,
 * labels i32 (room for n rounded up to 4), mind f32[n], sums f64[k x dp] and counts i32[k] (both skipped when `sums`
 * is 0). Returns the float64 sum of `mind`. Also `dist2` (see `dist2Body`).
 *
 * With `k` given (at most MAX_TRANSPOSED_K), rows are scored 4 at a time: the block is transposed into the scratch
 * so that one f32x4 holds dimension t of the 4 rows, the 4 dot products with a centroid build up lane-wise against
 * the broadcast centroid values (no horizontal sums), and the best distance and index of the 4 rows are kept
 * lane-wise too, centroids visited in increasing order with a strict `<` (ties keep the lowest index). Otherwise
 * (`k` undefined or large) each row is scored by a loop over the centroids with a horizontal sum per dot product.
 */
export function buildAssignModule(d: number, shared: boolean, k?: number): Uint8Array {
  if (!Number.isInteger(d) || d < 1) throw new Error(`bad width ${d}`);
  const s = shapeOf(d);
  return assembleModule({
    types: [{ params: new Array<number>(10).fill(I32), results: [F64] }, { params: [I32, I32, I32, I32], results: [] }],
    funcs: [{ type: 0, name: 'assign', body: assignBody(s, k) }, { type: 1, name: 'dist2', body: dist2Body(s) }],
    ...(shared ? { sharedMaxPages: 65536 } : {}),
  });
}
