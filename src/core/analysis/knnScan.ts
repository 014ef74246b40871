/**
 * The kNN search's filter as a generated WebAssembly SIMD function: `scan(c, n, thr, out) -> count` writes to `out`
 * (i32) the positions j < n whose float32 `c[j]` is below `thr`, in increasing order, and returns how many. It tests
 * 4 values per f32x4 comparison and looks at single lanes only where one passed, so a row of distances in which few
 * entries beat the current k-th best costs ~n/4 vector steps instead of n scalar JavaScript comparisons (measured on
 * 60,000 x 16: the JavaScript scan took ~70% of the exact search). `n` must be a multiple of 4; `c` and `out` are
 * byte offsets into the imported (shared) memory.
 */
import { F32, I32, OP as op, SIMD_OP as S, V128, assembleModule, emitter, simd, uleb } from '../kernels/wasm/assembler';


/** Module exporting `scan` (see the module comment), importing a shared memory. */
export function buildScanModule(): Uint8Array {
  const [C, N, THR, OUT, J, CNT, TV] = [0, 1, 2, 3, 4, 5, 6];
  const code: number[] = [];
  const emit = emitter(code);
  const memarg = (align: number): number[] => [...uleb(align), ...uleb(0)];
  emit(op.localGet, THR, simd(S.f32x4Splat), op.localSet, TV);
  emit(op.block, op.void, op.loop, op.void);
  emit(op.localGet, J, op.localGet, N, op.i32GeU, op.brIf, 1);
  emit(op.localGet, C, op.localGet, J, op.i32Const, 2, op.i32Shl, op.i32Add, simd(S.v128Load), memarg(0));
  emit(op.localGet, TV, simd(S.f32x4Lt), simd(S.v128AnyTrue));
  emit(op.if, op.void);
  for (let lane = 0; lane < 4; lane++) {
    emit(op.localGet, C, op.localGet, J, op.i32Const, lane, op.i32Add, op.i32Const, 2, op.i32Shl, op.i32Add, op.f32Load, memarg(2));
    emit(op.localGet, THR, op.f32Lt, op.if, op.void);
    emit(op.localGet, OUT, op.localGet, CNT, op.i32Const, 2, op.i32Shl, op.i32Add);
    emit(op.localGet, J, op.i32Const, lane, op.i32Add, op.i32Store, memarg(2));
    emit(op.localGet, CNT, op.i32Const, 1, op.i32Add, op.localSet, CNT);
    emit(op.end);
  }
  emit(op.end);
  emit(op.localGet, J, op.i32Const, 4, op.i32Add, op.localSet, J, op.br, 0);
  emit(op.end, op.end);
  emit(op.localGet, CNT, op.end);
  const body = [...uleb(2), ...uleb(2), I32, ...uleb(1), V128, ...code];
  return assembleModule({
    types: [{ params: [I32, I32, F32, I32], results: [I32] }],
    funcs: [{ type: 0, name: 'scan', body }],
    sharedMaxPages: 65536,
  });
}
