/**
 * A shared heap for `@tensorflow/tfjs-backend-wasm` in Node, so that the compute pool's workers (computePool.ts)
 * can run kernels on the backend's tensors in place.
 *
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
