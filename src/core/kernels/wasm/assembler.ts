/**
 * The few pieces of the WebAssembly binary format that the project's generated kernels need (k-means assignment in
 * src/core/kernels/kmeans, GEMM / conv / Adam / elementwise kernels in src/core/kernels):
 * LEB128 integers, value types, and a module with one imported memory (`env.memory`) whose functions are all
 * exported. Kernels emit their own function bodies; see the WebAssembly core spec, "Binary format".
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Opcodes of the core instructions the generated kernels use (WebAssembly core spec, "Instructions"). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  void: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  f32Lt: 0x5d,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f64PromoteF32: 0xbb,
} as const;

/**
 * Opcodes of the SIMD instructions the generated kernels use, each after the 0xfd prefix (see `simd`): the
 * fixed-width SIMD proposal and `f32x4.relaxed_madd` of relaxed SIMD (WebAssembly 3.0 spec, "Vector Instructions").
 */
export const SIMD_OP = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  v128Bitselect: 0x52,
  v128AnyTrue: 0x53,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f32x4RelaxedMadd: 0x105,
} as const;

/** Appends bytes (numbers, or arrays of them) to a function body under construction. */
export type Emit = (...bytes: (number | number[])[]) => void;

/** The `emit` of a generator writing into `code` (reuse the array for the next body with `code.length = 0`). */
export function emitter(code: number[]): Emit {
  return (...bytes) => {
    for (const b of bytes) {
      if (Array.isArray(b)) code.push(...b);
      else code.push(b);
    }
  };
}

/** A SIMD instruction: the 0xfd prefix and its LEB128 opcode. */
export function simd(code: number): number[] {
  return [0xfd, ...uleb(code)];
}

/** Unsigned LEB128. */
export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A function signature: parameter and result value types. */
export interface FuncType {
  params: number[];
  results: number[];
}

export interface ModuleSpec {
  types: FuncType[];
  /** One function per entry: its type index, body (locals declaration + code, ending in `end`) and export name. */
  funcs: { type: number; name: string; body: number[] }[];
  /** Import the memory as shared with this maximum (pages), for worker threads; default: not shared, no maximum. */
  sharedMaxPages?: number;
}

const section = (id: number, payload: number[]): number[] => [id, ...uleb(payload.length), ...payload];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** The bytes of a module importing `env.memory` (min 1 page) and exporting every function under its name. */
export function assembleModule(spec: ModuleSpec): Uint8Array {
  const limits = spec.sharedMaxPages !== undefined ? [0x03, ...uleb(1), ...uleb(spec.sharedMaxPages)] : [0x00, ...uleb(1)];
  const typeSec = section(1, vec(spec.types.map((t) => [0x60, ...vec(t.params.map((p) => [p])), ...vec(t.results.map((r) => [r]))])));
  const importSec = section(2, [1, ...str('env'), ...str('memory'), 0x02, ...limits]);
  const funcSec = section(3, vec(spec.funcs.map((f) => uleb(f.type))));
  const exportSec = section(7, vec(spec.funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])));
  const codeSec = section(10, vec(spec.funcs.map((f) => [...uleb(f.body.length), ...f.body])));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSec, ...importSec, ...funcSec, ...exportSec, ...codeSec]);
}

/** Most pages a 32-bit memory can have (a shared memory import declares it, matching any shared memory). */
const MAX_PAGES = 65536;

/**
 * The bytes of an `assembleModule` module with its memory import declared shared (maximum MAX_PAGES), so that it
 * links against a shared `WebAssembly.Memory`; unchanged when `shared` is false or the import is shared already.
 */
export function withSharedMemoryImport(bytes: Uint8Array, shared: boolean): Uint8Array {
  if (!shared) return bytes;
  const tail = [...str('env'), ...str('memory'), 0x02];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p];
    let len = 0;
    let shift = 0;
    let q = p + 1;
    for (;;) {
      const b = bytes[q++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (id === 2) {
      const body = Array.from(bytes.subarray(q, q + len));
      if (body[0] !== 1 || tail.some((b, i) => body[1 + i] !== b)) throw new Error('unexpected memory import');
      const flags = body[1 + tail.length];
      if (flags === 0x03) return bytes;
      const min = body.slice(2 + tail.length); // flags 0x00: just the minimum
      const sec = section(2, [1, ...tail, 0x03, ...min, ...uleb(MAX_PAGES)]);
      return Uint8Array.from([...bytes.subarray(0, p), ...sec, ...bytes.subarray(q + len)]);
    }
    p = q + len;
  }
  throw new Error('module has no memory import');
}

/** Compiles an `assembleModule` module so that it links against `memory` (shared or not). */
export function compileFor(bytes: Uint8Array, memory: WebAssembly.Memory): WebAssembly.Module {
  return new WebAssembly.Module(withSharedMemoryImport(bytes, memory.buffer instanceof SharedArrayBuffer));
}
