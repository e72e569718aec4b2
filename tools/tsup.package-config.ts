import { defineConfig } from 'tsup';

/** Library packages: ESM + CJS + declarations from src/index.ts; dependencies stay external. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The CJS build gets an import.meta.url shim (core resolves its wasm files with createRequire(import.meta.url)).
  shims: true,
});
