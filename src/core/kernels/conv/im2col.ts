/**
 * im2col / col2im for NHWC convolutions as generated WebAssembly (SIMD where the channel count allows), so that the
 * convolution gradients can run as GEMMs (see `makeConv2DBackpropFilter` / `makeConv2DBackpropInput` in
 * convKernels.ts). For a convolution with input `[B, H, W, Ci]`, a `KH x KW` kernel, strides `(sh, sw)` and padding
 * `(top, left)`, the patch matrix has one row per output pixel `(b, oy, ox)` and `KH·KW·Ci` columns:
 *
 *     cols[(b, oy, ox), (i, j, c)] = x[b, oy·sh - top + i, ox·sw - left + j, c]     (0 outside the image)
 *
 * so `conv2d(x, W) = cols · W` with W read as a `[KH·KW·Ci, Co]` matrix (its own memory layout), the filter gradient
 * is `colsᵀ · dy` and the input gradient (and the conv2dTranspose forward) is `col2im(dy · Wᵀ)`, where col2im adds
 * every patch entry back onto the pixel it came from. Both functions work on a range of images `[b0, b1)`, so the
 * callers can go in chunks that keep the patch matrix in cache.
 */
import { I32, OP, SIMD_OP as SIMD, assembleModule, compileFor, emitter, simd, sleb, uleb } from '../wasm/assembler';

/** One convolution's geometry (NHWC, dilation 1). */
export interface ConvGeometry {
  h: number;
  w: number;
  ci: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

/** Most channels the generated copies unroll (per kernel cell). */
export const IM2COL_MAX_CHANNELS = 64;


/**
 * Builds a module (importing `env.memory`) exporting, for geometry `g` (byte offsets into the memory):
 * - `im2col(x, out, b0, b1)`: writes the patch rows of images `b0..b1-1` to `out` (row-major, `KH·KW·Ci` floats a row);
 * - `col2im(cols, dx, b0, b1)`: zeroes images `b0..b1-1` of `dx` (`[B, H, W, Ci]`) and adds the patch rows in `cols`
 *   (laid out as `im2col` writes them) onto their pixels, in increasing (oy, ox, i, j) order.
 */
export function buildIm2colModule(g: ConvGeometry): Uint8Array {
  const { h: H, w: W, ci, oh: OH, ow: OW, kh: KH, kw: KW, sh, sw, top, left } = g;
  if (ci < 1 || ci > IM2COL_MAX_CHANNELS || [H, W, OH, OW, KH, KW, sh, sw].some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`unsupported im2col geometry ${JSON.stringify(g)}`);
  }
  const vector = ci % 4 === 0;
  const cellBytes = ci * 4;
  const rowBytes = KH * KW * cellBytes;
  const imageBytes = H * W * cellBytes;
  const [P0, P1, B0, B1] = [0, 1, 2, 3]; // params: source/target pointers, image range
  const [B, OY, OX, IH0, IW0, IMG, P, S] = [4, 5, 6, 7, 8, 9, 10, 11];

  const body = (scatter: boolean): number[] => {
    const code: number[] = [];
    const emit = emitter(code);
    const get = (l: number): void => emit(OP.localGet, l);
    const set = (l: number): void => emit(OP.localSet, l);
    const i32c = (v: number): void => emit(OP.i32Const, sleb(v));
    const mem = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
    const addTo = (l: number, v: number): void => {
      get(l);
      i32c(v);
      emit(OP.i32Add);
      set(l);
    };
    /** `loop { body; l += 1; br_if l < end }` from `l = 0` (every count here is >= 1). */
    const count = (l: number, end: number, inner: () => void): void => {
      i32c(0);
      set(l);
      emit(OP.loop, OP.void);
      inner();
      addTo(l, 1);
      get(l);
      i32c(end);
      emit(OP.i32LtU, OP.brIf, 0, OP.end);
    };
    // P walks the patch rows (im2col: the output; col2im: the input cols).
    get(scatter ? P0 : P1);
    set(P);
    if (scatter) {
      // memory.fill(dx + b0·imageBytes, 0, (b1 - b0)·imageBytes)
      get(P1);
      get(B0);
      i32c(imageBytes);
      emit(OP.i32Mul, OP.i32Add);
      i32c(0);
      get(B1);
      get(B0);
      emit(OP.i32Sub);
      i32c(imageBytes);
      emit(OP.i32Mul, 0xfc, ...uleb(11), 0x00);
    }
    get(B0);
    set(B);
    emit(OP.block, OP.void, OP.loop, OP.void); // over images
    get(B);
    get(B1);
    emit(OP.i32GeU, OP.brIf, 1);
    get(scatter ? P1 : P0);
    get(B);
    i32c(imageBytes);
    emit(OP.i32Mul, OP.i32Add);
    set(IMG);
    count(OY, OH, () => {
      get(OY);
      i32c(sh);
      emit(OP.i32Mul);
      i32c(top);
      emit(OP.i32Sub);
      set(IH0);
      count(OX, OW, () => {
        get(OX);
        i32c(sw);
        emit(OP.i32Mul);
        i32c(left);
        emit(OP.i32Sub);
        set(IW0);
        for (let i = 0; i < KH; i++) {
          for (let j = 0; j < KW; j++) {
            const cell = (i * KW + j) * cellBytes;
            // in the image: (ih0 + i) <u H and (iw0 + j) <u W
            get(IH0);
            i32c(i);
            emit(OP.i32Add);
            i32c(H);
            emit(OP.i32LtU);
            get(IW0);
            i32c(j);
            emit(OP.i32Add);
            i32c(W);
            emit(OP.i32LtU, OP.i32And, OP.if, OP.void);
            // S = IMG + ((ih0 + i)·W + (iw0 + j))·ci·4
            get(IH0);
            i32c(i);
            emit(OP.i32Add);
            i32c(W * cellBytes);
            emit(OP.i32Mul);
            get(IW0);
            i32c(j);
            emit(OP.i32Add);
            i32c(cellBytes);
            emit(OP.i32Mul, OP.i32Add);
            get(IMG);
            emit(OP.i32Add);
            set(S);
            for (let q = 0; q < (vector ? ci / 4 : ci); q++) {
              const o = vector ? q * 16 : q * 4;
              if (!scatter) {
                get(P);
                get(S);
                emit(...(vector ? [simd(SIMD.v128Load), mem(2, o), simd(SIMD.v128Store), mem(2, cell + o)] : [OP.f32Load, mem(2, o), OP.f32Store, mem(2, cell + o)]));
              } else {
                get(S);
                get(S);
                emit(...(vector ? [simd(SIMD.v128Load), mem(2, o)] : [OP.f32Load, mem(2, o)]));
                get(P);
                emit(...(vector ? [simd(SIMD.v128Load), mem(2, cell + o), simd(SIMD.f32x4Add), simd(SIMD.v128Store), mem(2, o)] : [OP.f32Load, mem(2, cell + o), OP.f32Add, OP.f32Store, mem(2, o)]));
              }
            }
            if (!scatter) {
              emit(OP.else);
              for (let q = 0; q < (vector ? ci / 4 : ci); q++) {
                get(P);
                emit(...(vector ? [simd(SIMD.v128Const), new Array<number>(16).fill(0), simd(SIMD.v128Store), mem(2, cell + q * 16)] : [OP.f32Const, 0, 0, 0, 0, OP.f32Store, mem(2, cell + q * 4)]));
              }
            }
            emit(OP.end);
          }
        }
        addTo(P, rowBytes);
      });
    });
    addTo(B, 1);
    emit(OP.br, 0, OP.end, OP.end, OP.end);
    return [1, ...uleb(8), I32, ...code];
  };
  return assembleModule({
    types: [{ params: [I32, I32, I32, I32], results: [] }],
    funcs: [
      { type: 0, name: 'im2col', body: body(false) },
      { type: 0, name: 'col2im', body: body(true) },
    ],
  });
}

/** The compiled functions of `buildIm2colModule`. */
export interface Im2colExports {
  im2col: (x: number, out: number, b0: number, b1: number) => void;
  col2im: (cols: number, dx: number, b0: number, b1: number) => void;
}

const cache = new Map<string, { module: WebAssembly.Module; exports: Im2colExports }>();
let cacheMemory: WebAssembly.Memory | undefined;

/** The im2col/col2im module for `g` and its instance on `memory` (compiled once per geometry and heap). */
export function compiledIm2col(g: ConvGeometry, memory: WebAssembly.Memory): { module: WebAssembly.Module; exports: Im2colExports } {
  if (memory !== cacheMemory) {
    cache.clear();
    cacheMemory = memory;
  }
  const key = JSON.stringify(g);
  let mod = cache.get(key);
  if (mod === undefined) {
    if (cache.size >= 64) cache.clear();
    const module = compileFor(buildIm2colModule(g), memory);
    mod = { module, exports: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Im2colExports };
    cache.set(key, mod);
  }
  return mod;
}

/** The im2col/col2im functions for `g` on `memory` (see `compiledIm2col`). */
export function im2colModule(g: ConvGeometry, memory: WebAssembly.Memory): Im2colExports {
  return compiledIm2col(g, memory).exports;
}
