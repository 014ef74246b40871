/**
 * The table of wasm kernels the project replaced or added, and the small helpers every kernel uses: kernel inputs,
 * single outputs and the stock kernels (the originals, also after they were replaced).
 */
import { tf } from '../tf';
import type { KernelArgs, KernelOutput } from './tfjsWasm';

export const WASM = 'wasm';

/**
 * The kernel registered for `name` on `backend`, or undefined when there is none: `tf.getKernel` returns undefined
 * then although its declared type does not say so.
 */
export function findKernel(name: string, backend: string): tf.KernelConfig | undefined {
  return tf.getKernel(name, backend);
}

/** Kernel configs we registered, so a second call is a no-op and `uninstallAll` can restore stock. */
const installed = new Map<string, { original?: tf.KernelConfig; fix: tf.KernelConfig; label: string }>();

/** Calls a kernel that must return one tensor. */
export function single(out: KernelOutput): tf.TensorInfo {
  if (Array.isArray(out)) throw new Error('expected a single-output kernel');
  return out;
}

/** A required kernel input. */
export function input(inputs: KernelArgs['inputs'], name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`missing kernel input ${name}`);
  return t;
}

/** Looks up a stock wasm kernel function by name, failing clearly when the wasm backend is not loaded. */
export function wasmKernel(name: string): tf.KernelFunc {
  const k = installed.get(name)?.original ?? findKernel(name, WASM);
  if (k === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
  return k.kernelFunc;
}


/** Replaces (or adds) one wasm kernel, remembering the stock one. */
export function install(name: string, label: string, build: (original: tf.KernelConfig | undefined) => tf.KernelConfig): void {
  if (installed.has(name)) return;
  const original = findKernel(name, WASM);
  const fix = build(original);
  if (original !== undefined) tf.unregisterKernel(name, WASM);
  tf.registerKernel(fix);
  installed.set(name, { original, fix, label });
}

/** The stock kernel `name` that a fix wraps (a fix for a kernel wasm lacks has none, and throws). */
export function stock(name: string, original: tf.KernelConfig | undefined): tf.KernelConfig {
  if (original === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
  return original;
}

/** Whether the fix for `name` is installed. */
export function isInstalled(name: string): boolean {
  return installed.has(name);
}

/** Labels of the installed fixes, in installation order. */
export function installedLabels(): string[] {
  return [...installed.values()].map((e) => e.label);
}

/** Restores the stock kernels. */
export function uninstallAll(): void {
  for (const [name, { original }] of installed) {
    tf.unregisterKernel(name, WASM);
    if (original !== undefined) tf.registerKernel(original);
  }
  installed.clear();
}
