/**
 * The one place the core imports TensorFlow.js from. Everything in src/core uses `tf` from here so that the
 * backend chosen by `initBackend` (tfjs-node, wasm or cpu) applies to every model and analysis routine.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Scalar, Variable, Rank } from '@tensorflow/tfjs';
