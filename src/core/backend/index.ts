/** Compute backend selection and the project's wasm kernel fixes. */
export { initBackend, describeBackend, resolvePreference, isBackendPreference, BACKEND_ENV_VAR } from './backend';
export type { BackendInfo, BackendPreference } from './backend';
export { registerWasmKernelFixes, unregisterWasmKernelFixes } from './wasmKernels';
export { setComputeThreads, computeThreads, shutdownComputePool } from './computePool';
