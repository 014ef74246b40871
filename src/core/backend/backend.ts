/**
 * Compute backend selection for the whole core. Preference order for `auto`:
 *
 * 1. `tensorflow`: the native TensorFlow binding `@tensorflow/tfjs-node` (an optional dependency; loaded only if
 *    present, with `require`, so the core still runs where it cannot be installed).
 * 2. `wasm`: `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD when the runtime validates it) plus the project's kernel
 *    fixes from src/core/kernels (registry.ts) (fast transposed matmul, the missing Conv2DBackpropFilter).
 * 3. `cpu`: the pure-JS backend bundled with tfjs (slow, always there).
 *
 * An explicit preference that cannot be honoured falls down the same chain and says why in `fallbackReason`.
 * The environment variable `LATENT_EXPLORER_BACKEND` (`auto|tensorflow|wasm|cpu`) overrides an `auto` (or omitted)
 * preference, so a user or CI job can force a backend without touching settings.
 *
 * Threads: tfjs-backend-wasm 4.22 never uses its threaded binary in Node (tensorflow/tfjs#3830), so its own kernels
 * run on one thread. The project's kernels (every GEMM, im2col/col2im) instead split their work over a pool of
 * worker threads (kernels/computePool.ts) on the backend's heap, which kernels/tfjsWasm.ts makes a shared memory;
 * `setComputeThreads` (the `threads` setting, `--threads`) sets how many, 0 = auto. `threads` reports what the
 * backend actually got (1 where the heap could not be shared).
 */
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf';
import { registerWasmKernelFixes } from '../kernels/registry';
import { useSharedWasmHeap, wasmMemoryOf } from '../kernels/tfjsWasm';
import { computeThreads } from '../kernels/computePool';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The backend tfjs is now using: `tensorflow`, `wasm` or `cpu`. */
  name: string;
  /** What was asked for (after the environment override). */
  requested: BackendPreference;
  /** Why `name` differs from `requested` (or, for `auto`, why the native backend was skipped). */
  fallbackReason?: string;
  /** Kernel fixes registered on this backend (wasm only). */
  kernelFixes: string[];
  /** Worker threads the backend computes with, where known (wasm: from the backend; cpu: 1). */
  threads?: number;
  /** wasm only: whether the SIMD binary is in use. */
  simd?: boolean;
}

/** Environment variable that overrides an `auto` preference. */
export const BACKEND_ENV_VAR = 'LATENT_EXPLORER_BACKEND';

const PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Type guard for user-supplied preference strings (settings, CLI flags, the environment). */
export function isBackendPreference(value: unknown): value is BackendPreference {
  return typeof value === 'string' && (PREFERENCES as readonly string[]).includes(value);
}

interface Attempt {
  ok: boolean;
  reason?: string;
}

let cached: { requested: BackendPreference; info: Promise<BackendInfo> } | undefined;

/** Loads a module by name at run time only (so bundlers and tsc never need it to exist). */
function optionalRequire(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isModuleNotFound(e: unknown, name: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && e.message.includes(name);
}

async function tryTensorflow(): Promise<Attempt> {
  try {
    optionalRequire('@tensorflow/tfjs-node');
  } catch (e) {
    return { ok: false, reason: isModuleNotFound(e, '@tensorflow/tfjs-node') ? 'tfjs-node not installed' : `tfjs-node failed to load: ${errorMessage(e)}` };
  }
  // findBackendFactory returns null for an unregistered name, although its declared type does not say so.
  const factory = tf.findBackendFactory('tensorflow') as ReturnType<typeof tf.findBackendFactory> | null;
  if (factory === null) {
    return { ok: false, reason: 'tfjs-node loaded but registered no tensorflow backend (duplicate tfjs-core?)' };
  }
  return (await setBackend('tensorflow')) ? { ok: true } : { ok: false, reason: 'tensorflow backend failed to initialise' };
}

async function tryWasm(): Promise<Attempt & { fixes?: string[]; threads?: number; simd?: boolean }> {
  let fixes: string[];
  try {
    fixes = registerWasmKernelFixes();
  } catch (e) {
    return { ok: false, reason: `wasm kernel fixes failed: ${errorMessage(e)}` };
  }
  useSharedWasmHeap(wasmBackend);
  if (!(await setBackend('wasm'))) return { ok: false, reason: 'wasm backend failed to initialise' };
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const shared = wasmMemoryOf(tf.backend())?.buffer instanceof SharedArrayBuffer;
  return { ok: true, fixes, threads: shared ? computeThreads() : 1, simd };
}

async function setBackend(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Joins fallback reasons from each step of the chain. */
function joinReasons(reasons: (string | undefined)[]): string | undefined {
  const r = reasons.filter((s): s is string => s !== undefined);
  return r.length > 0 ? r.join('; ') : undefined;
}

async function select(requested: BackendPreference): Promise<BackendInfo> {
  const reasons: (string | undefined)[] = [];
  if (requested === 'auto' || requested === 'tensorflow') {
    const t = await tryTensorflow();
    if (t.ok) return { name: 'tensorflow', requested, kernelFixes: [] };
    reasons.push(t.reason);
  }
  if (requested !== 'cpu') {
    const w = await tryWasm();
    if (w.ok) {
      return { name: 'wasm', requested, fallbackReason: joinReasons(reasons), kernelFixes: w.fixes ?? [], threads: w.threads, simd: w.simd };
    }
    reasons.push(w.reason);
  }
  if (!(await setBackend('cpu'))) throw new Error(`no tfjs backend could be initialised (${joinReasons(reasons) ?? 'cpu failed'})`);
  return { name: 'cpu', requested, fallbackReason: joinReasons(reasons), kernelFixes: [], threads: 1 };
}

/** The preference after the `LATENT_EXPLORER_BACKEND` override (which applies only to `auto`). */
export function resolvePreference(pref: BackendPreference = 'auto', env: NodeJS.ProcessEnv = process.env): BackendPreference {
  if (pref !== 'auto') return pref;
  const fromEnv = env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  return isBackendPreference(fromEnv) ? fromEnv : 'auto';
}

/**
 * Selects and initialises the tfjs backend (see the file comment for the order). Idempotent: a second call with the
 * same preference returns the first result without re-initialising, as long as nobody switched backends since.
 */
export async function initBackend(pref?: BackendPreference): Promise<BackendInfo> {
  const requested = resolvePreference(pref);
  if (cached !== undefined && cached.requested === requested) {
    const info = await cached.info;
    if (tf.getBackend() === info.name) {
      if (info.name === 'wasm') info.threads = wasmMemoryOf(tf.backend())?.buffer instanceof SharedArrayBuffer ? computeThreads() : 1;
      return info;
    }
  }
  const info = select(requested);
  cached = { requested, info };
  try {
    return await info;
  } catch (e) {
    cached = undefined;
    throw e;
  }
}

/**
 * One short line for the CLI, the log and the panel, e.g. `wasm, SIMD, 1 thread, 13 kernel fixes`; an explicit
 * preference that could not be honoured says why. `verbose` adds the fallback reasons of `auto` and every kernel fix.
 */
export function describeBackend(info: BackendInfo, verbose = false): string {
  const parts = [info.name];
  if (info.simd !== undefined) parts.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.threads !== undefined) parts.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.kernelFixes.length > 0) parts.push(`${info.kernelFixes.length} kernel fix${info.kernelFixes.length === 1 ? '' : 'es'}`);
  const unmet = info.requested !== 'auto' && info.requested !== info.name;
  if (unmet) parts.push(`requested ${info.requested}${info.fallbackReason !== undefined ? `: ${info.fallbackReason}` : ''}`);
  let line = parts.join(', ');
  if (verbose) {
    if (!unmet && info.fallbackReason !== undefined) line += `; ${info.fallbackReason}`;
    if (info.kernelFixes.length > 0) line += `; kernel fixes: ${info.kernelFixes.join(', ')}`;
  }
  return line;
}
