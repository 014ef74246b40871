/**
 * A generated WebAssembly SIMD GEMM that works in place on a wasm heap (it imports the memory), specialised per shape
 * so that every stride is a constant in the code. Used by the wasm kernel fixes (wasmKernels.ts) for every dense
 * product and the im2col convolutions, on one thread or split over the compute pool (gemmRun.ts).
 */
import { I32, OP as W, SIMD_OP as S, V128, assembleModule, emitter, simd as simdOp, sleb, uleb } from './wasm/assembler';


/** Shape and epilogue of one generated GEMM: `C[M,N] = op(A)·B (+ bias[N]) (relu)`. */
export interface GemmSpec {
  m: number;
  n: number;
  k: number;
  /** A is stored `[K, M]` (the product uses Aᵀ); otherwise `[M, K]`. */
  transA: boolean;
  /** B is stored `[N, K]` (the product uses Bᵀ; the module then packs it first, see `buildGemmModule`). */
  transB: boolean;
  bias: boolean;
  relu: boolean;
  /** Multiply-add with `f32x4.relaxed_madd` (one FMA where the CPU has it) instead of `f32x4.mul` + `f32x4.add`. */
  fma?: boolean;
  /** `C += op(A)·B` (C's values are the starting sums; no bias). */
  accumulate?: boolean;
  /**
   * Leading dimensions, for a block of a larger product (see gemmRun.ts): with transA, floats between A's rows
   * (default M); floats between C's rows, and between B's rows when B is not packed (default N).
   */
  lda?: number;
  ldc?: number;
  /** Whether B comes packed into column panels (default: transB or M >= GEMM_PACK_MIN_M; see `buildGemmModule`). */
  packB?: boolean;
}

/** Whether the module for `spec` reads B packed into column panels (and exports `pack`). */
export function gemmPacksB(spec: GemmSpec): boolean {
  return spec.packB ?? (spec.transB || spec.m >= GEMM_PACK_MIN_M);
}

/** Rows of C per register tile (4 x 8 = 8 f32x4 accumulators, 11 live v128 in the k loop; 3, 5, 6 measured slower). */
const GEMM_MR = 4;
/** Bytes of A rows per chunk (half of a 1 MiB L2). */
const GEMM_CHUNK_BYTES = 512 * 1024;
/** Longest k range per pass over C. */
const GEMM_KC = 512;
/** k steps per trip of the inner loop. */
/** Pack B into column panels from this many rows of C up (for a few rows, one pass over B costs about as much as the product). */
const GEMM_PACK_MIN_M = 16;
const GEMM_KU = 1; // measured: 2 and 4 are 1.3-1.9x slower (TurboFan hoists all loads of a trip and spills)

/**
 * Builds a wasm module (importing `env.memory`) exporting `gemm(a, b, c, bias)` — all byte offsets into the memory —
 * that computes `C[i, j] = Σ_k A'[i, k]·B'[k, j] (+ bias[j])`, `max(·, 0)` with `relu`, where A' is A or Aᵀ and B' is
 * B or Bᵀ. The product goes in 4 x 8 register tiles (4 x 4 at a right edge with N ≡ 4 mod 8, fewer rows at the
 * bottom edge): each step of the k loop loads one row of the B panel (2 f32x4), broadcasts the 4 A values
 * (`v128.load32_splat`, so a transposed A only changes the constant offsets) and does 8 multiply-adds: `f32x4.mul`
 * + `f32x4.add`, or with `fma` one `f32x4.relaxed_madd` each (an FMA instruction on x64 with FMA3; measured on one
 * Zen 4 core at the dense AE's shapes: 44-54 GFLOP/s against 36-43 for mul + add, whose loop is bound by how many
 * instructions the core can issue, not by its FP units). Sums run in
 * increasing k, one product at a time, like the cpu backend; K longer than GEMM_KC goes in passes (partial sums
 * through C) and M in chunks of rows that stay in L2.
 *
 * With a transposed B, or M >= GEMM_PACK_MIN_M, the module also exports `pack(b, scratch)`, which writes B' as column
 * panels: the `K x 8` panel of columns j..j+7 at float offset j·K, row-major (the 4-wide last one likewise), so the
 * k loop reads one contiguous 32-byte row per step (measured 10-20% faster than striding over B's rows); for Bᵀ it
 * is a 4 x 4 shuffle transpose straight into that layout. `gemm` then takes the scratch as b. Requires N and (with
 * transB) K divisible by 4.
 */
export function buildGemmModule(spec: GemmSpec): Uint8Array {
  const { m: M, n: N, k: K, transA, transB, bias, relu } = spec;
  const fma = spec.fma === true;
  const accumulate = spec.accumulate === true;
  if (accumulate && bias) throw new Error('GEMM: accumulate and bias together are not supported');
  if (N % 4 !== 0 || M < 1 || K < 1 || (transB && K % 4 !== 0)) throw new Error(`unsupported GEMM shape ${JSON.stringify(spec)}`);
  const [A, B, C, BIAS] = [0, 1, 2, 3];
  const [J, I, AP, BP, BEND, CP, I0, IEND] = [4, 5, 6, 7, 8, 9, 10, 11];
  const ACC = 12; // 2·GEMM_MR accumulators
  const [B0, B1, SPL] = [ACC + 2 * GEMM_MR, ACC + 2 * GEMM_MR + 1, ACC + 2 * GEMM_MR + 2];
  const rowStepA = transA ? 4 : K * 4; // bytes between A'[i, k] and A'[i + 1, k]
  const kStepA = transA ? (spec.lda ?? M) * 4 : 4; // bytes between A'[i, k] and A'[i, k + 1]
  const rowBytesC = (spec.ldc ?? N) * 4;
  const packedB = gemmPacksB(spec);
  if (transB && !packedB) throw new Error('GEMM: a transposed B must be packed');
  const code: number[] = [];
  const emit = emitter(code);
  const get = (l: number): void => emit(W.localGet, uleb(l));
  const set = (l: number): void => emit(W.localSet, uleb(l));
  const i32c = (v: number): void => emit(W.i32Const, sleb(v));
  const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
  const addTo = (l: number, v: number): void => {
    get(l);
    i32c(v);
    emit(W.i32Add);
    set(l);
  };
  const zero = (): void => emit(simdOp(S.v128Const), new Array<number>(16).fill(0));

  /** The k range of the current pass (see `kBlocks`), and whether it is the first / last one. */
  let k0 = 0;
  let kLen = K;
  let firstK = true;
  let lastK = true;
  /** One mr x (4·nv) tile of C at row I (local) and byte column J (local), over the current k range. */
  const tile = (mr: number, nv: number): void => {
    get(C);
    get(I);
    i32c(rowBytesC);
    emit(W.i32Mul, W.i32Add);
    get(J);
    emit(W.i32Add);
    set(CP);
    get(A);
    get(I);
    i32c(rowStepA);
    emit(W.i32Mul, W.i32Add);
    if (k0 > 0) {
      i32c(k0 * kStepA);
      emit(W.i32Add);
    }
    set(AP);
    // B row stride: N·4 bytes, or the panel width when B is packed (panel of column block J at byte J·K).
    const bStride = packedB ? nv * 16 : rowBytesC;
    get(B);
    get(J);
    if (packedB) {
      i32c(K);
      emit(W.i32Mul);
    }
    emit(W.i32Add);
    if (k0 > 0) {
      i32c(k0 * bStride);
      emit(W.i32Add);
    }
    set(BP);
    get(BP);
    i32c((kLen - (kLen % GEMM_KU)) * bStride);
    emit(W.i32Add);
    set(BEND);
    for (let r = 0; r < mr; r++) {
      for (let c = 0; c < nv; c++) {
        if (!firstK || accumulate) {
          get(CP);
          emit(simdOp(S.v128Load), memarg(4, r * rowBytesC + c * 16));
        } else if (bias) {
          get(BIAS);
          get(J);
          emit(W.i32Add, simdOp(S.v128Load), memarg(4, c * 16));
        } else zero();
        set(ACC + r * 2 + c);
      }
    }
    /** One k step at `u` steps past the pointers: 2 B loads, mr broadcasts, 2·mr multiply-adds. */
    const kStep = (u: number): void => {
      get(BP);
      emit(simdOp(S.v128Load), memarg(4, u * bStride));
      set(B0);
      if (nv === 2) {
        get(BP);
        emit(simdOp(S.v128Load), memarg(4, u * bStride + 16));
        set(B1);
      }
      for (let r = 0; r < mr; r++) {
        get(AP);
        emit(simdOp(S.v128Load32Splat), memarg(2, r * rowStepA + u * kStepA));
        set(SPL);
        for (let c = 0; c < nv; c++) {
          if (fma) {
            get(SPL);
            get(c === 0 ? B0 : B1);
            get(ACC + r * 2 + c);
            emit(simdOp(S.f32x4RelaxedMadd)); // a·b + c
          } else {
            get(ACC + r * 2 + c);
            get(SPL);
            get(c === 0 ? B0 : B1);
            emit(simdOp(S.f32x4Mul), simdOp(S.f32x4Add));
          }
          set(ACC + r * 2 + c);
        }
      }
    };
    const kMain = kLen - (kLen % GEMM_KU);
    if (kMain > 0) {
      emit(W.loop, W.void);
      for (let u = 0; u < GEMM_KU; u++) kStep(u);
      addTo(AP, GEMM_KU * kStepA);
      addTo(BP, GEMM_KU * bStride);
      get(BP);
      get(BEND);
      emit(W.i32LtU, W.brIf, 0, W.end);
    }
    for (let u = 0; u < kLen - kMain; u++) kStep(u);
    for (let r = 0; r < mr; r++) {
      for (let c = 0; c < nv; c++) {
        get(CP);
        get(ACC + r * 2 + c);
        if (relu && lastK) {
          zero();
          emit(simdOp(S.f32x4Max));
        }
        emit(simdOp(S.v128Store), memarg(4, r * rowBytesC + c * 16));
      }
    }
  };
  const mMain = M - (M % GEMM_MR);
  const nMain = N - (N % 8);
  // Rows of A per chunk: the chunk's rows stay in L2 while every column block of B passes over them.
  const mc = Math.max(GEMM_MR, Math.floor(GEMM_CHUNK_BYTES / (K * 4) / GEMM_MR) * GEMM_MR);
  /**
   * `rows(nv)` for every column block, with the byte column in local `col`: 0, 32, ... over the 8-wide blocks, then
   * the 4-wide one if N ≡ 4 mod 8. Used by the GEMM body (col = J) and the B-packing body.
   */
  const columns = (rows: (nv: number) => void, col = J): void => {
    if (nMain > 0) {
      i32c(0);
      set(col);
      emit(W.loop, W.void);
      rows(2);
      addTo(col, 32);
      get(col);
      i32c(nMain * 4);
      emit(W.i32LtU, W.brIf, 0, W.end);
    }
    if (N > nMain) {
      i32c(nMain * 4);
      set(col);
      rows(1);
    }
  };
  // Long k ranges go in passes of GEMM_KC (the first starts from the bias or 0, later ones from the partial C; relu
  // on the last), so that a tile's A rows and B panel stay in L1 whatever K is. The sums still run in increasing k.
  const kBlocks = Math.ceil(K / GEMM_KC);
  for (let kb = 0; kb < kBlocks; kb++) {
    k0 = kb * GEMM_KC;
    kLen = Math.min(GEMM_KC, K - k0);
    firstK = kb === 0;
    lastK = kb === kBlocks - 1;
    if (mMain > 0) {
      i32c(0);
      set(I0);
      emit(W.loop, W.void); // over chunks of mc rows: IEND = min(I0 + mc, mMain)
      get(I0);
      i32c(mc);
      emit(W.i32Add);
      set(IEND);
      get(IEND);
      i32c(mMain);
      get(IEND);
      i32c(mMain);
      emit(W.i32LtU, W.select);
      set(IEND);
      columns((nv) => {
        get(I0);
        set(I);
        emit(W.loop, W.void);
        tile(GEMM_MR, nv);
        addTo(I, GEMM_MR);
        get(I);
        get(IEND);
        emit(W.i32LtU, W.brIf, 0, W.end);
      });
      addTo(I0, mc);
      get(I0);
      i32c(mMain);
      emit(W.i32LtU, W.brIf, 0, W.end);
    }
    if (M > mMain) {
      columns((nv) => {
        i32c(mMain);
        set(I);
        tile(M - mMain, nv);
      });
    }
  }
  emit(W.end);
  const gemmBody = [...uleb(2), ...uleb(8), I32, ...uleb(2 * GEMM_MR + 3), V128, ...code];

  const bodies = [gemmBody];
  if (transB) {
    // pack(src, dst) for Bᵀ: src [N, K] -> dst [K, N] (column panels when packedB), 4 x 4 blocks. Locals: 0 src, 1 dst, 2 row block (bytes into src),
    // 3 column offset, 4 src pointer, 5 dst pointer; v128 6..9 rows, 10..13 interleaved halves.
    code.length = 0; // the previous body was copied out
    const [SRC, DST, RB, CB, SP, DP] = [0, 1, 2, 3, 4, 5];
    const R0 = 6;
    const T0 = 10;
    const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
    const hi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
    const lo64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
    const hi64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
    const srcRow = K * 4;
    const dstRow = N * 4;
    const nMainTb = N - (N % 8);
    /** Blocks of 4 src rows RB in [from, to), writing dst rows `ps` bytes apart (ps = N·4 unpacked). */
    const rowBlocks = (from: number, to: number, ps: number): void => {
      i32c(from);
      set(RB);
      emit(W.loop, W.void); // over blocks of 4 src rows (= 4 dst columns)
      get(SRC);
      get(RB);
      i32c(srcRow);
      emit(W.i32Mul, W.i32Add);
      set(SP);
      get(DST);
      if (packedB) {
        // panel of column j0 = RB: (j0 >> 3)·K·32, then (j0 & 7)·4 inside it
        get(RB);
        emit(W.i32Const, 3, 0x76); // i32.shr_u
        i32c(K * 32);
        emit(W.i32Mul, W.i32Add);
        get(RB);
        emit(W.i32Const, 7, 0x71, W.i32Const, 4, W.i32Mul, W.i32Add);
      } else {
        get(RB);
        i32c(4);
        emit(W.i32Mul, W.i32Add);
      }
      set(DP);
      i32c(0);
      set(CB);
      emit(W.loop, W.void); // over blocks of 4 src columns (= 4 dst rows)
      for (let q = 0; q < 4; q++) {
        get(SP);
        emit(simdOp(S.v128Load), memarg(4, q * srcRow));
        set(R0 + q);
      }
      const pairs: [number, number, number[]][] = [
        [R0, R0 + 1, lo],
        [R0 + 2, R0 + 3, lo],
        [R0, R0 + 1, hi],
        [R0 + 2, R0 + 3, hi],
      ];
      pairs.forEach(([a, b, pat], t) => {
        get(a);
        get(b);
        emit(simdOp(S.i8x16Shuffle), pat);
        set(T0 + t);
      });
      const cols: [number, number, number[]][] = [
        [T0, T0 + 1, lo64],
        [T0, T0 + 1, hi64],
        [T0 + 2, T0 + 3, lo64],
        [T0 + 2, T0 + 3, hi64],
      ];
      cols.forEach(([a, b, pat], q) => {
        get(DP);
        get(a);
        get(b);
        emit(simdOp(S.i8x16Shuffle), pat);
        emit(simdOp(S.v128Store), memarg(4, q * ps));
      });
      addTo(SP, 16);
      addTo(DP, 4 * ps);
      addTo(CB, 4);
      get(CB);
      i32c(K);
      emit(W.i32LtU, W.brIf, 0, W.end);
      addTo(RB, 4);
      get(RB);
      i32c(to);
      emit(W.i32LtU, W.brIf, 0, W.end);
    };
    if (!packedB) rowBlocks(0, N, dstRow);
    else {
      if (nMainTb > 0) rowBlocks(0, nMainTb, 32);
      if (N > nMainTb) rowBlocks(nMainTb, N, 16);
    }
    emit(W.end);
    bodies.push([...uleb(2), ...uleb(4), I32, ...uleb(8), V128, ...code]);
  }

  if (packedB && !transB) {
    // pack(src, dst): B [K, N] -> its column panels (see buildGemmModule's comment). Locals: 0 src, 1 dst, 2 column
    // byte offset, 3 src pointer, 4 dst pointer, 5 dst end.
    code.length = 0; // the previous body was copied out
    const [SRC, DST, JB, SP, DP, DEND] = [0, 1, 2, 3, 4, 5];
    /** Copies the panel at byte column JB (local), `width` bytes per row of B. */
    const panel = (width: number): void => {
      get(SRC);
      get(JB);
      emit(W.i32Add);
      set(SP);
      get(DST);
      get(JB);
      i32c(K);
      emit(W.i32Mul, W.i32Add);
      set(DP);
      get(DP);
      i32c(K * width);
      emit(W.i32Add);
      set(DEND);
      emit(W.loop, W.void);
      for (let o = 0; o < width; o += 16) {
        get(DP);
        get(SP);
        emit(simdOp(S.v128Load), memarg(4, o), simdOp(S.v128Store), memarg(4, o));
      }
      addTo(SP, rowBytesC);
      addTo(DP, width);
      get(DP);
      get(DEND);
      emit(W.i32LtU, W.brIf, 0, W.end);
    };
    columns((nv) => panel(16 * nv), JB);
    emit(W.end);
    bodies.push([...uleb(1), ...uleb(4), I32, ...code]);
  }

  return assembleModule({
    types: [{ params: [I32, I32, I32, I32], results: [] }, { params: [I32, I32], results: [] }],
    funcs: bodies.map((body, i) => (i === 0 ? { type: 0, name: 'gemm', body } : { type: 1, name: 'pack', body })),
  });
}

