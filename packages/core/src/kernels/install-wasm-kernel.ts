import { createRequire } from 'node:module';
import { tf } from '../tf.js';

const require = createRequire(import.meta.url);

/** Marks our kernel configs so installing again is a no-op; keeps the stock kernel it replaced. */
export type OwnKernelConfig = tf.KernelConfig & { alenOwn?: true; alenStock?: tf.KernelConfig };

/**
 * Loads the wasm backend package so its own kernels are registered before ours (and cannot
 * overwrite them later). Returns false when the package cannot load.
 */
export function wasmBackendLoaded(): boolean {
  if (tf.findBackendFactory('wasm')) return true;
  try {
    require('@tensorflow/tfjs-backend-wasm');
    return true;
  } catch {
    return false;
  }
}

/**
 * Replaces the wasm kernel `kernelName` by `make(stock)`, where `stock` is the kernel it replaces
 * (undefined when wasm has none). Idempotent. The stock kernel's setup and dispose functions are
 * kept so the backend's lifecycle is unchanged.
 */
export function installWasmKernel(kernelName: string, make: (stock: tf.KernelConfig | undefined) => tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, 'wasm') as OwnKernelConfig | undefined;
  if (current?.alenOwn) return;
  // Unregister first: registerKernel would warn "already registered".
  if (current) tf.unregisterKernel(kernelName, 'wasm');
  const config: OwnKernelConfig = {
    ...current,
    kernelName,
    backendName: 'wasm',
    kernelFunc: make(current),
    alenOwn: true,
    alenStock: current,
  };
  tf.registerKernel(config);
}

/** The kernel wasm had before ours replaced it (for tests that compare the two). */
export function stockWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  const current = tf.getKernel(kernelName, 'wasm') as OwnKernelConfig | undefined;
  return current?.alenOwn ? current.alenStock : current;
}
