/**
 * A generated WebAssembly SIMD GEMM that works in place on a wasm heap (it imports the memory), specialised per shape
 * so that every stride is a constant in the code. Used by the wasm kernel fixes (registry.ts) for every dense
 * product and the im2col convolutions, on one thread or split over the compute pool (gemmRun.ts).
 */
import { I32, OP as op, SIMD_OP as S, V128, assembleModule, simd } from './wasm/assembler';
import { BodyWriter, localsDecl, memarg } from './wasm/bodyWriter';
import { emitColumns, packPanelsBody, packTransposedBody } from './gemmPack';
import type { PackShape } from './gemmPack';

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
/** Pack B into column panels from this many rows of C up (for a few rows, one pass over B costs about as much as the product). */
const GEMM_PACK_MIN_M = 16;
/** k steps per trip of the inner loop (measured: 2 and 4 are 1.3-1.9x slower; TurboFan hoists all loads of a trip and spills). */
const GEMM_KU = 1;

// Locals of `gemm`: its parameters (byte offsets), 8 i32, then 2·GEMM_MR accumulators, two B rows and a broadcast.
const [A, B, C, BIAS] = [0, 1, 2, 3];
const [J, I, AP, BP, BEND, CP, I0, IEND] = [4, 5, 6, 7, 8, 9, 10, 11];
const ACC = 12;
const [B0, B1, SPL] = [ACC + 2 * GEMM_MR, ACC + 2 * GEMM_MR + 1, ACC + 2 * GEMM_MR + 2];
/** The accumulator of tile row r, column vector c. */
const acc = (r: number, c: number): number => ACC + r * 2 + c;

/** What the emitters of one GEMM module depend on: the spec's shape and flags, and the strides and blocking they imply. */
interface GemmLayout extends PackShape {
  m: number;
  bias: boolean;
  relu: boolean;
  fma: boolean;
  accumulate: boolean;
  packedB: boolean;
  /** Bytes between A'[i, k] and A'[i + 1, k]. */
  rowStepA: number;
  /** Bytes between A'[i, k] and A'[i, k + 1]. */
  kStepA: number;
  rowBytesC: number;
  /** M rounded down to GEMM_MR (the rows the full-height tiles cover). */
  mMain: number;
  /** Rows of A per chunk: the chunk's rows stay in L2 while every column block of B passes over them. */
  mc: number;
}

/** The k range of one pass over C (see `kPasses`) and whether it is the first / last one. */
interface KPass {
  k0: number;
  kLen: number;
  first: boolean;
  last: boolean;
}

function gemmLayout(spec: GemmSpec): GemmLayout {
  const { m, n, k, transA, transB, bias } = spec;
  const accumulate = spec.accumulate === true;
  if (accumulate && bias) throw new Error('GEMM: accumulate and bias together are not supported');
  if (n % 4 !== 0 || m < 1 || k < 1 || (transB && k % 4 !== 0)) throw new Error(`unsupported GEMM shape ${JSON.stringify(spec)}`);
  const packedB = gemmPacksB(spec);
  if (transB && !packedB) throw new Error('GEMM: a transposed B must be packed');
  const rowBytesC = (spec.ldc ?? n) * 4;
  return {
    m, n, k, bias, relu: spec.relu, fma: spec.fma === true, accumulate, packedB, rowBytesC,
    rowBytesB: rowBytesC,
    rowStepA: transA ? 4 : k * 4,
    kStepA: transA ? (spec.lda ?? m) * 4 : 4,
    mMain: m - (m % GEMM_MR),
    nMain: n - (n % 8),
    mc: Math.max(GEMM_MR, Math.floor(GEMM_CHUNK_BYTES / (k * 4) / GEMM_MR) * GEMM_MR),
  };
}

/**
 * Long k ranges go in passes of GEMM_KC (the first starts from the bias or 0, later ones from the partial C; relu
 * on the last), so that a tile's A rows and B panel stay in L1 whatever K is. The sums still run in increasing k.
 */
function kPasses(k: number): KPass[] {
  const count = Math.ceil(k / GEMM_KC);
  return Array.from({ length: count }, (_, kb) => {
    const k0 = kb * GEMM_KC;
    return { k0, kLen: Math.min(GEMM_KC, k - k0), first: kb === 0, last: kb === count - 1 };
  });
}

/** Bytes between the B rows of consecutive k: the panel width when B is packed, else C's row (B shares ldc). */
const bStride = (L: GemmLayout, nv: number): number => (L.packedB ? nv * 16 : L.rowBytesC);

function addConst(w: BodyWriter, v: number): void {
  if (v === 0) return;
  w.i32c(v);
  w.emit(op.i32Add);
}

/** Sets CP, AP, BP and BEND for the tile at row I, byte column J (B's panel of column block J at byte J·K). */
function emitTilePointers(w: BodyWriter, L: GemmLayout, p: KPass, nv: number): void {
  w.rowAddress(C, I, L.rowBytesC);
  w.get(J);
  w.emit(op.i32Add);
  w.set(CP);
  w.rowAddress(A, I, L.rowStepA);
  addConst(w, p.k0 * L.kStepA);
  w.set(AP);
  w.get(B);
  w.get(J);
  if (L.packedB) {
    w.i32c(L.k);
    w.emit(op.i32Mul);
  }
  w.emit(op.i32Add);
  addConst(w, p.k0 * bStride(L, nv));
  w.set(BP);
  w.get(BP);
  w.i32c((p.kLen - (p.kLen % GEMM_KU)) * bStride(L, nv));
  w.emit(op.i32Add);
  w.set(BEND);
}

/** Starts the accumulators from C (later passes, or `accumulate`), the bias, or 0. */
function emitTileInit(w: BodyWriter, L: GemmLayout, p: KPass, mr: number, nv: number): void {
  for (let r = 0; r < mr; r++) {
    for (let c = 0; c < nv; c++) {
      if (!p.first || L.accumulate) {
        w.get(CP);
        w.v128Load(r * L.rowBytesC + c * 16);
      } else if (L.bias) {
        w.get(BIAS);
        w.get(J);
        w.emit(op.i32Add);
        w.v128Load(c * 16);
      } else w.v128Zero();
      w.set(acc(r, c));
    }
  }
}

/** One k step at `u` steps past the pointers: nv B loads, mr broadcasts, mr·nv multiply-adds. */
function emitKStep(w: BodyWriter, L: GemmLayout, mr: number, nv: number, u: number): void {
  const stride = bStride(L, nv);
  for (let c = 0; c < nv; c++) {
    w.get(BP);
    w.v128Load(u * stride + c * 16);
    w.set(c === 0 ? B0 : B1);
  }
  for (let r = 0; r < mr; r++) {
    w.get(AP);
    w.emit(simd(S.v128Load32Splat), memarg(2, r * L.rowStepA + u * L.kStepA));
    w.set(SPL);
    for (let c = 0; c < nv; c++) {
      if (L.fma) {
        w.get(SPL);
        w.get(c === 0 ? B0 : B1);
        w.get(acc(r, c));
        w.emit(simd(S.f32x4RelaxedMadd)); // a·b + c
      } else {
        w.get(acc(r, c));
        w.get(SPL);
        w.get(c === 0 ? B0 : B1);
        w.emit(simd(S.f32x4Mul), simd(S.f32x4Add));
      }
      w.set(acc(r, c));
    }
  }
}

/** The k loop of a tile over the pass's range: GEMM_KU steps per trip, then the leftover steps. */
function emitKLoop(w: BodyWriter, L: GemmLayout, p: KPass, mr: number, nv: number): void {
  const kMain = p.kLen - (p.kLen % GEMM_KU);
  if (kMain > 0) {
    w.doOpen();
    for (let u = 0; u < GEMM_KU; u++) emitKStep(w, L, mr, nv, u);
    w.addTo(AP, GEMM_KU * L.kStepA);
    w.addTo(BP, GEMM_KU * bStride(L, nv));
    w.doWhileBelow(BP, BEND);
  }
  for (let u = 0; u < p.kLen - kMain; u++) emitKStep(w, L, mr, nv, u);
}

/** Stores the accumulators to C, through relu on the last pass. */
function emitTileStore(w: BodyWriter, L: GemmLayout, p: KPass, mr: number, nv: number): void {
  for (let r = 0; r < mr; r++) {
    for (let c = 0; c < nv; c++) {
      w.get(CP);
      w.get(acc(r, c));
      if (L.relu && p.last) {
        w.v128Zero();
        w.emit(simd(S.f32x4Max));
      }
      w.v128Store(r * L.rowBytesC + c * 16);
    }
  }
}

/** One mr x (4·nv) tile of C at row I and byte column J, over the pass's k range. */
function emitTile(w: BodyWriter, L: GemmLayout, p: KPass, mr: number, nv: number): void {
  emitTilePointers(w, L, p, nv);
  emitTileInit(w, L, p, mr, nv);
  emitKLoop(w, L, p, mr, nv);
  emitTileStore(w, L, p, mr, nv);
}

/** The full-height tiles: chunks of mc rows (IEND = min(I0 + mc, mMain)), each under every column block. */
function emitRowChunks(w: BodyWriter, L: GemmLayout, p: KPass): void {
  w.i32c(0);
  w.set(I0);
  w.doOpen();
  w.get(I0);
  w.i32c(L.mc);
  w.emit(op.i32Add);
  w.set(IEND);
  w.get(IEND);
  w.i32c(L.mMain);
  w.get(IEND);
  w.i32c(L.mMain);
  w.emit(op.i32LtU, op.select);
  w.set(IEND);
  emitColumns(w, L, J, (nv) => {
    w.get(I0);
    w.set(I);
    w.doOpen();
    emitTile(w, L, p, GEMM_MR, nv);
    w.addTo(I, GEMM_MR);
    w.doWhileBelow(I, IEND);
  });
  w.addTo(I0, L.mc);
  w.doWhileBelow(I0, { value: L.mMain });
}

/** The body of `gemm(a, b, c, bias)`: every pass over k, full-height tiles then the bottom edge's shorter ones. */
function gemmBody(L: GemmLayout): number[] {
  const w = new BodyWriter();
  for (const p of kPasses(L.k)) {
    if (L.mMain > 0) emitRowChunks(w, L, p);
    if (L.m > L.mMain) {
      emitColumns(w, L, J, (nv) => {
        w.i32c(L.mMain);
        w.set(I);
        emitTile(w, L, p, L.m - L.mMain, nv);
      });
    }
  }
  w.emit(op.end);
  return [...localsDecl([[8, I32], [2 * GEMM_MR + 3, V128]]), ...w.code];
}

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
 * panels (see gemmPack.ts), so the k loop reads one contiguous 32-byte row per step (measured 10-20% faster than
 * striding over B's rows); for Bᵀ it is a 4 x 4 shuffle transpose straight into that layout. `gemm` then takes the
 * scratch as b. Requires N and (with transB) K divisible by 4.
 */
export function buildGemmModule(spec: GemmSpec): Uint8Array {
  const L = gemmLayout(spec);
  const funcs = [{ type: 0, name: 'gemm', body: gemmBody(L) }];
  if (spec.transB) funcs.push({ type: 1, name: 'pack', body: packTransposedBody(L) });
  else if (L.packedB) funcs.push({ type: 1, name: 'pack', body: packPanelsBody(L) });
  return assembleModule({ types: [{ params: [I32, I32, I32, I32], results: [] }, { params: [I32, I32], results: [] }], funcs });
}
