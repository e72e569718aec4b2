import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings of every package but core: tests run against core's sources, so a
 * change in core needs no rebuild to be tested in a plugin or the CLI.
 */
export default defineConfig({
  resolve: {
    alias: { '@alen/core': fileURLToPath(new URL('../packages/core/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
