/**
 * A function body under construction for the generated kernels (k-means in kmeans/generator.ts, the GEMM in gemm.ts):
 * the assembler's `emit` plus the shorthands for locals, constants, memory access and counted loops their emitters use.
 */
import { OP as op, SIMD_OP as S, type Emit, emitter, simd, sleb, uleb } from './assembler';

/** A load/store immediate: log2 of the alignment, then the byte offset. */
export const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

/** The locals declaration that opens a body: runs of `[count, value type]`. */
export function localsDecl(runs: [number, number][]): number[] {
  return [...uleb(runs.length), ...runs.flatMap(([count, type]) => [...uleb(count), type])];
}

export class BodyWriter {
  readonly code: number[] = [];
  readonly emit: Emit = emitter(this.code);

  get(local: number): void {
    this.emit(op.localGet, uleb(local));
  }

  set(local: number): void {
    this.emit(op.localSet, uleb(local));
  }

  tee(local: number): void {
    this.emit(op.localTee, uleb(local));
  }

  i32c(v: number): void {
    this.emit(op.i32Const, sleb(v));
  }

  /** local += v (i32). */
  addTo(local: number, v: number): void {
    this.get(local);
    this.i32c(v);
    this.emit(op.i32Add);
    this.set(local);
  }

  /** Pushes the address `base + index << log2Size` (element `index` of an array of 2^log2Size-byte elements). */
  elementAddress(base: number, index: number, log2Size: number): void {
    this.get(base);
    this.get(index);
    this.i32c(log2Size);
    this.emit(op.i32Shl, op.i32Add);
  }

  /** Pushes base + index * stride (row `index` of an array of stride-byte rows). */
  rowAddress(base: number, index: number, stride: number): void {
    this.get(base);
    this.get(index);
    this.i32c(stride);
    this.emit(op.i32Mul, op.i32Add);
  }

  v128Load(offset: number, align = 4): void {
    this.emit(simd(S.v128Load), memarg(align, offset));
  }

  v128Store(offset: number, align = 4): void {
    this.emit(simd(S.v128Store), memarg(align, offset));
  }

  /** A v128 constant from four i32 lanes. */
  v128Const(lanes: number[]): void {
    this.emit(simd(S.v128Const), Array.from(new Uint8Array(Int32Array.from(lanes).buffer)));
  }

  /** The all-zero v128. */
  v128Zero(): void {
    this.v128Const([0, 0, 0, 0]);
  }

  shuffle(lanes: number[]): void {
    this.emit(simd(S.i8x16Shuffle), lanes);
  }

  /** Opens `while (counter < limit) {` (unsigned); the body must advance `counter`. */
  loopOpen(counter: number, limit: number): void {
    this.emit(op.block, op.void, op.loop, op.void);
    this.get(counter);
    this.get(limit);
    this.emit(op.i32GeU, op.brIf, 1);
  }

  /** Closes a `loopOpen` loop. */
  loopClose(): void {
    this.emit(op.br, 0, op.end, op.end);
  }

  /** Opens `do {` (the body runs at least once); close it with `doWhileBelow`. */
  doOpen(): void {
    this.emit(op.loop, op.void);
  }

  /** Closes a `doOpen` loop with `} while (counter < limit)` (unsigned): limit a local, or `{ value }` a constant. */
  doWhileBelow(counter: number, limit: number | { value: number }): void {
    this.get(counter);
    if (typeof limit === 'number') this.get(limit);
    else this.i32c(limit.value);
    this.emit(op.i32LtU, op.brIf, 0, op.end);
  }
}
