/**
 * The k-means assignment kernel as a small WebAssembly SIMD module, generated here byte by byte (no toolchain, no
 * binary blob in the repository) and specialised for the width d and the number of centroids k, plus the code that
 * runs it on this thread and a small pool of worker threads.
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
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, Worker } from 'node:worker_threads';
import { F32, F64, I32, OP as op, V128, assembleModule, emitter, simd, sleb, uleb } from '../wasm/assembler';


// Opcodes: core ones from the assembler (`op`), fixed-width SIMD ones below.
const V128_LOAD = 0x00;
const V128_LOAD32_SPLAT = 0x09;
const V128_CONST = 0x0c;
const F32X4_LT = 0x43;
const V128_BITSELECT = 0x52;
const V128_STORE = 0x0b;
const I8X16_SHUFFLE = 0x0d;
const F32X4_EXTRACT_LANE = 0x1f;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F32X4_ADD = 0xe4;
const F32X4_SUB = 0xe5;
const F32X4_MUL = 0xe6;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;
const F64X2_EXTRACT_LANE = 0x21;

/** Keep the row in v128 locals when it is at most this many blocks of 4 (else reload it from memory, L1-hot). */
const MAX_ROW_LOCALS = 16;
/** Use the transposed scoring when k is at most this (its generated code grows by ~100 bytes per centroid). */
const MAX_TRANSPOSED_K = 1024;
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
  const v128Load = (offset: number): void => emit(simd(V128_LOAD), memarg(4, offset));
  const v128Const = (lanes: number[]): void => emit(simd(V128_CONST), Array.from(new Uint8Array(Int32Array.from(lanes).buffer)));
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
  const shuffle = (lanes: number[]): void => emit(simd(I8X16_SHUFFLE), lanes);
  /** v128 in local `l` -> f32 sum of its four lanes on the stack. */
  const hsum = (l: number): void => {
    get(l);
    get(l);
    get(l);
    shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);
    emit(simd(F32X4_ADD));
    tee(l);
    get(l);
    get(l);
    shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]);
    emit(simd(F32X4_ADD));
    emit(simd(F32X4_EXTRACT_LANE), 0);
  };
  /** ACC = sum of ACC..ACC+NACC-1. */
  const foldAcc = (): void => {
    for (let a = 1; a < NACC; a++) {
      get(ACC);
      get(ACC + a);
      emit(simd(F32X4_ADD));
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
        emit(simd(V128_STORE), memarg(4, (4 * b + m) * 16));
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
        emit(simd(V128_LOAD32_SPLAT), memarg(2, (j0 + q) * rowBytes + cOff));
        emit(simd(F32X4_MUL), simd(F32X4_ADD));
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
        emit(simd(V128_LOAD32_SPLAT), memarg(2, j * 4));
        get(ACC + q);
        get(ACC + q);
        emit(simd(F32X4_ADD), simd(F32X4_SUB));
        if (j === 0) {
          set(BESTV);
          v128Const([0, 0, 0, 0]);
          set(IDXV);
          continue;
        }
        tee(TMP);
        get(BESTV);
        emit(simd(F32X4_LT));
        set(T2);
        get(TMP);
        get(BESTV);
        get(T2);
        emit(simd(V128_BITSELECT));
        set(BESTV);
        v128Const([j, j, j, j]);
        get(IDXV);
        get(T2);
        emit(simd(V128_BITSELECT));
        set(IDXV);
      }
      j0 += G;
    }
    get(LP);
    get(IDXV);
    emit(simd(V128_STORE), memarg(4, 0));
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
      emit(simd(F32X4_MUL));
      if (b >= NACC) emit(simd(F32X4_ADD));
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
    emit(simd(F32X4_SUB));
    tee(TMP);
    get(TMP);
    emit(simd(F32X4_MUL));
    if (b >= NACC) {
      get(a);
      emit(simd(F32X4_ADD));
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
    emit(simd(V128_LOAD), memarg(3, b * 32));
    rowBlock(b);
    emit(simd(F64X2_PROMOTE_LOW_F32X4), simd(F64X2_ADD));
    emit(simd(V128_STORE), memarg(3, b * 32));
    get(CROW);
    get(CROW);
    emit(simd(V128_LOAD), memarg(3, b * 32 + 16));
    rowBlock(b);
    rowBlock(b);
    shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    emit(simd(F64X2_PROMOTE_LOW_F32X4), simd(F64X2_ADD));
    emit(simd(V128_STORE), memarg(3, b * 32 + 16));
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
        emit(simd(F64X2_PROMOTE_LOW_F32X4));
        get(DP);
        v128Load(b * 16);
        if (half) {
          tee(DT);
          get(DT);
          shuffle(highHalf);
        }
        emit(simd(F64X2_PROMOTE_LOW_F32X4), simd(F64X2_SUB));
        tee(DT);
        get(DT);
        emit(simd(F64X2_MUL));
        if (b > 0) emit(simd(F64X2_ADD));
        set(acc);
      }
    }
    get(DOUT);
    get(DI);
    i32c(3);
    emit(op.i32Shl, op.i32Add);
    get(A0);
    get(A1);
    emit(simd(F64X2_ADD));
    tee(A0);
    emit(simd(F64X2_EXTRACT_LANE), 0);
    get(A0);
    emit(simd(F64X2_EXTRACT_LANE), 1);
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

// ---------------------------------------------------------------------------------------------------------------
// Running the kernel: one shared wasm memory, rows split into fixed chunks that the calling thread and a small pool
// of worker threads claim with an atomic counter. Every chunk writes its own partial sums, counts and inertia, and
// the caller folds them in chunk order, so the result does not depend on how many threads ran or which ran what.
// ---------------------------------------------------------------------------------------------------------------

/** Most threads (this one + workers) the kernel runs on; also the number of per-thread scratch slots. */
export const MAX_THREADS = 4;

/** Int32 slots of the control block shared with the workers. */
const enum Slot {
  /** Job generation: even = a job is open for claiming, odd = closed. */
  Gen = 0,
  /** Workers currently inside the open job (they read its parameters only while counted here). */
  Busy = 1,
  /** Next chunk to claim. */
  Next = 2,
  Stop = 3,
  /** Configuration id: which memory + module the job uses (sent over the port beforehand). */
  Cfg = 4,
  /** Set by a worker whose chunk threw: the caller then recomputes the job alone and stops using the pool. */
  Failed = 5,
  /** Workers with index >= this sit the job out (`threads - 1`). */
  Workers = 6,
  X = 7,
  Scratch = 8,
  ScratchStride = 9,
  C = 10,
  K = 11,
  Cn = 12,
  Labels = 13,
  Mind = 14,
  Sums = 15,
  Counts = 16,
  N = 17,
  ChunkRows = 18,
  NChunks = 19,
  Res = 20,
  RowBytes = 21,
  SumStride = 22,
  CountStride = 23,
  DoSums = 24,
  Size = 28,
}

/**
 * Worker body (CommonJS, run with `eval: true` so it needs no file next to the bundle). It sleeps on `Gen`; in an
 * open job it joins (`Busy`), re-checks the job is still open, loads the job's memory and module if they changed,
 * then claims chunks until none is left. Worker w uses scratch slot w + 1 (slot 0 is the caller's).
 */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const ctrl = new Int32Array(workerData.ctrl);
const port = workerData.port;
const index = workerData.index;
let cfg = -1, assign = null, memory = null, seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${Slot.Gen}, seen);
  const g = Atomics.load(ctrl, ${Slot.Gen});
  seen = g;
  if (Atomics.load(ctrl, ${Slot.Stop}) !== 0) break;
  if (g & 1) continue;
  Atomics.add(ctrl, ${Slot.Busy}, 1);
  try {
    if (Atomics.load(ctrl, ${Slot.Gen}) !== g || index >= ctrl[${Slot.Workers}]) continue;
    const id = ctrl[${Slot.Cfg}];
    while (cfg !== id) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) break;
      if (m.message.id === id) {
        memory = m.message.memory;
        assign = new WebAssembly.Instance(m.message.module, { env: { memory } }).exports.assign;
        cfg = id;
      }
    }
    if (cfg !== id) continue;
    const p = ctrl.slice(0, ${Slot.Size});
    const res = new Float64Array(memory.buffer, p[${Slot.Res}], p[${Slot.NChunks}]);
    const scratch = p[${Slot.Scratch}] + (index + 1) * p[${Slot.ScratchStride}];
    try {
      for (;;) {
        const ch = Atomics.add(ctrl, ${Slot.Next}, 1);
        if (ch >= p[${Slot.NChunks}]) break;
        const start = ch * p[${Slot.ChunkRows}];
        const rows = Math.min(p[${Slot.ChunkRows}], p[${Slot.N}] - start);
        res[ch] = assign(p[${Slot.X}] + start * p[${Slot.RowBytes}], scratch, rows, p[${Slot.C}], p[${Slot.K}], p[${Slot.Cn}],
          p[${Slot.Labels}] + start * 4, p[${Slot.Mind}] + start * 4,
          p[${Slot.DoSums}] ? p[${Slot.Sums}] + ch * p[${Slot.SumStride}] : 0, p[${Slot.Counts}] + ch * p[${Slot.CountStride}]);
      }
    } catch (e) {
      Atomics.store(ctrl, ${Slot.Failed}, 1);
    }
  } finally {
    Atomics.sub(ctrl, ${Slot.Busy}, 1);
    Atomics.notify(ctrl, ${Slot.Busy});
  }
}
`;

interface Pool {
  ctrl: Int32Array;
  ports: MessagePort[];
  nextCfg: number;
}

let pool: Pool | undefined;
let poolFailed = false;

/** Lazily starts up to `size` worker threads (kept for the process, unref'd); undefined where workers are unavailable. */
function getPool(size: number): Pool | undefined {
  if (poolFailed || size < 1) return pool;
  if (pool && pool.ports.length >= size) return pool;
  try {
    let ctrl = pool?.ctrl;
    if (!ctrl) {
      ctrl = new Int32Array(new SharedArrayBuffer(Slot.Size * 4));
      ctrl[Slot.Gen] = 1; // closed
    }
    const ports = pool?.ports ?? [];
    for (let w = ports.length; w < size; w++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl: ctrl.buffer, port: port2, index: w }, transferList: [port2] });
      worker.unref();
      port1.unref();
      worker.on('error', () => undefined); // a dead worker just stops claiming chunks; the caller does the rest
      ports.push(port1);
    }
    pool = { ctrl, ports, nextCfg: pool?.nextCfg ?? 1 };
  } catch {
    poolFailed = true;
  }
  return pool;
}

/** Stops the pool's workers after a failure; later calls run on the calling thread only. */
function abandonPool(p: Pool): void {
  poolFailed = true;
  Atomics.store(p.ctrl, Slot.Stop, 1);
  Atomics.add(p.ctrl, Slot.Gen, 2);
  Atomics.notify(p.ctrl, Slot.Gen);
  if (pool === p) pool = undefined;
}

const moduleCache = new Map<string, { bytes: Uint8Array; module: WebAssembly.Module }>();
let simdSupported: boolean | undefined;

/** Whether this runtime has WebAssembly with fixed-width SIMD (validates a generated module once). */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(buildAssignModule(4, true, 4));
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

function compiled(d: number, k: number | undefined): { bytes: Uint8Array; module: WebAssembly.Module } {
  const key = `${d}x${k}`;
  let m = moduleCache.get(key);
  if (!m) {
    const bytes = buildAssignModule(d, true, k);
    m = { bytes, module: new WebAssembly.Module(bytes) };
    if (moduleCache.size >= 32) moduleCache.clear();
    moduleCache.set(key, m);
  }
  return m;
}

/**
 * A shared wasm memory kept between calls (up to ARENA_KEEP_BYTES) so repeated k-means runs on the same data
 * (restarts, suggestK, benches) do not pay fresh page faults; `inUse` makes a second live assigner get its own.
 */
let arena: { memory: WebAssembly.Memory; bytes: number; inUse: boolean } | undefined;
const ARENA_KEEP_BYTES = 256 * 2 ** 20;

function takeMemory(bytes: number): { memory: WebAssembly.Memory; release: () => void } {
  if (arena && !arena.inUse && arena.bytes >= bytes) {
    const a = arena;
    a.inUse = true;
    return { memory: a.memory, release: () => void (a.inUse = false) };
  }
  const pages = Math.ceil(bytes / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  if (bytes <= ARENA_KEEP_BYTES && (!arena || !arena.inUse)) {
    const a = { memory, bytes: pages * 65536, inUse: true };
    arena = a;
    return { memory, release: () => void (a.inUse = false) };
  }
  return { memory, release: () => undefined };
}

export interface WasmAssigner {
  /**
   * Labels every point, fills `dists` (squared distance to its centroid) and returns the inertia; with
   * `sums`/`counts`, adds each cluster's float64 coordinate sums and sizes into them.
   */
  assign(centroids: Float32Array, labels: Int32Array, dists: Float64Array, sums?: Float64Array, counts?: Float64Array): number;
  /** `out[i] = ||x_i - x_row||^2` for every point, in float64 (for k-means++ seeding; this thread only). */
  sqDistToRow(row: number, out: Float64Array): void;
  /** Hands the wasm memory back for reuse; the assigner must not be used afterwards. */
  dispose(): void;
}

/** Rows per chunk: a multiple of 4, enough to amortise a claim, at most ~64 chunks (bounds the partial sums). */
function chunkRowsFor(n: number): number {
  return Math.ceil(Math.max(2048, Math.ceil(n / 64)) / 4) * 4;
}

/**
 * Copies the `n x d` data into a shared wasm memory (rows padded to a multiple of 4) and returns an assigner that
 * runs the SIMD kernel over it on this thread plus up to `threads - 1` pool workers (at most MAX_THREADS in all).
 * Results are identical for any thread count. `layout: 'rows'` forces the row-wise scoring (used for
 * k > MAX_TRANSPOSED_K; tests compare both). Throws where WebAssembly SIMD is unavailable (check
 * `wasmSimdSupported` first) or the data exceed the 2 GiB the kernel addresses.
 */
export function createWasmAssigner(data: Float32Array, n: number, d: number, k: number, threads: number, layout: 'auto' | 'rows' = 'auto'): WasmAssigner {
  const dp = Math.ceil(d / 4) * 4;
  const rowBytes = dp * 4;
  const chunkRows = chunkRowsFor(n);
  const nChunks = Math.ceil(n / chunkRows);
  const n4 = Math.ceil(n / 4) * 4;
  const transposed = layout === 'auto' && k <= MAX_TRANSPOSED_K;
  const align = (v: number): number => Math.ceil(v / 16) * 16;
  const offX = 0;
  const offScratch = align(offX + n4 * rowBytes);
  const scratchStride = dp * 16;
  const offC = align(offScratch + MAX_THREADS * scratchStride);
  const offCn = align(offC + k * rowBytes);
  const offLabels = align(offCn + k * 4);
  const offMind = align(offLabels + n4 * 4);
  const offRes = align(offMind + n * 4);
  const offSums = align(offRes + nChunks * 8);
  const sumStride = k * dp * 8;
  const offCounts = align(offSums + nChunks * sumStride);
  const countStride = k * 4;
  const offDist = align(offCounts + nChunks * countStride);
  const end = offDist + n * 8;
  if (end > 2 ** 31) throw new Error(`k-means wasm kernel: ${end} bytes exceed the 2 GiB it addresses`);
  const { module } = compiled(d, transposed ? k : undefined);
  const { memory, release } = takeMemory(end);
  let released = false;
  const dispose = (): void => {
    if (!released) release();
    released = true;
  };
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const kernel = exports.assign as (...args: number[]) => number;
    const dist2 = exports.dist2 as (x: number, n: number, p: number, out: number) => void;
    const buf = memory.buffer;
    const x = new Float32Array(buf, offX, n4 * dp);
    if (dp === d) x.set(data.subarray(0, n * d));
    else {
      x.fill(0, 0, n * dp);
      for (let i = 0; i < n; i++) x.set(data.subarray(i * d, i * d + d), i * dp);
    }
    x.fill(0, n * dp); // pad rows of the last block of 4
    const c = new Float32Array(buf, offC, k * dp);
    c.fill(0);
    const cn = new Float32Array(buf, offCn, k);
    const labelsView = new Int32Array(buf, offLabels, n);
    const mindView = new Float32Array(buf, offMind, n);
    const res = new Float64Array(buf, offRes, nChunks);
    const sumsView = new Float64Array(buf, offSums, nChunks * k * dp);
    const countsView = new Int32Array(buf, offCounts, nChunks * k);
    const distView = new Float64Array(buf, offDist, n);

    const workers = Math.min(threads, MAX_THREADS, nChunks) - 1;
    let p = workers > 0 ? getPool(workers) : undefined;
    let cfg = 0;
    if (p) {
      cfg = p.nextCfg++;
      for (const port of p.ports) port.postMessage({ id: cfg, memory, module });
    }

    const runChunk = (ch: number, doSums: boolean): void => {
      const start = ch * chunkRows;
      const rows = Math.min(chunkRows, n - start);
      res[ch] = kernel(offX + start * rowBytes, offScratch, rows, offC, k, offCn, offLabels + start * 4, offMind + start * 4, doSums ? offSums + ch * sumStride : 0, offCounts + ch * countStride);
    };

    /** Runs every chunk: claimed by this thread and the pool's workers in an open job, or all here. */
    const runAll = (doSums: boolean): void => {
      if (!p) {
        for (let ch = 0; ch < nChunks; ch++) runChunk(ch, doSums);
        return;
      }
      const ctrl = p.ctrl;
      // The generation is closed (odd): no worker reads the parameters while they are written.
      const params: [Slot, number][] = [
        [Slot.Cfg, cfg],
        [Slot.Workers, workers],
        [Slot.X, offX],
        [Slot.Scratch, offScratch],
        [Slot.ScratchStride, scratchStride],
        [Slot.C, offC],
        [Slot.K, k],
        [Slot.Cn, offCn],
        [Slot.Labels, offLabels],
        [Slot.Mind, offMind],
        [Slot.Sums, offSums],
        [Slot.Counts, offCounts],
        [Slot.N, n],
        [Slot.ChunkRows, chunkRows],
        [Slot.NChunks, nChunks],
        [Slot.Res, offRes],
        [Slot.RowBytes, rowBytes],
        [Slot.SumStride, sumStride],
        [Slot.CountStride, countStride],
        [Slot.DoSums, doSums ? 1 : 0],
      ];
      for (const [slot, v] of params) Atomics.store(ctrl, slot, v);
      Atomics.store(ctrl, Slot.Next, 0);
      Atomics.add(ctrl, Slot.Gen, 1); // open
      Atomics.notify(ctrl, Slot.Gen);
      for (;;) {
        const ch = Atomics.add(ctrl, Slot.Next, 1);
        if (ch >= nChunks) break;
        runChunk(ch, doSums);
      }
      Atomics.add(ctrl, Slot.Gen, 1); // closed: latecomers back off without touching the job
      for (;;) {
        const busy = Atomics.load(ctrl, Slot.Busy);
        if (busy === 0) break;
        Atomics.wait(ctrl, Slot.Busy, busy, 100);
      }
      if (Atomics.load(ctrl, Slot.Failed) !== 0) {
        abandonPool(p);
        p = undefined;
        if (doSums) {
          sumsView.fill(0);
          countsView.fill(0);
        }
        for (let ch = 0; ch < nChunks; ch++) runChunk(ch, doSums);
      }
    };

    const assign = (centroids: Float32Array, labels: Int32Array, dists: Float64Array, sums?: Float64Array, counts?: Float64Array): number => {
      if (released) throw new Error('k-means wasm assigner used after dispose');
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) {
          const v = centroids[j * d + t];
          c[j * dp + t] = v;
          s += v * v;
        }
        cn[j] = s;
      }
      const doSums = sums !== undefined && counts !== undefined;
      if (doSums) {
        sumsView.fill(0);
        countsView.fill(0);
      }
      runAll(doSums);
      labels.set(labelsView);
      dists.set(mindView);
      let inertia = 0;
      for (let ch = 0; ch < nChunks; ch++) inertia += res[ch];
      if (doSums) {
        for (let ch = 0; ch < nChunks; ch++) {
          const so = ch * k * dp;
          for (let j = 0; j < k; j++) {
            counts[j] += countsView[ch * k + j];
            for (let t = 0; t < d; t++) sums[j * d + t] += sumsView[so + j * dp + t];
          }
        }
      }
      return inertia;
    };
    const sqDistToRow = (row: number, out: Float64Array): void => {
      if (released) throw new Error('k-means wasm assigner used after dispose');
      if (!Number.isInteger(row) || row < 0 || row >= n) throw new Error(`row ${row} out of range 0..${n - 1}`);
      dist2(offX, n, offX + row * rowBytes, offDist);
      out.set(distView);
    };
    return { assign, sqDistToRow, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
