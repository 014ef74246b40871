/**
 * The one place that knows the inside of `@tensorflow/tfjs-backend-wasm` (pinned to TFJS_WASM_VERSION): the heap
 * behind `wasm.asm.memory`, the buffer bookkeeping in `dataIdMap`, the C++ tensor registry, and the binaries the
 * backend loads. Every kernel in this folder reaches the backend through these functions, so a tfjs upgrade is
 * checked here (test/unit/kernels/tfjsWasm.test.ts asserts the version and each internal this file uses).
 *
 * The shared heap: the compute pool's workers (computePool.ts) run kernels on the backend's tensors in place.
 * tfjs-backend-wasm 4.22 never uses its threaded (pthreads) build in Node: its `WASM_HAS_MULTITHREAD_SUPPORT` flag
 * is false there (tensorflow/tfjs#3830), and forcing it fails because Emscripten starts its pthread pool from Blob
 * URLs, which Node's `worker_threads` cannot load. The single-threaded SIMD build defines its own memory (exported,
 * growable to 4 GiB). Declaring that memory shared changes nothing for the module's code (plain loads and stores
 * are valid on a shared memory; growth goes through `memory.grow` as before) but makes its buffer a
 * SharedArrayBuffer that other threads can instantiate modules on. So the binary is loaded with one byte changed:
 * the limits flag of its memory section, 0x01 (has maximum) -> 0x03 (has maximum, shared). The bytes reach the
 * backend through its own `setWasmPaths(..., usePlatformFetch)` hook as a `data:` URL (fetched by Node's fetch).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { tf } from '../tf';

/** The tfjs-backend-wasm release whose internals this file is written against (package.json pins it). */
export const TFJS_WASM_VERSION = '4.22.0';

/** Arguments and result of a tfjs kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type KernelOutput = ReturnType<tf.KernelFunc>;

/** The public `BackendWasm` methods the kernels call (see `asHeap`). */
export interface HeapBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  getMemoryOffset(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: tf.DataId): void;
}

/** The wasm backend's bookkeeping for one buffer (`BackendWasm.dataIdMap` values). */
interface WasmTensorData {
  id: number;
  memoryOffset: number;
  refCount: number;
}

/** The private side of `BackendWasm` used here. */
interface BackendInternals extends HeapBackend {
  wasm: {
    asm: { memory: WebAssembly.Memory };
    tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void };
  };
  dataIdMap: { get(dataId: tf.DataId): WasmTensorData | undefined };
  dataIdNextNumber: number;
}

/** The backend a wasm kernel was called with, as the kernels use it. */
export function asHeap(backend: KernelArgs['backend'] | tf.KernelBackend): HeapBackend {
  return backend as unknown as HeapBackend;
}

/** The backend's linear memory (a view taken on it is detached when the heap grows: take views last). */
export function heapMemory(heap: HeapBackend): WebAssembly.Memory {
  return (heap as BackendInternals).wasm.asm.memory;
}

/** The heap of `backend` where it is an initialised wasm backend, else undefined. */
export function wasmMemoryOf(backend: tf.KernelBackend): WebAssembly.Memory | undefined {
  return (backend as unknown as { wasm?: { asm?: { memory?: WebAssembly.Memory } } }).wasm?.asm?.memory;
}

/** A float32 view of a tensor's first `n` values on the heap (take it after the last allocation). */
export function heapF32(heap: HeapBackend, t: tf.TensorInfo, n: number): Float32Array {
  return new Float32Array(heapMemory(heap).buffer, heap.getMemoryOffset(t.dataId), n);
}

/** True when no other tensor shares the buffer of `dataId` (no clone or view would see an in-place write). */
export function ownsBuffer(heap: HeapBackend, dataId: tf.DataId): boolean {
  return (heap as BackendInternals).dataIdMap.get(dataId)?.refCount === 1;
}

/**
 * Gives a buffer that was just written in place a new backend id (same memory). The wasm backend's C++ side caches
 * XNNPACK operators with packed weights by tensor id (stock MatMul / Conv2D paths); dropping the old id drops them,
 * so no kernel reuses weights packed before the update.
 */
export function renewTensorId(heap: HeapBackend, dataId: tf.DataId, size: number): void {
  const backend = heap as BackendInternals;
  const data = backend.dataIdMap.get(dataId);
  if (data === undefined) throw new Error('renewTensorId: unknown buffer');
  backend.wasm.tfjs.disposeData(data.id); // the C++ registry entry and its cached operators; the memory stays
  data.id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(data.id, size, data.memoryOffset);
}

/**
 * The internals of an initialised wasm backend this file relies on that are missing (empty when all are there):
 * what a tfjs upgrade must keep, or this file must follow.
 */
export function missingWasmInternals(backend: tf.KernelBackend): string[] {
  const b = backend as unknown as Partial<BackendInternals> & Record<string, unknown>;
  // Nothing below `wasm` is known to exist either: that is what this function checks.
  const wasm = b.wasm as { asm?: { memory?: unknown }; tfjs?: { disposeData?: unknown; registerTensor?: unknown } } | undefined;
  const missing: string[] = [];
  if (!(wasm?.asm?.memory instanceof WebAssembly.Memory)) missing.push('wasm.asm.memory');
  if (typeof wasm?.tfjs?.disposeData !== 'function') missing.push('wasm.tfjs.disposeData');
  if (typeof wasm?.tfjs?.registerTensor !== 'function') missing.push('wasm.tfjs.registerTensor');
  if (typeof b.dataIdMap?.get !== 'function') missing.push('dataIdMap');
  if (typeof b.dataIdNextNumber !== 'number') missing.push('dataIdNextNumber');
  for (const m of ['disposeData', 'getMemoryOffset', 'makeOutput', 'typedArrayFromHeap', 'incRef']) if (typeof b[m] !== 'function') missing.push(m);
  return missing;
}

/** The wasm backend's module API this file uses. */
interface WasmBackendModule {
  setWasmPaths?: (paths: Record<string, string>, usePlatformFetch?: boolean) => void;
}

/** The binaries `setWasmPaths` must be given a path for (all three, even if only one is loaded). */
const BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

function readUleb(b: Uint8Array, p: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const x = b[p++];
    value += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if ((x & 0x80) === 0) return [value, p];
  }
}

/**
 * A copy of a wasm binary whose one defined memory (with a maximum) is declared shared; undefined when the binary
 * imports its memory, has none, or its memory has no maximum (a shared memory needs one) or is shared already.
 */
export function withSharedMemory(binary: Uint8Array): Uint8Array | undefined {
  if (binary.length < 8 || binary[0] !== 0 || binary[1] !== 0x61 || binary[2] !== 0x73 || binary[3] !== 0x6d) return undefined;
  let p = 8;
  while (p < binary.length) {
    const id = binary[p];
    const [len, start] = readUleb(binary, p + 1);
    if (id === 5) {
      const [count, at] = readUleb(binary, start);
      if (count !== 1 || binary[at] !== 0x01) return undefined;
      const out = binary.slice();
      out[at] = 0x03;
      return out;
    }
    p = start + len;
  }
  return undefined;
}

/**
 * The folder holding the backend's binaries: beside this code when it is bundled (esbuild.mjs copies them into
 * dist/, where the backend itself looks for them), else the installed package's.
 */
function binariesDir(): string | undefined {
  if (existsSync(join(__dirname, BINARIES[1]))) return __dirname;
  try {
    return dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${BINARIES[1]}`));
  } catch {
    return undefined;
  }
}

let attempted: { ok: boolean; reason?: string } | undefined;

/**
 * Makes the wasm backend load its binaries with a shared memory (see the file comment). Must run before the
 * backend initialises; later calls return the first outcome. Returns why not where it cannot (no global fetch for
 * the `data:` URLs, an unexpected binary, an older backend without `setWasmPaths`).
 */
export function useSharedWasmHeap(wasm: WasmBackendModule): { ok: boolean; reason?: string } {
  if (attempted !== undefined) return attempted;
  attempted = prepare(wasm);
  return attempted;
}

function prepare(wasm: WasmBackendModule): { ok: boolean; reason?: string } {
  if (typeof wasm.setWasmPaths !== 'function') return { ok: false, reason: 'the wasm backend has no setWasmPaths' };
  if (typeof fetch !== 'function') return { ok: false, reason: 'no fetch for the patched binaries' };
  if (typeof SharedArrayBuffer !== 'function') return { ok: false, reason: 'no SharedArrayBuffer' };
  const dir = binariesDir();
  if (dir === undefined) return { ok: false, reason: 'wasm binaries not found beside the bundle or in node_modules' };
  const paths: Record<string, string> = {};
  for (const name of BINARIES) {
    // The threaded build imports a shared memory already; Node never loads it (see the file comment).
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    const shared = name.includes('threaded') ? bytes : withSharedMemory(bytes);
    if (shared === undefined) return { ok: false, reason: `${name}: unexpected memory section` };
    paths[name] = `data:application/wasm;base64,${Buffer.from(shared.buffer, shared.byteOffset, shared.byteLength).toString('base64')}`;
  }
  try {
    wasm.setWasmPaths(paths, true);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  return { ok: true };
}
