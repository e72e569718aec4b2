import { defineConfig } from 'tsup';

/** Library packages: ESM + CJS + declarations from src/index.ts; dependencies stay external. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
