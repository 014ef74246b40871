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
import { F32, F64, I32, OP as op, SIMD_OP as S, V128, assembleModule, emitter, simd, sleb, uleb } from '../wasm/assembler';


/** Keep the row in v128 locals when it is at most this many blocks of 4 (else reload it from memory, L1-hot). */
const MAX_ROW_LOCALS = 16;
/** Use the transposed scoring when k is at most this (its generated code grows by ~100 bytes per centroid). */
export const MAX_TRANSPOSED_K = 1024;
/** Centroids scored together in the transposed form (one v128 accumulator each; more would spill registers). */
const MAX_GROUP = 6;

/**
 * `assign(x, scratch, n, c, k, cn, labels, mind, sums, counts) -> inertia`; all pointers are byte offsets into the
 * imported memory: x is `n x dp` f32 rows (dp = d rounded up to 4, zero padded, with room for n rounded up to 4
 * rows), scratch `dp x 16` bytes private to the calling thread, c `k x dp` f32, cn the k squared centroid norms f32,
 * labels i32 (room for n rounded up to 4), mind f32[n], sums f64[k x dp] and counts i32[k] (both skipped when `sums`
 * is 0). Returns the float64 sum of `mind`.
 *
 * With `k` given (at most MAX_TRANSPOSED_K), rows are scored 4 at a time: the block is transposed into the scratch
 * so that one f32x4 holds dimension t of the 4 rows, the 4 dot products with a centroid build up lane-wise against
 * the broadcast centroid values (no horizontal sums), and the best distance and index of the 4 rows are kept
 * lane-wise too, centroids visited in increasing order with a strict `<` (ties keep the lowest index). Otherwise
 * (`k` undefined or large) each row is scored by a loop over the centroids with a horizontal sum per dot product.
 */
export function buildAssignModule(d: number, shared: boolean, k?: number): Uint8Array {
  if (!Number.isInteger(d) || d < 1) throw new Error(`bad width ${d}`);
  const dp = Math.ceil(d / 4) * 4;
  const B = dp / 4;
  const rowBytes = dp * 4;
  const [X, SCRATCH, N, C, K, CN, LABELS, MIND, SUMS, COUNTS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [I, XROW, CROW, J, BJ, COND, XTP, LP, XP, CP, XEND] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const [BEST, DIST] = [21, 22];
  const INERTIA = 23;
  const ACC = 24; // acc0..acc5 (MAX_GROUP)
  const TMP = ACC + 6;
  const T2 = ACC + 7;
  const BESTV = ACC + 8;
  const IDXV = ACC + 9;
  const XV = ACC + 10;
  const ROW = ACC + 11;
  const transposed = k !== undefined && k <= MAX_TRANSPOSED_K;
  const NACC = Math.min(4, B);
  const keepRow = B <= MAX_ROW_LOCALS;
  const code: number[] = [];
  const emit = emitter(code);
  const get = (l: number): void => emit(op.localGet, uleb(l));
  const set = (l: number): void => emit(op.localSet, uleb(l));
  const tee = (l: number): void => emit(op.localTee, uleb(l));
  const i32c = (v: number): void => emit(op.i32Const, sleb(v));
  const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
  const v128Load = (offset: number): void => emit(simd(S.v128Load), memarg(4, offset));
  const v128Const = (lanes: number[]): void => emit(simd(S.v128Const), Array.from(new Uint8Array(Int32Array.from(lanes).buffer)));
  const addTo = (l: number, v: number): void => {
    get(l);
    i32c(v);
    emit(op.i32Add);
    set(l);
  };
  /** Pushes row block b of the current row. */
  const rowBlock = (b: number): void => {
    if (keepRow) get(ROW + b);
    else {
      get(XROW);
      v128Load(b * 16);
    }
  };
  const shuffle = (lanes: number[]): void => emit(simd(S.i8x16Shuffle), lanes);
  /** v128 in local `l` -> f32 sum of its four lanes on the stack. */
  const hsum = (l: number): void => {
    get(l);
    get(l);
    get(l);
    shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);
    emit(simd(S.f32x4Add));
    tee(l);
    get(l);
    get(l);
    shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]);
    emit(simd(S.f32x4Add));
    emit(simd(S.f32x4ExtractLane), 0);
  };
  /** ACC = sum of ACC..ACC+NACC-1. */
  const foldAcc = (): void => {
    for (let a = 1; a < NACC; a++) {
      get(ACC);
      get(ACC + a);
      emit(simd(S.f32x4Add));
      set(ACC);
    }
  };
  const loopOpen = (counter: number, limit: number): void => {
    emit(op.block, op.void, op.loop, op.void);
    get(counter);
    get(limit);
    emit(op.i32GeU, op.brIf, 1);
  };
  const loopClose = (): void => emit(op.br, 0, op.end, op.end);

  emit(op.f64Const, [0, 0, 0, 0, 0, 0, 0, 0]);
  set(INERTIA);

  if (transposed) {
    // Phase A: labels for each block of 4 rows (XTP points at the block's first row).
    get(X);
    set(XTP);
    get(LABELS);
    set(LP);
    i32c(0);
    set(I);
    loopOpen(I, N);
    // Transpose the block into the scratch: scratch[t] = (x_{i,t}, x_{i+1,t}, x_{i+2,t}, x_{i+3,t}), 4x4 at a time.
    const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
    const hi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
    const lo64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
    const hi64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
    for (let b = 0; b < B; b++) {
      // ACC+q = row q's dims 4b..4b+3; TMP/T2/BESTV/IDXV = the interleaved halves.
      for (let q = 0; q < 4; q++) {
        get(XTP);
        v128Load(q * rowBytes + b * 16);
        set(ACC + q);
      }
      const pairs: [number, number, number[], number][] = [
        [ACC, ACC + 1, lo, TMP],
        [ACC + 2, ACC + 3, lo, T2],
        [ACC, ACC + 1, hi, BESTV],
        [ACC + 2, ACC + 3, hi, IDXV],
      ];
      for (const [a, c2, pattern, out] of pairs) {
        get(a);
        get(c2);
        shuffle(pattern);
        set(out);
      }
      const cols: [number, number, number[]][] = [
        [TMP, T2, lo64],
        [TMP, T2, hi64],
        [BESTV, IDXV, lo64],
        [BESTV, IDXV, hi64],
      ];
      cols.forEach(([a, c2, pattern], m) => {
        get(SCRATCH);
        get(a);
        get(c2);
        shuffle(pattern);
        emit(simd(S.v128Store), memarg(4, (4 * b + m) * 16));
      });
    }
    // Centroids go in groups of at most MAX_GROUP (one accumulator each), group sizes balanced (k = 10: 5 + 5).
    // Dimensions are walked by a loop (2 per trip for groups of <= 4) rather than fully unrolled: TurboFan keeps wasm
    // loads in program order but sinks arithmetic to its uses, so a long unrolled body would hold every loaded value
    // live and spill (measured: 3x slower). Sizes chosen by bench (60,000 x 32, k = 10).
    const nGroups = Math.ceil(k / MAX_GROUP);
    const groups: number[] = [];
    for (let g = 0, j0 = 0; g < nGroups; g++) {
      const size = Math.ceil((k - j0) / (nGroups - g));
      groups.push(size);
      j0 += size;
    }
    /** acc_q += xT[t] * c_{j0+q}[t] for q < G, with xT / c addressed as `xBase + xOff`, `cBase + cOff`. */
    const step = (G: number, j0: number, xBase: number, xOff: number, cBase: number, cOff: number): void => {
      get(xBase);
      v128Load(xOff);
      set(XV);
      for (let q = 0; q < G; q++) {
        get(ACC + q);
        get(XV);
        get(cBase);
        emit(simd(S.v128Load32Splat), memarg(2, (j0 + q) * rowBytes + cOff));
        emit(simd(S.f32x4Mul), simd(S.f32x4Add));
        set(ACC + q);
      }
    };
    let j0 = 0;
    for (const G of groups) {
      const U = d >= 2 && G <= 4 ? 2 : 1;
      const dMain = d - (d % U);
      for (let q = 0; q < G; q++) {
        v128Const([0, 0, 0, 0]);
        set(ACC + q);
      }
      if (dMain > 0) {
        get(SCRATCH);
        set(XP);
        get(C);
        set(CP);
        get(SCRATCH);
        i32c(dMain * 16);
        emit(op.i32Add);
        set(XEND);
        emit(op.loop, op.void);
        for (let u = 0; u < U; u++) step(G, j0, XP, u * 16, CP, u * 4);
        addTo(XP, U * 16);
        addTo(CP, U * 4);
        get(XP);
        get(XEND);
        emit(op.i32LtU, op.brIf, 0, op.end);
      }
      for (let t = dMain; t < d; t++) step(G, j0, SCRATCH, t * 16, C, t * 4);
      for (let q = 0; q < G; q++) {
        const j = j0 + q;
        // dist = ||c_j||^2 - 2 x.c_j for the 4 rows
        get(CN);
        emit(simd(S.v128Load32Splat), memarg(2, j * 4));
        get(ACC + q);
        get(ACC + q);
        emit(simd(S.f32x4Add), simd(S.f32x4Sub));
        if (j === 0) {
          set(BESTV);
          v128Const([0, 0, 0, 0]);
          set(IDXV);
          continue;
        }
        tee(TMP);
        get(BESTV);
        emit(simd(S.f32x4Lt));
        set(T2);
        get(TMP);
        get(BESTV);
        get(T2);
        emit(simd(S.v128Bitselect));
        set(BESTV);
        v128Const([j, j, j, j]);
        get(IDXV);
        get(T2);
        emit(simd(S.v128Bitselect));
        set(IDXV);
      }
      j0 += G;
    }
    get(LP);
    get(IDXV);
    emit(simd(S.v128Store), memarg(4, 0));
    addTo(XTP, 4 * rowBytes);
    addTo(LP, 16);
    addTo(I, 4);
    loopClose();
  }

  // Phase B, per row: (score it, unless phase A did,) then its direct distance, the inertia and the sums.
  get(X);
  set(XROW);
  i32c(0);
  set(I);
  loopOpen(I, N);
  if (keepRow) {
    for (let b = 0; b < B; b++) {
      get(XROW);
      v128Load(b * 16);
      set(ROW + b);
    }
  }
  if (transposed) {
    get(LABELS);
    get(I);
    i32c(2);
    emit(op.i32Shl, op.i32Add);
    emit(op.i32Load, memarg(2, 0));
    set(BJ);
  } else {
    // best = +inf; bj = 0; for (j = 0, crow = c; j < k; j++, crow += rowBytes) keep the smallest ||c||^2 - 2 x.c
    emit(op.f32Const, [0x00, 0x00, 0x80, 0x7f]);
    set(BEST);
    i32c(0);
    set(BJ);
    i32c(0);
    set(J);
    get(C);
    set(CROW);
    loopOpen(J, K);
    for (let b = 0; b < B; b++) {
      const a = ACC + (b % NACC);
      if (b >= NACC) get(a);
      rowBlock(b);
      get(CROW);
      v128Load(b * 16);
      emit(simd(S.f32x4Mul));
      if (b >= NACC) emit(simd(S.f32x4Add));
      set(a);
    }
    foldAcc();
    get(CN);
    get(J);
    i32c(2);
    emit(op.i32Shl, op.i32Add);
    emit(op.f32Load, memarg(2, 0));
    hsum(ACC);
    emit(op.f32Const, [0x00, 0x00, 0x00, 0x40]); // 2.0f
    emit(op.f32Mul, op.f32Sub);
    tee(DIST);
    get(BEST);
    emit(op.f32Lt);
    set(COND);
    get(DIST);
    get(BEST);
    get(COND);
    emit(op.select);
    set(BEST);
    get(J);
    get(BJ);
    get(COND);
    emit(op.select);
    set(BJ);
    addTo(CROW, rowBytes);
    addTo(J, 1);
    loopClose();
    get(LABELS);
    get(I);
    i32c(2);
    emit(op.i32Shl, op.i32Add);
    get(BJ);
    emit(op.i32Store, memarg(2, 0));
  }
  // crow = c + bj * rowBytes; dist = ||x - c_bj||^2
  get(C);
  get(BJ);
  i32c(rowBytes);
  emit(op.i32Mul, op.i32Add);
  set(CROW);
  for (let b = 0; b < B; b++) {
    const a = ACC + (b % NACC);
    rowBlock(b);
    get(CROW);
    v128Load(b * 16);
    emit(simd(S.f32x4Sub));
    tee(TMP);
    get(TMP);
    emit(simd(S.f32x4Mul));
    if (b >= NACC) {
      get(a);
      emit(simd(S.f32x4Add));
    }
    set(a);
  }
  foldAcc();
  hsum(ACC);
  set(DIST);
  // mind[i] = dist; inertia += dist
  get(MIND);
  get(I);
  i32c(2);
  emit(op.i32Shl, op.i32Add);
  get(DIST);
  emit(op.f32Store, memarg(2, 0));
  get(INERTIA);
  get(DIST);
  emit(op.f64PromoteF32, op.f64Add);
  set(INERTIA);
  // if (sums) { sums[bj] += x (float64); counts[bj] += 1 }
  get(SUMS);
  emit(op.i32Eqz, op.i32Eqz, op.if, op.void);
  get(SUMS);
  get(BJ);
  i32c(dp * 8);
  emit(op.i32Mul, op.i32Add);
  set(CROW);
  for (let b = 0; b < B; b++) {
    get(CROW);
    get(CROW);
    emit(simd(S.v128Load), memarg(3, b * 32));
    rowBlock(b);
    emit(simd(S.f64x2PromoteLowF32x4), simd(S.f64x2Add));
    emit(simd(S.v128Store), memarg(3, b * 32));
    get(CROW);
    get(CROW);
    emit(simd(S.v128Load), memarg(3, b * 32 + 16));
    rowBlock(b);
    rowBlock(b);
    shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    emit(simd(S.f64x2PromoteLowF32x4), simd(S.f64x2Add));
    emit(simd(S.v128Store), memarg(3, b * 32 + 16));
  }
  get(COUNTS);
  get(BJ);
  i32c(2);
  emit(op.i32Shl, op.i32Add);
  tee(CROW);
  get(CROW);
  emit(op.i32Load, memarg(2, 0));
  i32c(1);
  emit(op.i32Add);
  emit(op.i32Store, memarg(2, 0));
  emit(op.end);
  addTo(XROW, rowBytes);
  addTo(I, 1);
  loopClose();
  get(INERTIA);
  emit(op.end);

  const nV128 = 11 + (keepRow ? B : 0);
  const assignLocals = [...uleb(4), ...uleb(11), I32, ...uleb(2), F32, ...uleb(1), F64, ...uleb(nV128), V128];
  const assignBody = [...assignLocals, ...code];

  // `dist2(x, n, p, out)`: out[i] = ||x_i - p||^2 in float64 (f32 inputs promoted, so it matches a float64 loop up to
  // the summation order) for the n rows of x; p is any dp-wide row (k-means++ passes a data row).
  code.length = 0; // the previous body was copied out
  {
    const [DX, DN, DP, DOUT] = [0, 1, 2, 3];
    const [DI, DROW] = [4, 5];
    const [A0, A1, DT] = [6, 7, 8];
    const highHalf = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
    get(DX);
    set(DROW);
    i32c(0);
    set(DI);
    loopOpen(DI, DN);
    for (let b = 0; b < B; b++) {
      for (const [acc, half] of [[A0, false], [A1, true]] as const) {
        if (b > 0) get(acc);
        get(DROW);
        v128Load(b * 16);
        if (half) {
          tee(DT);
          get(DT);
          shuffle(highHalf);
        }
        emit(simd(S.f64x2PromoteLowF32x4));
        get(DP);
        v128Load(b * 16);
        if (half) {
          tee(DT);
          get(DT);
          shuffle(highHalf);
        }
        emit(simd(S.f64x2PromoteLowF32x4), simd(S.f64x2Sub));
        tee(DT);
        get(DT);
        emit(simd(S.f64x2Mul));
        if (b > 0) emit(simd(S.f64x2Add));
        set(acc);
      }
    }
    get(DOUT);
    get(DI);
    i32c(3);
    emit(op.i32Shl, op.i32Add);
    get(A0);
    get(A1);
    emit(simd(S.f64x2Add));
    tee(A0);
    emit(simd(S.f64x2ExtractLane), 0);
    get(A0);
    emit(simd(S.f64x2ExtractLane), 1);
    emit(op.f64Add, op.f64Store, ...memarg(3, 0));
    addTo(DROW, rowBytes);
    addTo(DI, 1);
    loopClose();
    emit(op.end);
  }
  const distBody = [...uleb(2), ...uleb(2), I32, ...uleb(3), V128, ...code];

  return assembleModule({
    types: [{ params: new Array<number>(10).fill(I32), results: [F64] }, { params: [I32, I32, I32, I32], results: [] }],
    funcs: [{ type: 0, name: 'assign', body: assignBody }, { type: 1, name: 'dist2', body: distBody }],
    ...(shared ? { sharedMaxPages: 65536 } : {}),
  });
}
