import { createRequire } from 'node:module';
import { tf } from './tf.js';
import { AlenError } from './errors.js';
import { registerKernels } from './kernels/register.js';

export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';
export const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'webgpu'];

/** Environment variable that picks the backend when no explicit choice is given. */
export const BACKEND_ENV = 'ALEN_BACKEND';

const require = createRequire(import.meta.url);

export interface BackendInfo {
  readonly name: string;
  /** Why the requested backend was not used, when a fallback happened. */
  readonly fallbackReason?: string;
}

function loadWasm(): void {
  if (!tf.findBackendFactory('wasm')) require('@tensorflow/tfjs-backend-wasm');
}

/** tfjs-node(-gpu) registers the 'tensorflow' backend; both are optional peers, never required. */
function loadTensorflow(): string | null {
  if (tf.findBackendFactory('tensorflow')) return null;
  const errors: string[] = [];
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require(name);
      return null;
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return errors.join('; ');
}

async function loadWebgpu(): Promise<string | null> {
  if (tf.findBackendFactory('webgpu')) return null;
  try {
    const g = globalThis as Record<string, unknown>;
    if (!(g.navigator as { gpu?: unknown } | undefined)?.gpu) {
      const dawn = require('webgpu') as { create(args: string[]): unknown; globals: object };
      Object.assign(globalThis, dawn.globals);
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true, writable: true });
    }
    require('@tensorflow/tfjs-backend-webgpu');
    return null;
  } catch (e) {
    return `webgpu: ${(e as Error).message.split('\n')[0]} (install 'webgpu' and '@tensorflow/tfjs-backend-webgpu' and a Vulkan driver)`;
  }
}

/**
 * Picks the TensorFlow.js backend: the explicit name, else `ALEN_BACKEND`, else wasm, falling back
 * to cpu when wasm cannot start. Registers core's Conv2D gradients (needed on wasm) first.
 * An explicit 'tensorflow' or 'webgpu' that cannot load falls back to wasm and says why.
 */
export async function useBackend(requested?: string): Promise<BackendInfo> {
  registerKernels();
  const name = requested ?? process.env[BACKEND_ENV] ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new AlenError('UNKNOWN_BACKEND', `unknown backend '${name}'; choose one of ${BACKENDS.join(', ')}`);
  }
  let fallbackReason: string | undefined;
  if (name === 'tensorflow') {
    const why = loadTensorflow();
    if (!why && (await tf.setBackend('tensorflow'))) return { name: 'tensorflow' };
    fallbackReason = `tensorflow backend unavailable (${why ?? 'setBackend failed'})`;
  } else if (name === 'webgpu') {
    const why = await loadWebgpu();
    if (!why && (await tf.setBackend('webgpu'))) return { name: 'webgpu' };
    fallbackReason = `webgpu backend unavailable (${why ?? 'no adapter'})`;
  } else if (name === 'cpu') {
    await tf.setBackend('cpu');
    return { name: 'cpu' };
  }
  try {
    loadWasm();
    if (await tf.setBackend('wasm')) return { name: 'wasm', fallbackReason };
    fallbackReason = (fallbackReason ? fallbackReason + '; ' : '') + 'wasm failed to initialise';
  } catch (e) {
    fallbackReason = (fallbackReason ? fallbackReason + '; ' : '') + `wasm: ${(e as Error).message}`;
  }
  await tf.setBackend('cpu');
  return { name: 'cpu', fallbackReason };
}

/** Reads a tensor's values on any backend (webgpu cannot read synchronously in Node). */
export async function read(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}
