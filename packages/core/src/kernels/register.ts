import { registerConvGradients } from '../conv-gradients.js';
import { wasmBackendLoaded } from './install-wasm-kernel.js';
import { installWasmMatMul } from './wasm-batch-matmul.js';

/**
 * Installs every kernel and gradient the library replaces: conv and transposed-conv gradients
 * from forward ops (any backend), wasm's missing/slow conv backprop kernels, and wasm matMul with
 * transposed operands. Idempotent; `useBackend` calls it.
 */
export function registerKernels(): void {
  registerConvGradients();
  if (wasmBackendLoaded()) installWasmMatMul();
}
