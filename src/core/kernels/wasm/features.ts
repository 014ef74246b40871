/**
 * Optional WebAssembly features the generated kernels can use, probed at run time.
 *
 * Relaxed SIMD (part of WebAssembly 3.0; on by default in V8 >= 11.4: Chrome 114+, Electron 25+ and so every VS
 * Code this extension supports, Node 22+) gives `f32x4.relaxed_madd`, a multiply-add that V8 compiles to one FMA
 * instruction where the CPU has one. Node 20 (V8 11.3) has it behind `--experimental-wasm-relaxed-simd`; since V8
 * reads its wasm feature flags at each compilation, `enableRelaxedSimd` sets that flag at run time there.
 */
import { setFlagsFromString } from 'node:v8';
import { SIMD_OP, uleb } from './assembler';

/** Environment variable that turns the relaxed-SIMD (FMA) kernels off: `LATENT_EXPLORER_WASM_FMA=0`. */
export const FMA_ENV = 'LATENT_EXPLORER_WASM_FMA';

/** `(func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)`. */
function relaxedMaddProbe(): Uint8Array {
  const body = [0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, ...uleb(SIMD_OP.f32x4RelaxedMadd), 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, // type section: (v128, v128, v128) -> v128
    3, 2, 1, 0, // function section
    10, body.length + 2, 1, body.length, ...body, // code section
  ]);
}

/** Whether this engine compiles `f32x4.relaxed_madd` now. */
export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(relaxedMaddProbe());
  } catch {
    return false;
  }
}

let enabled: boolean | undefined;

/**
 * Whether the kernels may use relaxed SIMD: false when `LATENT_EXPLORER_WASM_FMA=0`; otherwise true if the engine
 * has it, after switching V8's `--experimental-wasm-relaxed-simd` on where it is only behind that flag (Node 20).
 * Decided once per process.
 */
export function enableRelaxedSimd(): boolean {
  if (enabled !== undefined) return enabled;
  if (process.env[FMA_ENV] === '0') return (enabled = false);
  if (!hasRelaxedSimd()) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // not settable here: plain SIMD
    }
  }
  return (enabled = hasRelaxedSimd());
}
